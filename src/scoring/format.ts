import type { EditOp } from './align.js';
import { displayWidth, padToWidth } from './display-width.js';

const MARK: Record<EditOp['op'], string> = { ok: '', sub: 'S', del: 'D', ins: 'I' };

/**
 * Three lines in the style of sclite's alignment print-out:
 *
 *   REF:  a b c d ***
 *   HYP:  a x c d e
 *   Eval:   S       I
 *
 * Each column is as wide (in terminal columns, see displayWidth) as its widest token; the
 * missing side of a deletion or insertion is filled with '*'.
 */
export function formatAlignment(ops: EditOp[]): string {
  const lines = ['REF: ', 'HYP: ', 'Eval:'].map((label) => [label]);
  for (const o of ops) {
    const width = Math.max(displayWidth(o.ref ?? ''), displayWidth(o.hyp ?? ''), 1);
    lines[0].push(padToWidth(o.ref ?? '*'.repeat(width), width));
    lines[1].push(padToWidth(o.hyp ?? '*'.repeat(width), width));
    lines[2].push(padToWidth(MARK[o.op], width));
  }
  return lines.map((cells) => cells.join(' ').trimEnd()).join('\n');
}
