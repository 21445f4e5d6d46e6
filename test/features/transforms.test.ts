import { describe, it, expect } from 'vitest';
import { addDeltas, regressionDeltas, cmvnUtterance, accumulateCmvn, applyCmvn, splice } from '../../src/features/index.js';
import { matrix, concatRows, sliceRows, type Matrix } from '../../src/util/matrix.js';
import { FieldphoneError } from '../../src/util/errors.js';
import { makeRng } from '../../src/util/rng.js';

const at = (m: Matrix, r: number, c: number) => m.data[r * m.cols + c];

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = makeRng(seed);
  const m = matrix(rows, cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.data[r * cols + c] = 10 * c - 7 + (c + 1) * 3 * rng.normal();
  return m;
}

function columnStats(m: Matrix, c: number): { mean: number; variance: number } {
  let s = 0, s2 = 0;
  for (let r = 0; r < m.rows; r++) s += at(m, r, c);
  const mean = s / m.rows;
  for (let r = 0; r < m.rows; r++) s2 += (at(m, r, c) - mean) ** 2;
  return { mean, variance: s2 / m.rows };
}

describe('deltas', () => {
  // Two columns: slope 3 and slope -0.5.
  const T = 20;
  const ramp = matrix(T, 2, Float32Array.from({ length: 2 * T }, (_, i) => (i % 2 === 0 ? 3 * (i >> 1) + 1 : -0.5 * (i >> 1))));
  const d = addDeltas(ramp, 2);

  it('appends Δ and ΔΔ after the statics', () => {
    expect([d.rows, d.cols]).toEqual([T, 6]);
    for (let t = 0; t < T; t++) expect([at(d, t, 0), at(d, t, 1)]).toEqual([at(ramp, t, 0), at(ramp, t, 1)]);
  });
  it('Δ of a linear ramp equals its slope away from the edges, ΔΔ is 0', () => {
    for (let t = 2; t < T - 2; t++) {
      expect(at(d, t, 2)).toBeCloseTo(3, 5);
      expect(at(d, t, 3)).toBeCloseTo(-0.5, 5);
    }
    for (let t = 4; t < T - 4; t++) {
      expect(at(d, t, 4)).toBeCloseTo(0, 5);
      expect(at(d, t, 5)).toBeCloseTo(0, 5);
    }
  });
  it('replicates edge frames: Δ_0 = (1·(x1−x0) + 2·(x2−x0)) / 10', () => {
    // slope 3: (3 + 12) / 10 = 1.5; at t=1: (1·(x2−x0) + 2·(x3−x0)) / 10 = (6 + 18) / 10 = 2.4
    expect(at(d, 0, 2)).toBeCloseTo(1.5, 5);
    expect(at(d, 1, 2)).toBeCloseTo(2.4, 5);
    expect(at(d, T - 1, 2)).toBeCloseTo(1.5, 5);
  });
  it('window 1 is the central difference', () => {
    const x = matrix(4, 1, Float32Array.from([0, 1, 4, 9]));
    expect(Array.from(regressionDeltas(x, 1).data)).toEqual([0.5, 2, 4, 2.5]);
  });
  it('handles an empty utterance', () => {
    const e = addDeltas(matrix(0, 13));
    expect([e.rows, e.cols]).toEqual([0, 39]);
  });
});

describe('CMVN', () => {
  const m = randomMatrix(200, 5, 3);

  it('per utterance gives mean 0 and variance 1 per dimension', () => {
    const n = cmvnUtterance(m);
    for (let c = 0; c < 5; c++) {
      const { mean, variance } = columnStats(n, c);
      expect(mean).toBeCloseTo(0, 5);
      expect(variance).toBeCloseTo(1, 4);
    }
  });
  it('mean-only keeps the variance', () => {
    const n = cmvnUtterance(m, { variance: false });
    for (let c = 0; c < 5; c++) {
      expect(columnStats(n, c).mean).toBeCloseTo(0, 4);
      expect(columnStats(n, c).variance).toBeCloseTo(columnStats(m, c).variance, 2);
    }
  });
  it('a constant dimension is centred, not divided by zero', () => {
    const k = matrix(3, 2, Float32Array.from([5, 1, 5, 2, 5, 3]));
    expect(Array.from(cmvnUtterance(k).data).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([0, -1.2247, 0, 0, 0, 1.2247]);
  });
  it('per-speaker stats accumulated over utterances equal those of their concatenation', () => {
    const parts = [randomMatrix(30, 4, 10), randomMatrix(1, 4, 11), randomMatrix(57, 4, 12)];
    let spk = undefined as ReturnType<typeof accumulateCmvn> | undefined;
    for (const p of parts) spk = accumulateCmvn(spk, p);
    const all = concatRows(parts);
    const whole = accumulateCmvn(undefined, all);
    expect(spk!.count).toBe(88);
    for (let c = 0; c < 4; c++) {
      expect(spk!.sum[c]).toBeCloseTo(whole.sum[c], 8);
      expect(spk!.sumSq[c]).toBeCloseTo(whole.sumSq[c], 6);
    }
    // Normalising one utterance with speaker stats = the matching rows of the normalised concatenation.
    const viaSpeaker = applyCmvn(parts[2], spk!);
    const viaConcat = sliceRows(cmvnUtterance(all), 31, 88);
    for (let i = 0; i < viaSpeaker.data.length; i++) expect(viaSpeaker.data[i]).toBeCloseTo(viaConcat.data[i], 5);
  });
  it('rejects stats of another dimension', () => {
    expect(() => applyCmvn(m, accumulateCmvn(undefined, randomMatrix(3, 4, 1)))).toThrow(FieldphoneError);
  });
});

describe('splice', () => {
  // Row t = [10t, 10t + 1].
  const m = matrix(4, 2, Float32Array.from([0, 1, 10, 11, 20, 21, 30, 31]));
  it('stacks left..right context with edge frames replicated', () => {
    const s = splice(m, 1, 2);
    expect([s.rows, s.cols]).toEqual([4, 8]);
    const rows = Array.from({ length: 4 }, (_, t) => Array.from(s.data.subarray(t * 8, t * 8 + 8)));
    expect(rows).toEqual([
      [0, 1, 0, 1, 10, 11, 20, 21],
      [0, 1, 10, 11, 20, 21, 30, 31],
      [10, 11, 20, 21, 30, 31, 30, 31],
      [20, 21, 30, 31, 30, 31, 30, 31],
    ]);
  });
  it('splice(0, 0) is the identity', () => {
    expect(Array.from(splice(m, 0, 0).data)).toEqual(Array.from(m.data));
  });
});
