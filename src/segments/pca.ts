/**
 * PCA as wav2vec-U 1.0 uses it (FAISS PCAMatrix, no whitening): project
 * centred frames onto the top principal axes, y = (x − mean)·Aᵀ.
 */
import { UsageError } from '../util/errors.js';
import { matrix, type Matrix } from '../util/matrix.js';
import { assertFinite } from './finite-check.js';
import { symmetricEigen } from './symmetric-eigen.js';

export interface PcaModel {
  dim: number;
  inputDim: number;
  mean: Float32Array;
  /** dim × inputDim; rows are the principal axes (unit length), largest variance first. */
  components: Matrix;
  /** Variance of the data along each axis (unbiased, n − 1), same order. */
  explainedVariance: Float32Array;
}

/** Rows folded into the covariance per block: turns d² rank-1 updates into fewer, cache-friendly dot products. */
const COV_BLOCK = 64;

export function fitPca(data: Matrix, dim: number): PcaModel {
  const { rows: n, cols: d, data: x } = data;
  if (!Number.isInteger(dim) || dim < 1 || dim > d) {
    throw new UsageError(`PCA: the output dimension must be an integer from 1 to the input dimension ${d} (got ${dim})`);
  }
  if (n < 2) throw new UsageError(`PCA needs at least 2 frames (got ${n})`);
  assertFinite(data, 'PCA');

  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;

  const cov = covariance(x, n, d, mean);
  const eig = symmetricEigen(cov, d);
  const components = new Float32Array(dim * d);
  const explainedVariance = new Float32Array(dim);
  for (let c = 0; c < dim; c++) {
    for (let j = 0; j < d; j++) components[c * d + j] = eig.vectors[c * d + j];
    // Rank-deficient data gives eigenvalues of about −1e-16 instead of 0.
    explainedVariance[c] = Math.max(0, eig.values[c]);
  }
  return { dim, inputDim: d, mean: Float32Array.from(mean), components: matrix(dim, d, components), explainedVariance };
}

/** Unbiased covariance of the rows of x (n × d) about `mean`, full symmetric d × d in float64. */
function covariance(x: Float32Array, n: number, d: number, mean: Float64Array): Float64Array {
  const cov = new Float64Array(d * d);
  // Centred block stored column-major (d × B) so each (i, j) entry is one contiguous dot product.
  const block = new Float64Array(d * COV_BLOCK);
  for (let start = 0; start < n; start += COV_BLOCK) {
    const b = Math.min(COV_BLOCK, n - start);
    for (let r = 0; r < b; r++) {
      const xo = (start + r) * d;
      for (let j = 0; j < d; j++) block[j * COV_BLOCK + r] = x[xo + j] - mean[j];
    }
    for (let i = 0; i < d; i++) {
      const io = i * COV_BLOCK;
      for (let j = 0; j <= i; j++) {
        const jo = j * COV_BLOCK;
        let s = 0;
        for (let r = 0; r < b; r++) s += block[io + r] * block[jo + r];
        cov[i * d + j] += s;
      }
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const v = cov[i * d + j] / (n - 1);
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  }
  return cov;
}

export function applyPca(p: PcaModel, m: Matrix): Matrix {
  if (m.cols !== p.inputDim) throw new UsageError(`cannot apply a PCA for ${p.inputDim}-dimensional frames to ${m.cols}-dimensional frames`);
  const { rows: n, cols: d, data: x } = m;
  const a = p.components.data;
  const out = new Float32Array(n * p.dim);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) centred[j] = x[i * d + j] - p.mean[j];
    for (let c = 0; c < p.dim; c++) {
      const ao = c * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += centred[j] * a[ao + j];
      out[i * p.dim + c] = s;
    }
  }
  return matrix(n, p.dim, out);
}
