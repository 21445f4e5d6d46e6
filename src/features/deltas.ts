/**
 * Δ and ΔΔ by the HTK regression formula
 *   d_t = Σ_{n=1..N} n·(c_{t+n} - c_{t-n}) / (2·Σ_{n=1..N} n²),
 * frame indices clamped to the utterance (edge frames replicated). ΔΔ is the
 * same formula applied to Δ (HTK, and torchaudio's compute_deltas as used for
 * fairseq's MFCC targets; Kaldi's add-deltas differs only within 2N frames of
 * the edges).
 */
import type { Matrix } from '../util/matrix.js';
import { matrix } from '../util/matrix.js';

/** Regression deltas of every column (same shape as m). */
export function regressionDeltas(m: Matrix, window = 2): Matrix {
  if (!Number.isInteger(window) || window < 1) throw new Error(`delta window must be a positive integer, got ${window}`);
  const { rows, cols, data } = m;
  const out = new Float32Array(rows * cols);
  let denom = 0;
  for (let n = 1; n <= window; n++) denom += 2 * n * n;
  const acc = new Float64Array(cols);
  for (let t = 0; t < rows; t++) {
    acc.fill(0);
    for (let n = 1; n <= window; n++) {
      const ahead = Math.min(t + n, rows - 1) * cols;
      const behind = Math.max(t - n, 0) * cols;
      for (let c = 0; c < cols; c++) acc[c] += n * (data[ahead + c] - data[behind + c]);
    }
    for (let c = 0; c < cols; c++) out[t * cols + c] = acc[c] / denom;
  }
  return matrix(rows, cols, out);
}

/** [statics | Δ | ΔΔ] per row: rows × 3·cols. */
export function addDeltas(m: Matrix, window = 2): Matrix {
  const d1 = regressionDeltas(m, window);
  const d2 = regressionDeltas(d1, window);
  const { rows, cols } = m;
  const out = new Float32Array(rows * cols * 3);
  for (let t = 0; t < rows; t++) {
    const o = t * cols * 3, i = t * cols;
    out.set(m.data.subarray(i, i + cols), o);
    out.set(d1.data.subarray(i, i + cols), o + cols);
    out.set(d2.data.subarray(i, i + cols), o + 2 * cols);
  }
  return matrix(rows, 3 * cols, out);
}
