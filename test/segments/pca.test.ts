import { describe, it, expect } from 'vitest';
import { fitPca, applyPca, symmetricEigen } from '../../src/segments/index.js';
import { UsageError } from '../../src/util/errors.js';
import { matrix, type Matrix } from '../../src/util/matrix.js';
import { makeRng, type Rng } from '../../src/util/rng.js';

/** A random orthonormal basis of R^d (rows), by Gram–Schmidt on Gaussian vectors. */
function orthonormalBasis(d: number, rng: Rng): number[][] {
  const basis: number[][] = [];
  while (basis.length < d) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (const b of basis) {
      const dot = v.reduce((s, x, j) => s + x * b[j], 0);
      for (let j = 0; j < d; j++) v[j] -= dot * b[j];
    }
    const norm = Math.hypot(...v);
    basis.push(v.map((x) => x / norm));
  }
  return basis;
}

/** n samples of mean + Σ_i sqrt(var_i)·z_i·basis_i with z standard normal. */
function sampleFromBasis(basis: number[][], variances: number[], mean: number[], n: number, rng: Rng): Matrix {
  const d = mean.length;
  const m = matrix(n, d);
  for (let r = 0; r < n; r++) {
    const row = [...mean];
    variances.forEach((v, i) => {
      const z = Math.sqrt(v) * rng.normal();
      for (let j = 0; j < d; j++) row[j] += z * basis[i][j];
    });
    m.data.set(row, r * d);
  }
  return m;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

describe('symmetricEigen', () => {
  it('solves the hand-checkable 3x3 [[2,-1,0],[-1,2,-1],[0,-1,2]]', () => {
    // Eigenvalues 2+√2, 2, 2−√2 with eigenvectors (1,−√2,1)/2, (1,0,−1)/√2, (1,√2,1)/2.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, -1, 0, -1, 2, -1, 0, -1, 2]), 3);
    const r2 = Math.SQRT2;
    const expected = [[2 + r2, [0.5, -r2 / 2, 0.5]], [2, [1 / r2, 0, -1 / r2]], [2 - r2, [0.5, r2 / 2, 0.5]]] as const;
    expected.forEach(([value, vec], i) => {
      expect(values[i]).toBeCloseTo(value, 12);
      expect(Math.abs(dot(vectors.subarray(3 * i, 3 * i + 3), vec))).toBeCloseTo(1, 12);
    });
    // Sign convention: the largest-magnitude entry is positive (−√2/2 flips the first vector).
    expect(vectors[1]).toBeCloseTo(r2 / 2, 12);
  });

  it('diagonalises a random symmetric 120x120 matrix: A·v = λ·v, orthonormal, descending', () => {
    const n = 120;
    const rng = makeRng(4);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    let worstResidual = 0, worstOrtho = 0;
    for (let e = 0; e < n; e++) {
      const v = vectors.subarray(e * n, e * n + n);
      for (let i = 0; i < n; i++) {
        const av = dot(a.subarray(i * n, i * n + n), v);
        worstResidual = Math.max(worstResidual, Math.abs(av - values[e] * v[i]));
      }
      for (let f = 0; f <= e; f++) worstOrtho = Math.max(worstOrtho, Math.abs(dot(v, vectors.subarray(f * n, f * n + n)) - (e === f ? 1 : 0)));
    }
    expect(worstResidual).toBeLessThan(1e-10);
    expect(worstOrtho).toBeLessThan(1e-12);
    // The trace is the sum of the eigenvalues.
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i];
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 9);
  });

  it('handles repeated eigenvalues and already-diagonal input', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([3, 0, 0, 0, 7, 0, 0, 0, 3]), 3);
    expect(Array.from(values)).toEqual([7, 3, 3]);
    expect(Array.from(vectors.subarray(0, 3))).toEqual([0, 1, 0]);
  });
});

describe('fitPca / applyPca', () => {
  const d = 6;
  const variances = [16, 9, 4, 1, 0.25, 0.04];
  const mean = [5, -3, 0.5, 100, 0, -20];
  const basis = orthonormalBasis(d, makeRng(1));
  const data = sampleFromBasis(basis, variances, mean, 20000, makeRng(2));

  it('recovers the variances and axes of data built from a known orthonormal basis', () => {
    const p = fitPca(data, d);
    expect(p.dim).toBe(d);
    expect(p.inputDim).toBe(d);
    variances.forEach((v, i) => {
      // Sample variance from 20000 draws is within ~1% (sd √(2/n)); allow 4%.
      expect(Math.abs(p.explainedVariance[i] - v) / v).toBeLessThan(0.04);
      expect(Math.abs(dot(p.components.data.subarray(i * d, i * d + d), basis[i]))).toBeGreaterThan(0.999);
    });
    mean.forEach((m, j) => expect(p.mean[j]).toBeCloseTo(m, 1));
  });

  it('projects onto the top axes: centred, uncorrelated, with the fitted variances', () => {
    const p = fitPca(data, 3);
    const y = applyPca(p, data);
    expect([y.rows, y.cols]).toEqual([data.rows, 3]);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b <= a; b++) {
        let s = 0, ma = 0;
        for (let r = 0; r < y.rows; r++) {
          s += y.data[r * 3 + a] * y.data[r * 3 + b];
          ma += y.data[r * 3 + a];
        }
        expect(Math.abs(ma / y.rows)).toBeLessThan(1e-3);
        const cov = s / (y.rows - 1);
        if (a === b) expect(cov / p.explainedVariance[a]).toBeCloseTo(1, 4);
        else expect(Math.abs(cov)).toBeLessThan(1e-3);
      }
    }
  });

  it('reconstructs the data exactly (to float32 rounding) when all dims are kept', () => {
    const p = fitPca(data, d);
    const y = applyPca(p, data);
    let worst = 0;
    for (let r = 0; r < data.rows; r++) {
      for (let j = 0; j < d; j++) {
        let x = p.mean[j];
        for (let c = 0; c < d; c++) x += y.data[r * d + c] * p.components.data[c * d + j];
        worst = Math.max(worst, Math.abs(x - data.data[r * d + j]));
      }
    }
    // Values reach ~110; float32 keeps ~7 digits.
    expect(worst).toBeLessThan(1e-4);
  });

  it('refuses impossible dimensions and mismatched frames', () => {
    expect(() => fitPca(data, 7)).toThrow(UsageError);
    expect(() => fitPca(data, 0)).toThrow(UsageError);
    expect(() => fitPca(matrix(1, 6), 2)).toThrow(UsageError);
    expect(() => applyPca(fitPca(data, 2), matrix(4, 5))).toThrow(UsageError);
  });
});
