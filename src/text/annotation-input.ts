/**
 * Text input from a linguist's existing annotations: one tier of a Praat
 * TextGrid or ELAN .eaf file, each labelled interval (annotation) one line,
 * next to plain UTF-8 text files.
 */
import { extname } from 'node:path';
import { readEafFile } from '../formats/eaf.js';
import { readTextGridFile } from '../formats/textgrid.js';
import { InputFileError, UsageError } from '../util/errors.js';
import { readUserLines } from './user-text.js';

export type AnnotationFileKind = 'textgrid' | 'eaf';

/** By extension, case-insensitively: .TextGrid or .eaf; undefined for anything else (plain text). */
export function annotationFileKind(path: string): AnnotationFileKind | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.textgrid' ? 'textgrid' : ext === '.eaf' ? 'eaf' : undefined;
}

/** Tier name → its labels in time order, for every tier of the file (first of a repeated name). */
function readTiers(path: string, kind: AnnotationFileKind): Map<string, string[]> {
  const tiers = new Map<string, string[]>();
  const add = (name: string, labels: string[]) => tiers.has(name) || tiers.set(name, labels);
  if (kind === 'textgrid') for (const t of readTextGridFile(path).tiers) add(t.name, t.items.map((x) => x.label));
  else for (const t of readEafFile(path).tiers) add(t.id, t.annotations.map((a) => a.label));
  return tiers;
}

const tierList = (tiers: Map<string, string[]>) => (tiers.size === 0 ? 'the file has no tiers' : `tiers present: ${[...tiers.keys()].map((n) => `"${n}"`).join(', ')}`);

/** The non-empty labels of tier `tier`, one line each (a label's own line breaks become spaces). */
export function readTierLines(path: string, kind: AnnotationFileKind, tier: string | undefined): string[] {
  const tiers = readTiers(path, kind);
  const what = kind === 'textgrid' ? 'a Praat TextGrid' : 'an ELAN file';
  if (tier === undefined) throw new InputFileError(path, `is ${what}; choose the tier to read with --tier (${tierList(tiers)})`);
  const labels = tiers.get(tier);
  if (!labels) throw new InputFileError(path, `has no tier "${tier}" (${tierList(tiers)})`);
  return labels.map((l) => l.replace(/\s+/g, ' ').trim()).filter((l) => l !== '');
}

/**
 * The sentence lines of all text inputs, in order: plain text files line by
 * line, TextGrid/EAF files from tier `tier`.
 */
export function readTextInputs(paths: string[], tier?: string): string[] {
  if (tier !== undefined && !paths.some((p) => annotationFileKind(p)))
    throw new UsageError('--tier names a tier of .TextGrid or .eaf inputs, but none of the inputs is one');
  return paths.flatMap((p) => {
    const kind = annotationFileKind(p);
    return kind ? readTierLines(p, kind, tier) : readUserLines(p);
  });
}
