/**
 * The text side of n-gram matching: the most frequent unit n-grams of the
 * text and their relative frequencies (over ALL n-gram positions, so the kept
 * table's mass is below 1 when rare n-grams are cut).
 */
import { tf } from '../backend/index.js';

export interface NgramTable {
  order: number;
  /** N × order unit ids, most frequent first. */
  grams: Int32Array;
  /** Relative frequency of each kept n-gram. */
  q: Float32Array;
}

export function ngramTable(sentences: Int32Array[], order: number, maxEntries: number): NgramTable {
  const counts = new Map<string, number>();
  let total = 0;
  for (const s of sentences)
    for (let i = 0; i + order <= s.length; i++) {
      const key = Array.from(s.subarray(i, i + order)).join(' ');
      counts.set(key, (counts.get(key) ?? 0) + 1);
      total++;
    }
  // Ties broken by the n-gram itself so the table does not depend on Map order.
  const kept = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxEntries);
  const grams = new Int32Array(kept.length * order);
  const q = new Float32Array(kept.length);
  kept.forEach(([key, c], i) => {
    key.split(' ').forEach((u, k) => (grams[i * order + k] = Number(u)));
    q[i] = c / Math.max(1, total);
  });
  return { order, grams, q };
}

/** One-hot [V, N] selector per position of the n-grams, and Q, as tensors for ngramMatchingLoss. */
export function ngramTensors(t: NgramTable, units: number): { selectors: tf.Tensor2D[]; q: tf.Tensor1D } {
  const N = t.q.length;
  const selectors: tf.Tensor2D[] = [];
  for (let k = 0; k < t.order; k++) {
    const m = new Float32Array(units * N);
    for (let i = 0; i < N; i++) m[t.grams[i * t.order + k] * N + i] = 1;
    selectors.push(tf.tensor2d(m, [units, N]));
  }
  return { selectors, q: tf.tensor1d(t.q) };
}
