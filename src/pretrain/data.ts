/**
 * Pretraining data: every utterance of a prepare-audio folder as encoder input
 * steps, plus the cluster targets of each iteration.
 *
 * The encoder sees raw frames (frames/ of the folder) normalised per utterance
 * and stacked in pairs, whatever CMVN the folder itself chose: the same
 * function of the audio that feature extraction applies later
 * (src/pretrain/extract.ts), so the encoder is a function of the recording alone.
 */
import { join } from 'node:path';
import { cmvnUtterance, FeatureStoreReader } from '../features/index.js';
import { PREP_FILES, openPreparedAudio } from '../pipeline/prepare-audio.js';
import { assignClusters, fitKMeans, type KMeansModel } from '../segments/index.js';
import { ArtifactError } from '../util/errors.js';
import { concatRows, matrix, type Matrix } from '../util/matrix.js';
import { makeRng, shuffleInPlace, type Rng } from '../util/rng.js';
import type { FeatureConfig } from '../features/index.js';
import { stackFrames } from './encoder.js';

export interface PretrainUtterance {
  id: string;
  /** Encoder input: steps × (stack · frame dim). */
  x: Matrix;
}

export interface PretrainData {
  /** The 10 ms frame features the encoder expects (recorded in the model folder). */
  features: FeatureConfig;
  frameDim: number;
  utterances: PretrainUtterance[];
}

/** The encoder's input for one utterance's raw frames. */
export function encoderInput(raw: Matrix, stack: number): Matrix {
  return stackFrames(cmvnUtterance(raw, { variance: true }), stack);
}

export function loadPretrainData(prepDir: string, stack: number, minSteps = 3): PretrainData {
  const prep = openPreparedAudio(prepDir);
  const f = prep.config.features;
  const source = prep.config.source ?? 'audio';
  if (source !== 'audio' || (f.kind !== 'mfcc' && f.kind !== 'logmel'))
    throw new ArtifactError(prepDir, `pretraining reads MFCC or log-mel frames computed from audio; this folder holds ${source === 'audio' ? `'${f.kind}'` : 'imported'} features (prepare the recordings with --features mfcc or logmel)`);
  const store = new FeatureStoreReader(join(prepDir, PREP_FILES.frames));
  const utterances: PretrainUtterance[] = [];
  for (const u of prep.utterances) {
    const x = encoderInput(store.get(u.id), stack);
    if (x.rows >= minSteps) utterances.push({ id: u.id, x });
  }
  if (utterances.length === 0) throw new ArtifactError(prepDir, `no utterance has at least ${minSteps} encoder steps`);
  return { features: f, frameDim: store.dim, utterances };
}

/**
 * Batches of utterance indices of similar length, each at most `batchSteps`
 * padded steps (B · longest), in a seeded random order.
 */
export function lengthBatches(lengths: number[], batchSteps: number, rng: Rng): number[][] {
  const order = shuffleInPlace(lengths.map((_, i) => i), rng).sort((a, b) => lengths[a] - lengths[b]);
  const batches: number[][] = [];
  let cur: number[] = [];
  for (const i of order) {
    // Sorted ascending, so the newest utterance is the batch's longest.
    if (cur.length > 0 && (cur.length + 1) * lengths[i] > batchSteps) {
      batches.push(cur);
      cur = [];
    }
    cur.push(i);
  }
  if (cur.length > 0) batches.push(cur);
  return shuffleInPlace(batches, rng);
}

/** k-means on (a seeded sample of at most maxRows of) the given per-utterance features, then every step's cluster. */
export function clusterTargets(feats: Matrix[], k: number, seed: number, maxRows = 200_000): { model: KMeansModel; targets: Int32Array[] } {
  const total = feats.reduce((s, m) => s + m.rows, 0);
  const sample = sampleRows(feats, total, maxRows, seed);
  const big = sample.rows > 50_000;
  const model = fitKMeans(sample, { k, seed, ...(big ? { miniBatch: { batchSize: 10_000, iters: 200 } } : { maxIters: 30 }) });
  return { model, targets: feats.map((m) => assignClusters(model, m)) };
}

function sampleRows(feats: Matrix[], total: number, maxRows: number, seed: number): Matrix {
  if (total <= maxRows) return concatRows(feats);
  const rng = makeRng(seed);
  const keep = maxRows / total;
  const cols = feats[0].cols;
  const rows: Float32Array[] = [];
  for (const m of feats) for (let i = 0; i < m.rows; i++) if (rng.next() < keep) rows.push(m.data.subarray(i * cols, (i + 1) * cols));
  const out = matrix(rows.length, cols);
  rows.forEach((r, i) => out.data.set(r, i * cols));
  return out;
}
