/**
 * Context splicing (Kaldi splice-feats): row t becomes
 * [x_{t-left}, …, x_t, …, x_{t+right}], indices clamped so edge frames are
 * replicated and the number of rows is unchanged.
 */
import type { Matrix } from '../util/matrix.js';
import { matrix } from '../util/matrix.js';

export function splice(m: Matrix, left: number, right: number): Matrix {
  if (!Number.isInteger(left) || !Number.isInteger(right) || left < 0 || right < 0)
    throw new Error(`splice context must be non-negative integers, got left=${left} right=${right}`);
  const { rows, cols, data } = m;
  const width = (left + 1 + right) * cols;
  const out = new Float32Array(rows * width);
  for (let t = 0; t < rows; t++) {
    for (let k = -left; k <= right; k++) {
      const src = Math.min(Math.max(t + k, 0), rows - 1) * cols;
      out.set(data.subarray(src, src + cols), t * width + (k + left) * cols);
    }
  }
  return matrix(rows, width, out);
}
