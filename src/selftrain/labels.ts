/**
 * Pseudo-labels: a phone sequence per training utterance, optionally with the
 * [start, end) frame span of each phone (a decoder's output has them; a
 * transcript file does not). On disk, in a round's folder:
 *
 *   labels.txt   Kaldi style, "utt-id p1 p2 …" (what `fieldphone score` reads)
 *   spans.json   { "utt-id": [start0, end0, start1, end1, …] } in frames
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTranscriptFile } from '../scoring/index.js';
import { SIL } from '../text/index.js';
import { ArtifactError, InputFileError } from '../util/errors.js';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../util/fsx.js';
import type { Rng } from '../util/rng.js';

export interface UtteranceLabels {
  units: string[];
  /** 2 × units frame spans, when known. */
  spans?: Int32Array;
}

/** Utterance id → labels, in the order of the training utterances. */
export type LabelSet = Map<string, UtteranceLabels>;

export const LABEL_FILES = { labels: 'labels.txt', spans: 'spans.json' } as const;

export function writeLabels(dir: string, labels: LabelSet): void {
  const lines: string[] = [];
  const spans: Record<string, number[]> = {};
  for (const [id, l] of labels) {
    lines.push([id, ...l.units].join(' '));
    if (l.spans) spans[id] = Array.from(l.spans);
  }
  writeFileAtomic(join(dir, LABEL_FILES.labels), lines.join('\n') + (lines.length ? '\n' : ''));
  writeJsonAtomic(join(dir, LABEL_FILES.spans), spans);
}

/** Labels written by writeLabels (spans when spans.json has them). */
export function readLabelsDir(dir: string, units: string[]): LabelSet {
  const labels = readLabelsFile(join(dir, LABEL_FILES.labels), units);
  const spansPath = join(dir, LABEL_FILES.spans);
  if (existsSync(spansPath)) {
    const spans = readJson<Record<string, number[]>>(spansPath);
    for (const [id, l] of labels) {
      const s = spans[id];
      if (s === undefined) continue;
      if (!Array.isArray(s) || s.length !== 2 * l.units.length) throw new ArtifactError(spansPath, `spans of '${id}' do not match its ${l.units.length} labels`);
      l.spans = Int32Array.from(s);
    }
  }
  return labels;
}

/**
 * A Kaldi-style label file ("utt-id p1 p2 …"); every token must be one of the
 * model's units, else an InputFileError names the file, the utterance and the token.
 */
export function readLabelsFile(path: string, units: string[]): LabelSet {
  const known = new Set(units);
  const out: LabelSet = new Map();
  for (const [id, tokens] of readTranscriptFile(path)) {
    const bad = tokens.find((t) => !known.has(t));
    if (bad !== undefined) throw new InputFileError(path, `utterance '${id}': '${bad}' is not one of the model's units (${units.join(' ')})`, 'unknown-unit');
    out.set(id, { units: tokens });
  }
  return out;
}

/** <SIL> removed (references carry none; scores and perplexities ignore it, as `score --ignore '<SIL>'`). */
export function withoutSilence(units: string[]): string[] {
  return units.filter((u) => u !== SIL);
}

/**
 * Reference phones with a share of them replaced by another random unit
 * (<SIL> never chosen), <SIL> added at both ends: a stand-in for pseudo-labels
 * of known quality, to show what self-training does with noisy labels.
 */
export function noisyLabels(refs: Map<string, string[]>, rate: number, units: string[], rng: Rng): LabelSet {
  const phones = units.filter((u) => u !== SIL);
  const out: LabelSet = new Map();
  for (const [id, ref] of refs) {
    const noisy = ref.map((p) => {
      if (rng.next() >= rate) return p;
      let q = phones[rng.int(phones.length)];
      while (q === p && phones.length > 1) q = phones[rng.int(phones.length)];
      return q;
    });
    out.set(id, { units: [SIL, ...noisy, SIL] });
  }
  return out;
}
