/**
 * Training data for the adversarial stage: the audio side as per-utterance
 * input sequences for the generator, the text side as unit-id sentences.
 *
 * Two audio representations:
 *  - 'segments': wav2vec-U 1.0's k-means segments (PCA'd, run-merged), one
 *    generator step each;
 *  - 'frames': normalised frames stacked `stack` at a time (e.g. 100 Hz MFCC,
 *    stack 5 → 20 Hz steps), which brings the output rate near the phone rate
 *    when k-means runs are too short to be phone-like (MFCC: ~1.4 frames each);
 *  - 'change': segments cut at the strongest spectral changes, `rate` per
 *    second of speech, one step each (src/segments/change-points.ts).
 * Either way every step knows the frame span it covers (for timestamps) and
 * the k-means cluster of its middle frame (the auxiliary loss's target).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPreparedAudio, type PreparedAudio, type UtteranceInfo } from '../pipeline/prepare-audio.js';
import type { Matrix } from '../util/matrix.js';
import { DEFAULT_CHANGE_POINTS, changePointSpans, poolChangeSegments } from '../segments/index.js';
import { TEXT_FILES, type InventoryFile } from '../pipeline/prepare-text.js';
import { ArtifactError, UsageError } from '../util/errors.js';
import { readJson } from '../util/fsx.js';
import type { Rng } from '../util/rng.js';
import { shuffleInPlace } from '../util/rng.js';
import type { UtteranceLabels as SpannedLabels } from '../selftrain/labels.js';

export interface InputConfig {
  kind: 'segments' | 'frames' | 'change';
  /** Frames per step for kind 'frames'. */
  stack: number;
  /** Segments per second of speech for kind 'change' (spectral-change segmentation). */
  rate?: number;
}

export interface AudioExample {
  id: string;
  utterance: UtteranceInfo;
  /** steps × dim, row-major. */
  x: Float32Array;
  steps: number;
  /** [start, end) frame span of each step (2 × steps). */
  spans: Int32Array;
  /** k-means cluster of each step's middle frame. */
  clusters: Int32Array;
  /** The teacher's unit id for each step, -1 = none (decipherment's labels, or given labels). */
  teacher?: Int32Array;
}

/**
 * Teacher targets of one recording's steps from phone labels with frame spans (a
 * self-training round's output): each step gets the unit whose span overlaps its own
 * frames most, <SIL> included; a step that no label overlaps gets -1 (no target).
 */
export function stepTargets(e: AudioExample, labels: SpannedLabels, unitIndex: Map<string, number>): Int32Array {
  const spans = labels.spans;
  if (!spans) throw new Error(`stepTargets: the labels of '${e.id}' have no frame spans`);
  const out = new Int32Array(e.steps).fill(-1);
  let k = 0;
  for (let s = 0; s < e.steps; s++) {
    const a = e.spans[2 * s], b = e.spans[2 * s + 1];
    // Labels and steps both run forward in time: skip the labels that end before this step.
    while (k < labels.units.length && spans[2 * k + 1] <= a) k++;
    let best = 0;
    for (let j = k; j < labels.units.length && spans[2 * j] < b; j++) {
      const overlap = Math.min(b, spans[2 * j + 1]) - Math.max(a, spans[2 * j]);
      if (overlap > best) {
        best = overlap;
        out[s] = unitIndex.get(labels.units[j]) ?? -1;
      }
    }
  }
  return out;
}

export interface AudioData {
  dim: number;
  numClusters: number;
  examples: AudioExample[];
  prepared: PreparedAudio;
}

export function loadAudioData(prepDir: string, input: InputConfig, opts: { minSteps?: number } = {}): AudioData {
  if (input.kind === 'frames' && !(Number.isInteger(input.stack) && input.stack >= 1))
    throw new UsageError(`frame stacking must be a positive integer, got ${input.stack}`);
  const prepared = openPreparedAudio(prepDir);
  const minSteps = opts.minSteps ?? 3;
  const examples: AudioExample[] = [];
  for (const u of prepared.utterances) {
    const ex = preparedExample(input, prepared, u);
    if (ex.steps >= minSteps) examples.push(ex);
  }
  if (examples.length === 0) throw new ArtifactError(prepDir, `no utterance has at least ${minSteps} steps`);
  return { dim: examples[0].x.length / examples[0].steps, numClusters: prepared.numClusters, examples, prepared };
}

/** One prepared recording's generator input (training, validation and self-training's round 0 alike). */
export function preparedExample(input: InputConfig, prepared: PreparedAudio, u: UtteranceInfo): AudioExample {
  return input.kind === 'segments'
    ? makeExample(input, u, { clusters: prepared.clusters(u), segments: prepared.segments(u) })
    : makeExample(input, u, { clusters: prepared.clusters(u), frames: prepared.frames(u), rawFrames: prepared.rawFrames(u) });
}

/**
 * One recording's generator input from its prepared arrays (the same for
 * training data and for transcription): segments, or frames stacked.
 */
export function makeExample(
  input: InputConfig,
  utterance: UtteranceInfo,
  rec: { clusters: Int32Array; frames?: Matrix; rawFrames?: Matrix; segments?: { features: Matrix; spans: Int32Array } },
): AudioExample {
  if (input.kind === 'segments') {
    if (!rec.segments) throw new Error('makeExample: segments missing');
    const { features, spans } = rec.segments;
    const clusters = new Int32Array(features.rows);
    for (let i = 0; i < features.rows; i++) clusters[i] = rec.clusters[(spans[2 * i] + spans[2 * i + 1] - 1) >> 1];
    return { id: utterance.id, utterance, x: features.data, steps: features.rows, spans, clusters };
  }
  const f = rec.frames;
  if (!f) throw new Error('makeExample: frames missing');
  if (input.kind === 'change') {
    const cfg = { ...DEFAULT_CHANGE_POINTS, ratePerSec: input.rate ?? DEFAULT_CHANGE_POINTS.ratePerSec };
    // Cut where the frames *before* CMVN change: per-recording scaling flattens the energy
    // changes that mark phone boundaries (demo corpus: cluster purity 72 % vs 69 % of the segments).
    const spans = changePointSpans(rec.rawFrames ?? f, cfg);
    const seg = poolChangeSegments(f, spans, cfg.staticDims);
    const clusters = new Int32Array(seg.rows);
    for (let i = 0; i < seg.rows; i++) clusters[i] = rec.clusters[(spans[2 * i] + spans[2 * i + 1] - 1) >> 1];
    return { id: utterance.id, utterance, x: seg.data, steps: seg.rows, spans, clusters };
  }
  const stack = input.stack;
  const steps = Math.ceil(f.rows / stack);
  const D = f.cols;
  const x = new Float32Array(steps * stack * D);
  const spans = new Int32Array(2 * steps);
  const clusters = new Int32Array(steps);
  for (let s = 0; s < steps; s++) {
    const start = s * stack;
    const end = Math.min(f.rows, start + stack);
    for (let j = 0; j < stack; j++) {
      // The last step repeats the final frame to fill its stack.
      const fr = Math.min(start + j, f.rows - 1);
      x.set(f.data.subarray(fr * D, (fr + 1) * D), (s * stack + j) * D);
    }
    spans[2 * s] = start;
    spans[2 * s + 1] = end;
    clusters[s] = rec.clusters[(start + end - 1) >> 1];
  }
  return { id: utterance.id, utterance, x, steps, spans, clusters };
}

export interface TextData {
  /** Model output units (phones then <SIL>), as in inventory.json. */
  units: string[];
  sentences: Int32Array[];
}

/** phones.txt of a prepare-text folder → unit-id sentences (over `units`). */
export function loadTextData(textDir: string): TextData {
  const inv = readJson<InventoryFile>(join(textDir, TEXT_FILES.inventory));
  const index = new Map(inv.units.map((u, i) => [u, i]));
  const path = join(textDir, TEXT_FILES.phones);
  const sentences: Int32Array[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, n) => {
      const toks = line.split(' ').filter((t) => t.length > 0);
      if (toks.length === 0) return;
      sentences.push(
        Int32Array.from(toks, (t) => {
          const i = index.get(t);
          if (i === undefined) throw new ArtifactError(path, `line ${n + 1}: unit '${t}' is not in ${TEXT_FILES.inventory}`);
          return i;
        }),
      );
    });
  if (sentences.length === 0) throw new ArtifactError(path, 'no sentences');
  return { units: inv.units, sentences };
}

/**
 * Batches of utterance indices with similar lengths (little padding): sort by
 * length, cut into batches, shuffle the batch order. Deterministic for an rng.
 */
export function lengthGroupedBatches(lengths: number[], batchSize: number, rng: Rng): number[][] {
  const order = lengths.map((_, i) => i);
  // Shuffle first so equal lengths are not always batched together in the same way.
  shuffleInPlace(order, rng);
  order.sort((a, b) => lengths[a] - lengths[b]);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return shuffleInPlace(batches, rng);
}

/** Pad a batch of examples into [B, T, D] with a [B, T] mask and cluster targets (−1 past the end). */
export function padAudioBatch(
  examples: AudioExample[],
  dim: number,
  maxSteps?: number,
): { x: Float32Array; mask: Float32Array; clusters: Int32Array; teacher: Int32Array; lengths: number[]; T: number } {
  const lengths = examples.map((e) => Math.min(e.steps, maxSteps ?? Infinity));
  const T = Math.max(...lengths);
  const B = examples.length;
  const x = new Float32Array(B * T * dim);
  const mask = new Float32Array(B * T);
  const clusters = new Int32Array(B * T).fill(-1);
  const teacher = new Int32Array(B * T).fill(-1);
  examples.forEach((e, b) => {
    const n = lengths[b];
    x.set(e.x.subarray(0, n * dim), b * T * dim);
    mask.fill(1, b * T, b * T + n);
    clusters.set(e.clusters.subarray(0, n), b * T);
    if (e.teacher) teacher.set(e.teacher.subarray(0, n), b * T);
  });
  return { x, mask, clusters, teacher, lengths, T };
}
