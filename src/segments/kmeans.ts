/**
 * k-means for frame clustering (wav2vec-U 1.0 segmentation: a boundary falls
 * wherever a frame's nearest centroid changes).
 *
 * k-means++ seeding, then either full Lloyd iterations or, for large inputs,
 * Sculley's (2010) mini-batch k-means with per-centre learning rates.
 * Everything random comes from one seeded generator, so a fit is reproducible.
 */
import { UsageError } from '../util/errors.js';
import { matrix, type Matrix } from '../util/matrix.js';
import { makeRng, type Rng } from '../util/rng.js';
import { assertFinite } from './finite-check.js';
import { assignNearest, rowSquaredNorms } from './nearest-centroid.js';

export interface KMeansModel {
  k: number;
  dim: number;
  /** k × dim. */
  centroids: Matrix;
}

export interface KMeansOptions {
  k: number;
  seed: number;
  /** Most Lloyd update steps per restart. */
  maxIters: number;
  /** Stop when one Lloyd step lowers the inertia by less than this fraction of it. */
  tol: number;
  /** Independent seedings; the fit with the lowest inertia is kept. */
  restarts: number;
  /** Use mini-batch k-means: `iters` batches of `batchSize` rows drawn with replacement. */
  miniBatch?: { batchSize: number; iters: number };
  /** Start from these centroids (k × dim) instead of k-means++, e.g. to refit on more audio and keep the cluster IDs stable. */
  init?: Matrix;
  /**
   * Called after each assignment pass with its inertia. Lloyd: iter 0 is the
   * seeds' assignment. Mini-batch: iter counts batches from 1, and the inertia
   * is the batch's, scaled up to the whole data.
   */
  onProgress?: (iter: number, inertia: number) => void;
}

export interface KMeansFit extends KMeansModel {
  /** Sum over all rows of the squared distance to the nearest centroid. */
  inertia: number;
  /** Update steps (Lloyd) or batches (mini-batch) run by the kept restart. */
  iters: number;
}

const DEFAULTS = { seed: 0, maxIters: 50, tol: 1e-4, restarts: 1 };

/**
 * k-means++ seeds from a random sample of at most this many rows per cluster
 * (FAISS's cap for its whole fit). Seeding makes k passes over its rows, so
 * on all of a large input it would cost more than several Lloyd iterations.
 */
const SEED_ROWS_PER_CLUSTER = 256;

export function fitKMeans(data: Matrix, opts: Partial<KMeansOptions> & { k: number }): KMeansFit {
  const o = { ...DEFAULTS, ...opts };
  validate(data, o);
  const rng = makeRng(o.seed);
  let best: KMeansFit | undefined;
  const seedRows = Math.min(data.rows, Math.max(SEED_ROWS_PER_CLUSTER * o.k, o.miniBatch ? 3 * o.miniBatch.batchSize : 0));
  for (let r = 0; r < o.restarts; r++) {
    const seeds = o.init ? Float64Array.from(o.init.data) : kMeansPlusPlus(sampleRows(data.data, data.rows, data.cols, seedRows, rng), seedRows, data.cols, o.k, rng);
    const fit = o.miniBatch ? miniBatchKMeans(data, seeds, o.k, o.miniBatch, rng, o.onProgress) : lloyd(data, seeds, o.k, o.maxIters, o.tol, o.onProgress);
    if (!best || fit.inertia < best.inertia) best = fit;
  }
  return best!;
}

/** The nearest centroid of each row of `m`. */
export function assignClusters(km: KMeansModel, m: Matrix): Int32Array {
  if (m.cols !== km.dim) throw new UsageError(`cannot assign ${m.cols}-dimensional frames to a ${km.dim}-dimensional k-means model`);
  const cents = Float64Array.from(km.centroids.data);
  const norms = new Float64Array(km.k);
  rowSquaredNorms(cents, km.k, km.dim, norms);
  const labels = new Int32Array(m.rows);
  assignNearest(m.data, m.cols, 0, m.rows, cents, norms, km.k, labels, new Float64Array(m.rows));
  return labels;
}

function validate(data: Matrix, o: typeof DEFAULTS & Partial<KMeansOptions> & { k: number }): void {
  const isPosInt = (v: number) => Number.isInteger(v) && v >= 1;
  if (!isPosInt(o.k)) throw new UsageError(`k-means: the number of clusters must be a positive integer (got ${o.k})`);
  if (!isPosInt(o.restarts)) throw new UsageError(`k-means: restarts must be a positive integer (got ${o.restarts})`);
  if (!Number.isInteger(o.maxIters) || o.maxIters < 0) throw new UsageError(`k-means: maxIters must be a non-negative integer (got ${o.maxIters})`);
  if (!(o.tol >= 0)) throw new UsageError(`k-means: tol must be >= 0 (got ${o.tol})`);
  if (o.miniBatch && !(isPosInt(o.miniBatch.batchSize) && isPosInt(o.miniBatch.iters))) {
    throw new UsageError(`k-means: mini-batch size and iterations must be positive integers (got ${o.miniBatch.batchSize}, ${o.miniBatch.iters})`);
  }
  if (data.cols < 1) throw new UsageError('k-means: the frames have no dimensions');
  if (data.rows < o.k) {
    throw new UsageError(`k-means: ${data.rows} frames cannot make ${o.k} clusters; use more audio or fewer clusters`);
  }
  assertFinite(data, 'k-means');
  if (o.init) {
    if (o.init.rows !== o.k || o.init.cols !== data.cols) {
      throw new UsageError(`k-means: initial centroids are ${o.init.rows}x${o.init.cols}, expected ${o.k}x${data.cols}`);
    }
    if (o.restarts > 1) throw new UsageError('k-means: restarts from the same initial centroids would repeat one fit; use restarts 1');
    assertFinite(o.init, 'k-means', 'initial centroid');
  }
}

/**
 * k-means++ (Arthur & Vassilvitskii 2007) on rows [0, n) of `x`: each new
 * centre is a row drawn with probability proportional to its squared distance
 * from the nearest centre so far. Rows identical to a chosen centre have
 * weight 0, so with k distinct rows every one is chosen.
 */
function kMeansPlusPlus(x: Float32Array, n: number, d: number, k: number, rng: Rng): Float64Array {
  const cents = new Float64Array(k * d);
  const minDist = new Float64Array(n).fill(Infinity);
  let chosen = rng.int(n);
  for (let c = 0; c < k; c++) {
    const co = c * d;
    for (let j = 0; j < d; j++) cents[co + j] = x[chosen * d + j];
    if (c === k - 1) break;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const xo = i * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const diff = x[xo + j] - cents[co + j];
        s += diff * diff;
      }
      if (s < minDist[i]) minDist[i] = s;
      total += minDist[i];
    }
    if (total > 0) {
      const target = rng.next() * total;
      let acc = 0;
      // The last row with weight, in case rounding leaves acc just short of target.
      chosen = -1;
      for (let i = 0; i < n; i++) {
        if (minDist[i] === 0) continue;
        chosen = i;
        acc += minDist[i];
        if (acc > target) break;
      }
    } else {
      chosen = rng.int(n); // fewer distinct rows than k: duplicates are unavoidable
    }
  }
  return cents;
}

/** Lloyd iterations from `cents` (k × d, updated in place). */
function lloyd(data: Matrix, cents: Float64Array, k: number, maxIters: number, tol: number, onProgress?: (iter: number, inertia: number) => void): KMeansFit {
  const { data: x, rows: n, cols: d } = data;
  const norms = new Float64Array(k);
  const labels = new Int32Array(n);
  const dists = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  let prev = 0;
  let iter = 0;
  for (;;) {
    rowSquaredNorms(cents, k, d, norms);
    const inertia = assignNearest(x, d, 0, n, cents, norms, k, labels, dists);
    onProgress?.(iter, inertia);
    accumulate(x, d, n, labels, sums, counts);
    const empties = reseedEmpty(x, d, n, labels, dists, k, sums, counts);
    const converged = inertia === 0 || (iter > 0 && prev - inertia <= tol * prev);
    if (iter === maxIters || (empties === 0 && converged)) {
      return { k, dim: d, centroids: matrix(k, d, Float32Array.from(cents)), inertia, iters: iter };
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // only when there are fewer distinct rows than k
      const inv = 1 / counts[c];
      for (let j = 0; j < d; j++) cents[c * d + j] = sums[c * d + j] * inv;
    }
    prev = inertia;
    iter++;
  }
}

function accumulate(x: Float32Array, d: number, n: number, labels: Int32Array, sums: Float64Array, counts: Int32Array): void {
  sums.fill(0);
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    counts[c]++;
    const so = c * d, xo = i * d;
    for (let j = 0; j < d; j++) sums[so + j] += x[xo + j];
  }
}

/**
 * Give each empty cluster the row currently farthest from its centroid (taken
 * only from clusters that keep at least one row), moving that row's
 * contribution in `sums`/`counts`. This never raises the inertia. Returns how
 * many clusters were re-seeded.
 */
function reseedEmpty(x: Float32Array, d: number, n: number, labels: Int32Array, dists: Float64Array, k: number, sums: Float64Array, counts: Int32Array): number {
  let reseeded = 0;
  for (let e = 0; e < k; e++) {
    if (counts[e] !== 0) continue;
    let far = -1;
    let farDist = 0;
    for (let i = 0; i < n; i++) {
      if (dists[i] > farDist && counts[labels[i]] > 1) { farDist = dists[i]; far = i; }
    }
    if (far < 0) break; // every row sits on its centroid: nothing to gain
    const from = labels[far];
    const xo = far * d;
    for (let j = 0; j < d; j++) {
      sums[from * d + j] -= x[xo + j];
      sums[e * d + j] = x[xo + j];
    }
    counts[from]--;
    counts[e] = 1;
    labels[far] = e;
    dists[far] = 0;
    reseeded++;
  }
  return reseeded;
}

/**
 * Sculley (2010) "Web-scale k-means clustering": per batch, assign every row
 * to its nearest centre first, then move each centre towards its rows with
 * step 1/(rows it has received so far), so early batches move centres far
 * and later ones only refine them. A centre that never wins a batch row
 * stays where seeding put it (a real row, so it is rarely useless).
 */
function miniBatchKMeans(data: Matrix, cents: Float64Array, k: number, mb: { batchSize: number; iters: number }, rng: Rng, onProgress?: (iter: number, inertia: number) => void): KMeansFit {
  const { data: x, rows: n, cols: d } = data;
  const norms = new Float64Array(k);
  const seen = new Float64Array(k);
  const b = mb.batchSize;
  const batch = new Float32Array(b * d);
  const labels = new Int32Array(b);
  const dists = new Float64Array(b);
  for (let it = 1; it <= mb.iters; it++) {
    for (let r = 0; r < b; r++) {
      const src = rng.int(n) * d;
      batch.set(x.subarray(src, src + d), r * d);
    }
    rowSquaredNorms(cents, k, d, norms);
    const batchInertia = assignNearest(batch, d, 0, b, cents, norms, k, labels, dists);
    for (let r = 0; r < b; r++) {
      const c = labels[r];
      const eta = 1 / ++seen[c];
      const co = c * d, bo = r * d;
      for (let j = 0; j < d; j++) cents[co + j] += eta * (batch[bo + j] - cents[co + j]);
    }
    onProgress?.(it, (batchInertia * n) / b);
  }
  rowSquaredNorms(cents, k, d, norms);
  const inertia = assignNearest(x, d, 0, n, cents, norms, k, new Int32Array(n), new Float64Array(n));
  return { k, dim: d, centroids: matrix(k, d, Float32Array.from(cents)), inertia, iters: mb.iters };
}

/** `m` rows drawn without replacement (partial Fisher–Yates on the row indices). */
function sampleRows(x: Float32Array, n: number, d: number, m: number, rng: Rng): Float32Array {
  if (m === n) return x;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const out = new Float32Array(m * d);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
    out.set(x.subarray(idx[i] * d, idx[i] * d + d), i * d);
  }
  return out;
}
