import { describe, it, expect } from 'vitest';
import { alignTokens, formatAlignment, displayWidth } from '../../src/scoring/index.js';

/** Display column at which each whitespace-separated cell of a line starts. */
function cellColumns(line: string): number[] {
  const cols: number[] = [];
  let col = 0;
  let inCell = false;
  for (const ch of line) {
    if (ch === ' ') inCell = false;
    else if (!inCell) {
      cols.push(col);
      inCell = true;
    }
    col += displayWidth(ch);
  }
  return cols;
}

describe('displayWidth', () => {
  it('counts combining marks as 0 and CJK as 2 columns', () => {
    expect(displayWidth('t\u0361s')).toBe(2); // t͡s: tie bar is combining
    expect(displayWidth('a\u0330')).toBe(1); // a̰
    expect(displayWidth('kʰ')).toBe(2); // modifier letter h is a spacing letter
    expect(displayWidth('ŋ\u030a')).toBe(1);
    expect(displayWidth('漢字')).toBe(4);
  });
});

describe('formatAlignment', () => {
  it('prints REF / HYP / Eval lines in sclite style', () => {
    expect(formatAlignment(alignTokens('a b c d'.split(' '), 'a x c d e'.split(' ')).ops)).toBe(
      ['REF:  a b c d *', 'HYP:  a x c d e', 'Eval:   S     I'].join('\n'),
    );
  });

  it('lines columns up by display width with IPA combining characters', () => {
    const ops = alignTokens(['t\u0361s', 'a\u0330', 'kʰ'], ['ts', 'a\u0330', 'ŋ\u030a', 'kʰ']).ops;
    expect(ops.map((o) => o.op)).toEqual(['sub', 'ok', 'ins', 'ok']);
    const text = formatAlignment(ops);
    // Columns (display width): t͡s|ts → 2, a̰ → 1, *|ŋ̊ → 1, kʰ → 2; cells start at 6, 9, 11, 13.
    expect(text).toBe(['REF:  t\u0361s a\u0330 * kʰ', 'HYP:  ts a\u0330 ŋ\u030a kʰ', 'Eval: S    I'].join('\n'));
    const [ref, hyp, ev] = text.split('\n');
    expect(cellColumns(ref)).toEqual([0, 6, 9, 11, 13]);
    expect(cellColumns(hyp)).toEqual([0, 6, 9, 11, 13]);
    expect(cellColumns(ev)).toEqual([0, 6, 11]);
  });

  it('fills the missing side of a deletion as wide as the token', () => {
    const text = formatAlignment(alignTokens(['ʃʃʃ', 'a'], ['a']).ops);
    expect(text).toBe(['REF:  ʃʃʃ a', 'HYP:  *** a', 'Eval: D'].join('\n'));
  });
});
