/**
 * fairseq wav2vec-U feature folders: <split>.npy (float32 [totalFrames, dim],
 * all utterances concatenated in order) + <split>.lengths (frames per
 * utterance, one integer a line) + optional <split>.tsv (first line the audio
 * root, then `relpath<TAB>num_samples` per utterance, same order).
 *
 * Utterance ids: the tsv's relpath when a tsv is present, otherwise
 * `utt%010d` by position, as fairseq's kaldi_self_train scripts name them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FieldphoneError, InputFileError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import type { Matrix } from '../util/matrix.js';
import { concatRows, sliceRows } from '../util/matrix.js';
import { readNpy, writeNpy } from './npy.js';

export interface FairseqUtterance {
  id: string;
  features: Matrix;
  /** Audio length in samples; needed (for every utterance) to write a .tsv. */
  numSamples?: number;
}

/** Utterances are views into one array holding the whole split. */
export function readFairseqSplit(dir: string, split: string): { ids: string[]; utterances: Matrix[] } {
  const npyPath = join(dir, `${split}.npy`);
  const lengthsPath = join(dir, `${split}.lengths`);
  const tsvPath = join(dir, `${split}.tsv`);
  if (!existsSync(lengthsPath)) throw new InputFileError(lengthsPath, `file not found (a fairseq feature folder needs ${split}.npy and ${split}.lengths)`);
  const lengths = readLines(lengthsPath).map((line, i) => {
    if (!/^\d+$/.test(line)) throw new InputFileError(lengthsPath, `line ${i + 1}: expected a frame count, found '${line}'`);
    return Number(line);
  });
  const all = readNpy(npyPath);
  const total = lengths.reduce((s, n) => s + n, 0);
  if (total !== all.rows)
    throw new InputFileError(lengthsPath, `lengths add up to ${total} frames but ${npyPath} has ${all.rows} rows; the two files do not belong together`);
  let ids: string[];
  if (existsSync(tsvPath)) {
    // First line is the audio root; one utterance per following line.
    const entries = readLines(tsvPath).slice(1);
    if (entries.length !== lengths.length)
      throw new InputFileError(tsvPath, `lists ${entries.length} utterances but ${lengthsPath} has ${lengths.length}`);
    ids = entries.map((line, i) => {
      const rel = line.split('\t')[0];
      if (!rel) throw new InputFileError(tsvPath, `line ${i + 2}: empty path`);
      return rel;
    });
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) throw new InputFileError(tsvPath, `path '${dup}' is listed more than once`);
  } else {
    ids = lengths.map((_, i) => `utt${String(i).padStart(10, '0')}`);
  }
  const utterances: Matrix[] = [];
  let start = 0;
  for (const n of lengths) {
    utterances.push(sliceRows(all, start, start + n));
    start += n;
  }
  return { ids, utterances };
}

/**
 * Write <split>.npy and <split>.lengths (and <split>.tsv with `audioRoot` as
 * its first line when audioRoot is given; every utterance then needs
 * numSamples and its id is written as the audio path relative to audioRoot).
 * Without audioRoot an existing <split>.tsv is left alone (it may be the
 * user's manifest). The .lengths file is written last, so an interrupted
 * write is caught by the reader's frame-count check rather than misread.
 */
export function writeFairseqSplit(dir: string, split: string, utts: FairseqUtterance[], audioRoot?: string): void {
  if (utts.length === 0) throw new FieldphoneError('empty-split', `refusing to write an empty fairseq split '${split}' in ${dir}`);
  const dim = utts[0].features.cols;
  for (const u of utts) {
    if (u.features.cols !== dim)
      throw new FieldphoneError('dimension-mismatch', `utterance '${u.id}' has ${u.features.cols}-dim features, the first has ${dim}`);
    if (/[\t\n\r]/.test(u.id)) throw new FieldphoneError('bad-id', `utterance id ${JSON.stringify(u.id)} contains a tab or newline`);
    if (audioRoot !== undefined && !(Number.isInteger(u.numSamples) && (u.numSamples as number) >= 0))
      throw new FieldphoneError('missing-num-samples', `utterance '${u.id}' has no numSamples, needed for ${split}.tsv`);
  }
  const all = concatRows(utts.map((u) => u.features));
  writeNpy(join(dir, `${split}.npy`), all);
  if (audioRoot !== undefined)
    writeFileAtomic(join(dir, `${split}.tsv`), [audioRoot, ...utts.map((u) => `${u.id}\t${u.numSamples}`)].join('\n') + '\n');
  writeFileAtomic(join(dir, `${split}.lengths`), utts.map((u) => String(u.features.rows)).join('\n') + '\n');
}

function readLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
