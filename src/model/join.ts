/**
 * The output JOIN of wav2vec-U (notes §4): collapse runs of equal argmax into
 * one step each. Training keeps the logits of one uniformly random position per
 * run ('sample'; beats averaging per the fairseq maintainers); evaluation takes
 * the run's mean ('mean'). Written as a product with a constant [B,T',T]
 * selection/averaging matrix so the gradient flows to the kept logits on every
 * backend (gather's gradient needs UnsortedSegmentSum, which wasm lacks).
 */
import { tf } from '../backend/index.js';
import './gradients.js';
import type { Rng } from '../util/rng.js';

export interface JoinResult {
  /** [B,T',V]; rows past lengths[b] are zero (softmax: uniform). */
  joined: tf.Tensor3D;
  /** Number of runs per sequence. */
  lengths: number[];
}

/** Runs [start, end) of equal values in ids[0..len). */
export function runsOf(ids: ArrayLike<number>, offset: number, len: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = 0;
  for (let t = 1; t <= len; t++) {
    if (t === len || ids[offset + t] !== ids[offset + start]) {
      runs.push([start, t]);
      start = t;
    }
  }
  return runs;
}

export function joinSegments(logits: tf.Tensor3D, lengths: number[], mode: 'sample' | 'mean', rng: Rng): JoinResult {
  const [B, T] = logits.shape;
  if (lengths.length !== B) throw new Error(`joinSegments: ${lengths.length} lengths for a batch of ${B}`);
  for (const len of lengths)
    if (!(Number.isInteger(len) && len >= 1 && len <= T)) throw new Error(`joinSegments: length ${len} outside 1..${T}`);
  const argmax = tf.tidy(() => tf.argMax(logits, 2));
  const ids = argmax.dataSync();
  argmax.dispose();
  const runs = lengths.map((len, b) => runsOf(ids, b * T, len));
  const Tj = Math.max(...runs.map((r) => r.length));
  const select = new Float32Array(B * Tj * T);
  runs.forEach((bRuns, b) =>
    bRuns.forEach(([start, end], i) => {
      const rowOffset = (b * Tj + i) * T;
      if (mode === 'mean') select.fill(1 / (end - start), rowOffset + start, rowOffset + end);
      else select[rowOffset + start + rng.int(end - start)] = 1;
    }),
  );
  const joined = tf.tidy(() => tf.matMul(tf.tensor3d(select, [B, Tj, T]), logits));
  return { joined: joined as tf.Tensor3D, lengths: runs.map((r) => r.length) };
}
