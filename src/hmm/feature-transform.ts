/**
 * What the HMM sees of a recording's normalised frames: the frames as they
 * are (MFCC + Δ + ΔΔ), or ±`splice` frames of context stacked and projected
 * by LDA (Kaldi's "LDA" stage: classes = HMM states from an alignment,
 * output dimensions with unit within-class variance).
 *
 * LDA solves Sb v = λ Sw v by whitening: Sw = U Λ Uᵀ, W = U Λ^{-1/2}, then
 * the eigenvectors V of Wᵀ Sb W; the projection is (W V)ᵀ, top `dim` rows.
 * Within-class scatter on wide spliced frames is costly (D² per frame), so
 * it is estimated on an even subsample of at most `maxFrames` frames.
 */
import { splice } from '../features/splice.js';
import { symmetricEigen } from '../segments/symmetric-eigen.js';
import { matrix, type Matrix } from '../util/matrix.js';

export interface FeatureTransform {
  /** Dimension of the normalised frames going in. */
  inputDim: number;
  /** Frames of context on each side (0 = none). */
  splice: number;
  /** LDA projection, dim × (inputDim · (2·splice + 1)), row-major; absent = spliced frames as they are. */
  lda?: { dim: number; matrix: Float64Array };
}

export function identityTransform(inputDim: number): FeatureTransform {
  return { inputDim, splice: 0 };
}

export function outputDim(t: FeatureTransform): number {
  return t.lda ? t.lda.dim : t.inputDim * (2 * t.splice + 1);
}

export function applyTransform(t: FeatureTransform, x: Matrix): Matrix {
  if (x.cols !== t.inputDim) throw new Error(`feature transform expects ${t.inputDim}-dimensional frames, got ${x.cols}`);
  const s = t.splice > 0 ? splice(x, t.splice, t.splice) : x;
  if (!t.lda) return s;
  const { dim, matrix: P } = t.lda;
  const D = s.cols;
  const out = new Float32Array(s.rows * dim);
  for (let r = 0; r < s.rows; r++) {
    const xo = r * D;
    for (let k = 0; k < dim; k++) {
      let v = 0;
      const po = k * D;
      for (let d = 0; d < D; d++) v += P[po + d] * s.data[xo + d];
      out[r * dim + k] = v;
    }
  }
  return matrix(s.rows, dim, out);
}

/** Frames per block of the scatter accumulation. */
const SCATTER_BLOCK = 64;

/**
 * LDA from un-spliced frames and their class ids (one per frame): each
 * utterance is spliced here, and only the sampled rows are used, so the wide
 * spliced frames of the whole corpus never sit in memory at once. Classes
 * with no frames are ignored; `dim` is capped at the spliced dimension.
 */
export function estimateLda(frames: Matrix[], classes: Int32Array[], numClasses: number, o: { splice: number; dim: number; maxFrames?: number }): Float64Array {
  const total = frames.reduce((n, m) => n + m.rows, 0);
  const step = Math.max(1, Math.ceil(total / (o.maxFrames ?? 100_000)));
  const D = frames[0].cols * (2 * o.splice + 1);
  const count = new Float64Array(numClasses);
  const classSum = new Float64Array(numClasses * D);
  const scatter = new Float64Array(D * D); // Σ x xᵀ (lower triangle)
  // Sampled frames are gathered in blocks, stored dimension-major, so that each pass over the
  // D² scatter adds a whole block: the scatter is too large for the cache to revisit per frame.
  const block = new Float64Array(SCATTER_BLOCK * D);
  let inBlock = 0;
  const flush = () => {
    addBlockScatter(scatter, block, inBlock, D);
    inBlock = 0;
  };
  let seen = 0;
  frames.forEach((base, u) => {
    const m = o.splice > 0 ? splice(base, o.splice, o.splice) : base;
    for (let r = 0; r < m.rows; r++, seen++) {
      if (seen % step !== 0) continue;
      const c = classes[u][r];
      count[c]++;
      for (let i = 0; i < D; i++) {
        const xi = m.data[r * D + i];
        classSum[c * D + i] += xi;
        block[i * SCATTER_BLOCK + inBlock] = xi;
      }
      if (++inBlock === SCATTER_BLOCK) flush();
    }
  });
  flush();
  return ldaFromScatter(count, classSum, scatter, D, o.dim);
}

/** scatter (lower triangle) += Σ_b x_b x_bᵀ over the first `n` frames of a dimension-major block. */
function addBlockScatter(scatter: Float64Array, block: Float64Array, n: number, D: number): void {
  const B = SCATTER_BLOCK;
  for (let i = 0; i < D; i++) {
    const bi = i * B, row = i * D;
    let j = 0;
    // Four columns at a time: each x_i is loaded once for four products.
    for (; j + 3 <= i; j += 4) {
      const b0 = j * B, b1 = b0 + B, b2 = b1 + B, b3 = b2 + B;
      let v0 = 0, v1 = 0, v2 = 0, v3 = 0;
      for (let b = 0; b < n; b++) {
        const x = block[bi + b];
        v0 += x * block[b0 + b];
        v1 += x * block[b1 + b];
        v2 += x * block[b2 + b];
        v3 += x * block[b3 + b];
      }
      scatter[row + j] += v0;
      scatter[row + j + 1] += v1;
      scatter[row + j + 2] += v2;
      scatter[row + j + 3] += v3;
    }
    for (; j <= i; j++) {
      const bj = j * B;
      let v = 0;
      for (let b = 0; b < n; b++) v += block[bi + b] * block[bj + b];
      scatter[row + j] += v;
    }
  }
}

/** The projection from class counts, class sums and the (lower-triangle) scatter Σ x xᵀ. */
export function ldaFromScatter(count: Float64Array, classSum: Float64Array, scatter: Float64Array, D: number, dim: number): Float64Array {
  const numClasses = count.length;
  let n = 0;
  const mean = new Float64Array(D);
  for (let c = 0; c < numClasses; c++) {
    n += count[c];
    for (let i = 0; i < D; i++) mean[i] += classSum[c * D + i];
  }
  for (let i = 0; i < D; i++) mean[i] /= n;
  // Sw = Σ x xᵀ − Σ_c n_c μ_c μ_cᵀ;  Sb = Σ_c n_c μ_c μ_cᵀ − n μ μᵀ.
  const between = new Float64Array(D * D);
  for (let c = 0; c < numClasses; c++) {
    if (count[c] === 0) continue;
    for (let i = 0; i < D; i++) {
      const mi = classSum[c * D + i] / count[c];
      for (let j = 0; j <= i; j++) between[i * D + j] += count[c] * mi * (classSum[c * D + j] / count[c]);
    }
  }
  const within = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let j = 0; j <= i; j++) {
      within[i * D + j] = (scatter[i * D + j] - between[i * D + j]) / n;
      between[i * D + j] = (between[i * D + j] - n * mean[i] * mean[j]) / n;
    }
  const w = symmetricEigen(within, D);
  // Whitening W = U Λ^{-1/2}; directions with (numerically) no within-class variance are floored.
  const floor = Math.max(w.values[0] * 1e-8, 1e-12);
  const W = new Float64Array(D * D); // column k = u_k / sqrt(λ_k)
  for (let k = 0; k < D; k++) {
    const s = 1 / Math.sqrt(Math.max(w.values[k], floor));
    for (let i = 0; i < D; i++) W[i * D + k] = w.vectors[k * D + i] * s;
  }
  // B' = Wᵀ Sb W.
  const Sb = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j <= i; j++) Sb[i * D + j] = Sb[j * D + i] = between[i * D + j];
  const SbW = new Float64Array(D * D);
  for (let i = 0; i < D; i++)
    for (let k = 0; k < D; k++) {
      let v = 0;
      for (let j = 0; j < D; j++) v += Sb[i * D + j] * W[j * D + k];
      SbW[i * D + k] = v;
    }
  const Bp = new Float64Array(D * D);
  for (let a = 0; a < D; a++)
    for (let b = 0; b <= a; b++) {
      let v = 0;
      for (let i = 0; i < D; i++) v += W[i * D + a] * SbW[i * D + b];
      Bp[a * D + b] = v;
    }
  const e = symmetricEigen(Bp, D);
  const out = Math.min(dim, D);
  const P = new Float64Array(out * D);
  for (let k = 0; k < out; k++)
    for (let i = 0; i < D; i++) {
      let v = 0;
      for (let a = 0; a < D; a++) v += W[i * D + a] * e.vectors[k * D + a];
      P[k * D + i] = v;
    }
  return P;
}
