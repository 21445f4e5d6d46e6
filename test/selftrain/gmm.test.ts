import { describe, expect, it } from 'vitest';
import { DiagGmm, GmmStats, splitGmm, updateGmm } from '../../src/hmm/gmm.js';
import { makeRng } from '../../src/util/rng.js';

/** ln Σ_m w_m Π_d N(x_d; μ_md, σ²_md), computed the long way (products of 1-D densities). */
function directLogLik(w: number[], mu: number[][], v: number[][], x: number[]): number {
  let p = 0;
  w.forEach((wm, m) => {
    let dens = wm;
    x.forEach((xd, d) => (dens *= Math.exp(-((xd - mu[m][d]) ** 2) / (2 * v[m][d])) / Math.sqrt(2 * Math.PI * v[m][d])));
    p += dens;
  });
  return Math.log(p);
}

/** Samples from a 3-component 2-D mixture, far enough apart that 1 Gaussian fits badly. */
function mixtureData(n: number, seed: number): Float64Array {
  const rng = makeRng(seed);
  const centres = [[-3, 0], [2, 2], [2, -3]], sd = [[0.5, 1], [1, 0.4], [0.7, 0.7]];
  const x = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = rng.next() < 0.5 ? 0 : rng.next() < 0.6 ? 1 : 2;
    x[2 * i] = centres[c][0] + sd[c][0] * rng.normal();
    x[2 * i + 1] = centres[c][1] + sd[c][1] * rng.normal();
  }
  return x;
}

function totalLogLik(g: DiagGmm, x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length / 2; i++) s += g.logLikelihood(x, 2 * i);
  return s;
}

function emStep(g: DiagGmm, x: Float64Array): DiagGmm {
  const st = new GmmStats(g.numComponents, 2);
  for (let i = 0; i < x.length / 2; i++) st.accumulate(g, x, 2 * i);
  return updateGmm(g, st, { varFloor: [1e-6, 1e-6], minOcc: 1e-3 });
}

describe('diagonal GMM', () => {
  it('log-likelihood equals the direct product-of-densities computation', () => {
    const rng = makeRng(3);
    const w = [0.2, 0.5, 0.3];
    const mu = [[0.1, -1, 2], [1, 0.5, -0.3], [-2, 0, 0.7]];
    const v = [[0.5, 1.5, 0.2], [2, 0.3, 1], [0.9, 0.9, 3]];
    const g = new DiagGmm(Float64Array.from(w), Float64Array.from(mu.flat()), Float64Array.from(v.flat()));
    for (let k = 0; k < 20; k++) {
      const x = [rng.normal() * 2, rng.normal() * 2, rng.normal() * 2];
      expect(g.logLikelihood(x)).toBeCloseTo(directLogLik(w, mu, v, x), 11);
    }
    // Component terms sum (in log space) to the total and are read at an offset.
    const buf = [9, 9, 0.3, -0.2, 1.1];
    const out = new Float64Array(3);
    const ll = g.componentLogLiks(buf, 2, out);
    expect(ll).toBeCloseTo(directLogLik(w, mu, v, [0.3, -0.2, 1.1]), 11);
    expect(Math.log(out.reduce((s, c) => s + Math.exp(c), 0))).toBeCloseTo(ll, 12);
  });

  it('the M-step of one Gaussian gives the sample mean and (floored) variance', () => {
    const x = Float64Array.of(1, 10, 3, 10, 5, 10);
    const g0 = DiagGmm.single([0, 0], [1, 1]);
    const st = new GmmStats(1, 2);
    for (let i = 0; i < 3; i++) st.accumulate(g0, x, 2 * i);
    const g = updateGmm(g0, st, { varFloor: [0.01, 0.25], minOcc: 1 });
    expect(Array.from(g.means)).toEqual([3, 10]);
    expect(g.vars[0]).toBeCloseTo(8 / 3, 12);
    expect(g.vars[1]).toBe(0.25);
  });

  it('EM with mixture splitting 1 → 2 → 4 → 8: likelihood never decreases over EM iterations', () => {
    const x = mixtureData(3000, 1);
    let mean = [0, 0], sq = [0, 0];
    for (let i = 0; i < 3000; i++) for (let d = 0; d < 2; d++) {
      mean[d] += x[2 * i + d] / 3000;
      sq[d] += x[2 * i + d] ** 2 / 3000;
    }
    let g = DiagGmm.single(mean, [sq[0] - mean[0] ** 2, sq[1] - mean[1] ** 2]);
    const stageEnds: number[] = [totalLogLik(g, x)];
    for (const target of [2, 4, 8]) {
      g = splitGmm(g, target);
      expect(g.numComponents).toBe(target);
      expect(g.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      let prev = totalLogLik(g, x);
      for (let it = 0; it < 12; it++) {
        g = emStep(g, x);
        const cur = totalLogLik(g, x);
        expect(cur).toBeGreaterThanOrEqual(prev - 1e-7 * Math.abs(prev));
        prev = cur;
      }
      stageEnds.push(prev);
    }
    // Each stage ends above the previous one; 1 → 2 components is a large gain on 3 clusters.
    for (let i = 1; i < stageEnds.length; i++) expect(stageEnds[i]).toBeGreaterThan(stageEnds[i - 1]);
    expect(stageEnds[1] - stageEnds[0]).toBeGreaterThan(500);
  });

  it('splitting perturbs the heaviest component along its standard deviation', () => {
    const g = new DiagGmm(Float64Array.of(0.3, 0.7), Float64Array.of(0, 0, 5, 5), Float64Array.of(1, 1, 4, 9));
    const s = splitGmm(g, 3, 0.2);
    expect(Array.from(s.weights)).toEqual([0.3, 0.35, 0.35]);
    expect(Array.from(s.means)).toEqual([0, 0, 5 + 0.4, 5 + 0.6, 5 - 0.4, 5 - 0.6].map((v) => expect.closeTo(v, 12)));
    expect(Array.from(s.vars)).toEqual([1, 1, 4, 9, 4, 9]);
  });

  it('drops components that saw almost no data', () => {
    const x = Float64Array.of(0, 0, 0.1, 0.1, -0.1, 0.05);
    const g0 = new DiagGmm(Float64Array.of(0.5, 0.5), Float64Array.of(0, 0, 100, 100), Float64Array.of(1, 1, 1, 1));
    const st = new GmmStats(2, 2);
    for (let i = 0; i < 3; i++) st.accumulate(g0, x, 2 * i);
    expect(updateGmm(g0, st, { varFloor: [1e-3, 1e-3], minOcc: 0.5 }).numComponents).toBe(1);
  });
});
