import { describe, expect, it } from 'vitest';
import { compileGraph, type Emissions, type HmmGraph } from '../../src/hmm/graph.js';
import { forwardBackward } from '../../src/hmm/forward-backward.js';
import { viterbi } from '../../src/hmm/viterbi.js';
import { logAdd, logSumExp } from '../../src/hmm/log-math.js';
import { makeRng } from '../../src/util/rng.js';

/** A random tiny HMM: some arcs missing, some states unable to start or end. */
function tinyHmm(S: number, seed: number): HmmGraph {
  const rng = makeRng(seed);
  const arcs = [];
  for (let r = 0; r < S; r++) for (let s = 0; s < S; s++) if (r === s || rng.next() < 0.6) arcs.push({ from: r, to: s, logProb: Math.log(0.05 + rng.next()) });
  const logInit = Float64Array.from({ length: S }, (_, s) => (s === S - 1 ? -Infinity : Math.log(0.1 + rng.next())));
  const logFinal = Float64Array.from({ length: S }, (_, s) => (s === 0 ? -Infinity : Math.log(0.1 + rng.next())));
  return { numStates: S, logInit, logFinal, arcs };
}

function randomEmissions(T: number, S: number, seed: number): Emissions {
  const rng = makeRng(seed);
  return { frames: T, states: S, logLik: Float64Array.from({ length: T * S }, () => -3 * rng.next() - 0.1) };
}

/** Every state sequence of length T with its log score (−∞ when it uses a missing arc). */
function allPaths(g: HmmGraph, em: Emissions): { path: number[]; score: number }[] {
  const S = g.numStates, T = em.frames;
  const arc = new Map<string, number>();
  for (const a of g.arcs) arc.set(`${a.from},${a.to}`, a.logProb);
  const out: { path: number[]; score: number }[] = [];
  const total = S ** T;
  for (let code = 0; code < total; code++) {
    const path: number[] = [];
    for (let t = 0, c = code; t < T; t++, c = Math.floor(c / S)) path.push(c % S);
    let score = g.logInit[path[0]] + em.logLik[path[0]];
    for (let t = 1; t < T; t++) score += (arc.get(`${path[t - 1]},${path[t]}`) ?? -Infinity) + em.logLik[t * S + path[t]];
    score += g.logFinal[path[T - 1]];
    out.push({ path, score });
  }
  return out;
}

describe('log-domain arithmetic', () => {
  it('logAdd and logSumExp match direct sums, with −∞ as zero', () => {
    expect(logAdd(Math.log(0.2), Math.log(0.3))).toBeCloseTo(Math.log(0.5), 14);
    expect(logAdd(-Infinity, -2)).toBe(-2);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.log(2), 12);
    expect(logSumExp([Math.log(1), Math.log(2), Math.log(3)], 1)).toBeCloseTo(Math.log(5), 14);
  });
});

describe('forward-backward against enumeration of every path', () => {
  for (const [S, T, seed] of [[3, 5, 1], [4, 4, 2], [2, 7, 3]] as const) {
    it(`${S} states, ${T} frames (seed ${seed}): likelihood, state posteriors, arc counts`, () => {
      const g = tinyHmm(S, seed);
      const em = randomEmissions(T, S, seed + 10);
      const fb = forwardBackward(compileGraph(g), em);
      const paths = allPaths(g, em);
      const logZ = logSumExp(paths.map((p) => p.score));
      expect(Number.isFinite(logZ)).toBe(true);
      expect(fb.logLik).toBeCloseTo(logZ, 10);
      for (let t = 0; t < T; t++)
        for (let s = 0; s < S; s++) {
          const p = logSumExp(paths.filter((q) => q.path[t] === s).map((q) => q.score));
          expect(fb.gamma[t * S + s]).toBeCloseTo(Math.exp(p - logZ), 10);
        }
      g.arcs.forEach((a, i) => {
        let expected = 0;
        for (const q of paths) {
          if (q.score === -Infinity) continue;
          let n = 0;
          for (let t = 1; t < T; t++) if (q.path[t - 1] === a.from && q.path[t] === a.to) n++;
          expected += n * Math.exp(q.score - logZ);
        }
        expect(fb.arcCounts[i]).toBeCloseTo(expected, 10);
      });
      // Posteriors of each frame sum to one.
      for (let t = 0; t < T; t++) expect(fb.gamma.slice(t * S, (t + 1) * S).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    });
  }

  it('stays finite where linear-domain probabilities underflow (2000 frames)', () => {
    const g = tinyHmm(3, 5);
    const T = 2000;
    const em = randomEmissions(T, 3, 6);
    for (let i = 0; i < em.logLik.length; i++) em.logLik[i] -= 50; // e^-50 per frame: 10^-43000 in total
    const fb = forwardBackward(compileGraph(g), em);
    expect(Number.isFinite(fb.logLik)).toBe(true);
    expect(fb.logLik).toBeLessThan(-100_000);
    for (let t = 0; t < T; t += 397) expect(fb.gamma.slice(t * 3, t * 3 + 3).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6); // |ln p| ≈ 1e5: double rounding leaves ~1e-9
  });

  it('says −∞ when no path can explain the frames', () => {
    // A strict left-to-right chain of 3 states cannot cover 2 frames.
    const g: HmmGraph = { numStates: 3, logInit: Float64Array.of(0, -Infinity, -Infinity), logFinal: Float64Array.of(-Infinity, -Infinity, 0), arcs: [{ from: 0, to: 1, logProb: 0 }, { from: 1, to: 2, logProb: 0 }] };
    const em = randomEmissions(2, 3, 1);
    expect(forwardBackward(compileGraph(g), em).logLik).toBe(-Infinity);
    expect(viterbi(compileGraph(g), em).logScore).toBe(-Infinity);
  });
});

describe('Viterbi against the brute-force best path', () => {
  for (const [S, T, seed] of [[3, 5, 11], [4, 5, 12], [2, 8, 13]] as const) {
    it(`${S} states, ${T} frames (seed ${seed})`, () => {
      const g = tinyHmm(S, seed);
      const em = randomEmissions(T, S, seed + 1);
      const v = viterbi(compileGraph(g), em);
      const paths = allPaths(g, em);
      const best = paths.reduce((a, b) => (b.score > a.score ? b : a));
      expect(v.logScore).toBeCloseTo(best.score, 10);
      expect(Array.from(v.states)).toEqual(best.path);
    });
  }
});
