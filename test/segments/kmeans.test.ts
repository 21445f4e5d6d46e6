import { describe, it, expect } from 'vitest';
import { fitKMeans, assignClusters } from '../../src/segments/index.js';
import { FieldphoneError, UsageError } from '../../src/util/errors.js';
import { matrix, type Matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';

/** `perBlob` points around each centre with isotropic noise `sigma`; returns the data and each point's blob. */
function blobs(centres: number[][], perBlob: number, sigma: number, seed: number): { data: Matrix; truth: Int32Array } {
  const rng = makeRng(seed);
  const d = centres[0].length;
  const n = centres.length * perBlob;
  const data = matrix(n, d);
  const truth = new Int32Array(n);
  // Interleave blobs so no code path can rely on the input order.
  for (let i = 0; i < n; i++) {
    const b = i % centres.length;
    truth[i] = b;
    for (let j = 0; j < d; j++) data.data[i * d + j] = centres[b][j] + sigma * rng.normal();
  }
  return { data, truth };
}

/** Random centres in [-10, 10]^d, redrawn until every pair is at least `minGap` apart. */
function separatedCentres(count: number, d: number, minGap: number, seed: number): number[][] {
  const rng = makeRng(seed);
  const out: number[][] = [];
  while (out.length < count) {
    const c = Array.from({ length: d }, () => 20 * rng.next() - 10);
    if (out.every((o) => Math.hypot(...o.map((v, j) => v - c[j])) >= minGap)) out.push(c);
  }
  return out;
}

/** Brute-force inertia: sum over rows of the squared distance to the nearest centroid. */
function referenceInertia(data: Matrix, cents: Matrix): number {
  let total = 0;
  for (let i = 0; i < data.rows; i++) {
    let best = Infinity;
    for (let c = 0; c < cents.rows; c++) {
      let s = 0;
      for (let j = 0; j < data.cols; j++) s += (data.data[i * data.cols + j] - cents.data[c * cents.cols + j]) ** 2;
      best = Math.min(best, s);
    }
    total += best;
  }
  return total;
}

describe('fitKMeans', () => {
  it('recovers 5 well-separated Gaussian blobs in 8-D and assigns their points', () => {
    const centres = separatedCentres(5, 8, 8, 11);
    const { data, truth } = blobs(centres, 400, 0.5, 12);
    const fit = fitKMeans(data, { k: 5, seed: 3, restarts: 3 });
    expect(fit.k).toBe(5);
    expect(fit.dim).toBe(8);
    // Match each true centre to its nearest fitted centroid; the match must be a permutation.
    const match = centres.map((c) => {
      let best = -1, bestD = Infinity;
      for (let f = 0; f < 5; f++) {
        const dist = Math.hypot(...c.map((v, j) => v - fit.centroids.data[f * 8 + j]));
        if (dist < bestD) { bestD = dist; best = f; }
      }
      // The mean of 400 points with sigma 0.5 in 8-D is off by ~0.07; allow 0.2.
      expect(bestD).toBeLessThan(0.2);
      return best;
    });
    expect(new Set(match).size).toBe(5);
    const labels = assignClusters(fit, data);
    let correct = 0;
    for (let i = 0; i < data.rows; i++) if (labels[i] === match[truth[i]]) correct++;
    expect(correct / data.rows).toBeGreaterThanOrEqual(0.99);
    expect(fit.inertia).toBeCloseTo(referenceInertia(data, fit.centroids), 3);
  });

  it('never increases the inertia across Lloyd iterations, and reports it correctly', () => {
    const rng = makeRng(5);
    const data = matrix(3000, 4, Float32Array.from({ length: 12000 }, () => rng.next()));
    const seen: number[] = [];
    const fit = fitKMeans(data, { k: 19, seed: 1, maxIters: 40, tol: 0, onProgress: (_it, inertia) => seen.push(inertia) });
    expect(seen.length).toBeGreaterThan(5);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThanOrEqual(seen[i - 1] * (1 + 1e-12));
    expect(seen[seen.length - 1]).toBeLessThan(seen[0] * 0.95);
    expect(fit.inertia).toBe(seen[seen.length - 1]);
    expect(fit.inertia).toBeCloseTo(referenceInertia(data, fit.centroids), 6);
  });

  it('assigns each row to its nearest centroid', () => {
    const rng = makeRng(9);
    // An odd row count exercises the kernel's unpaired last row.
    const data = matrix(501, 3, Float32Array.from({ length: 1503 }, () => rng.normal()));
    const fit = fitKMeans(data, { k: 6, seed: 2 });
    const labels = assignClusters(fit, data);
    for (let i = 0; i < data.rows; i++) {
      const dist = (c: number) => [0, 1, 2].reduce((s, j) => s + (data.data[i * 3 + j] - fit.centroids.data[c * 3 + j]) ** 2, 0);
      for (let c = 0; c < 6; c++) expect(dist(labels[i])).toBeLessThanOrEqual(dist(c) + 1e-9);
    }
  });

  it('mini-batch k-means gets within a few % of full k-means inertia', () => {
    const centres = separatedCentres(30, 6, 3, 21);
    const { data } = blobs(centres, 1000, 1, 22);
    const full = fitKMeans(data, { k: 30, seed: 4, tol: 1e-6 });
    const mb = fitKMeans(data, { k: 30, seed: 4, miniBatch: { batchSize: 1000, iters: 150 } });
    expect(mb.iters).toBe(150);
    expect(mb.inertia).toBeCloseTo(referenceInertia(data, mb.centroids), 0);
    expect(mb.inertia).toBeLessThan(full.inertia * 1.03);
  });

  it('k-means++ with k = number of distinct points gives zero inertia', () => {
    const points = [[0, 0], [1, 0], [0, 1], [5, 5], [5, 6], [-3, 2], [2, -7]];
    const rng = makeRng(8);
    const rows = Array.from({ length: 20 * points.length }, (_, i) => points[i % points.length]);
    for (let i = rows.length - 1; i > 0; i--) { const j = rng.int(i + 1); [rows[i], rows[j]] = [rows[j], rows[i]]; }
    const data = matrix(rows.length, 2, Float32Array.from(rows.flat()));
    // maxIters 0: the seeding alone must pick every distinct point.
    const fit = fitKMeans(data, { k: points.length, seed: 6, maxIters: 0 });
    expect(fit.iters).toBe(0);
    expect(fit.inertia).toBe(0);
    const chosen = new Set(Array.from({ length: fit.k }, (_, c) => `${fit.centroids.data[2 * c]},${fit.centroids.data[2 * c + 1]}`));
    expect(chosen).toEqual(new Set(points.map((p) => `${p[0]},${p[1]}`)));
  });

  it('copes with more clusters than distinct points', () => {
    const data = matrix(9, 1, Float32Array.from([1, 1, 1, 4, 4, 4, 9, 9, 9]));
    const fit = fitKMeans(data, { k: 5, seed: 0 });
    expect(fit.inertia).toBe(0);
    expect(Array.from(fit.centroids.data).every((v) => [1, 4, 9].includes(v))).toBe(true);
  });

  it('re-seeds an empty cluster from the farthest point', () => {
    // Starting centroids 0, 10, 100: nothing is nearest to 100, and 4 is the
    // point farthest from its centroid (0, at squared distance 16), so it
    // becomes the third centroid and the fit ends with zero inertia.
    const data = matrix(7, 1, Float32Array.from([0, 10, 0, 4, 10, 0, 10]));
    const seen: number[] = [];
    const fit = fitKMeans(data, { k: 3, init: matrix(3, 1, Float32Array.from([0, 10, 100])), onProgress: (_i, x) => seen.push(x) });
    expect(seen).toEqual([16, 0]);
    expect(Array.from(fit.centroids.data)).toEqual([0, 10, 4]);
    expect(fit.inertia).toBe(0);
    expect(fit.iters).toBe(1);
  });

  it('starts from given centroids', () => {
    const { data } = blobs(separatedCentres(3, 2, 6, 41), 50, 0.3, 42);
    const first = fitKMeans(data, { k: 3, seed: 5, tol: 0 });
    // From a fixed point: one update that moves nothing, the same centroids in the same order.
    const again = fitKMeans(data, { k: 3, init: first.centroids });
    expect(again.iters).toBe(1);
    expect(again.centroids.data).toEqual(first.centroids.data);
    expect(again.inertia).toBeCloseTo(first.inertia, 9);
    const init = first.centroids;
    expect(() => fitKMeans(data, { k: 3, init, restarts: 2 })).toThrow(UsageError);
    expect(() => fitKMeans(data, { k: 2, init })).toThrow(/initial centroids are 3x2, expected 2x2/);
  });

  it('is deterministic given the seed', () => {
    const { data } = blobs(separatedCentres(8, 5, 2, 31), 200, 1.5, 32);
    const a = fitKMeans(data, { k: 8, seed: 77, restarts: 2 });
    const b = fitKMeans(data, { k: 8, seed: 77, restarts: 2 });
    expect(b.centroids.data).toEqual(a.centroids.data);
    expect(b.inertia).toBe(a.inertia);
    const m1 = fitKMeans(data, { k: 8, seed: 77, miniBatch: { batchSize: 100, iters: 20 } });
    const m2 = fitKMeans(data, { k: 8, seed: 77, miniBatch: { batchSize: 100, iters: 20 } });
    expect(m2.centroids.data).toEqual(m1.centroids.data);
  });

  it('refuses too few frames, bad options and non-finite values with clear errors', () => {
    const small = matrix(3, 2, Float32Array.from([0, 0, 1, 1, 2, 2]));
    expect(() => fitKMeans(small, { k: 4 })).toThrow(UsageError);
    expect(() => fitKMeans(small, { k: 4 })).toThrow(/3 frames cannot make 4 clusters/);
    expect(() => fitKMeans(small, { k: 0 })).toThrow(UsageError);
    expect(() => fitKMeans(small, { k: 2, restarts: 0 })).toThrow(UsageError);
    expect(() => fitKMeans(small, { k: 2, miniBatch: { batchSize: 0, iters: 3 } })).toThrow(UsageError);
    const withNaN = matrix(3, 2, Float32Array.from([0, 0, 1, NaN, 2, 2]));
    expect(() => fitKMeans(withNaN, { k: 2 })).toThrow(FieldphoneError);
    expect(() => fitKMeans(withNaN, { k: 2 })).toThrow(/frame 1 .*column 1/);
    const fit = fitKMeans(small, { k: 2 });
    expect(() => assignClusters(fit, matrix(1, 3))).toThrow(UsageError);
  });
});
