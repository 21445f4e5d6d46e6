/**
 * The forward-backward algorithm in the log domain (Rabiner 1989, with sums
 * as log-sum-exp so long utterances cannot underflow):
 *
 *   α_0(s) = init(s) + e_0(s)
 *   α_t(s) = e_t(s) + ln Σ_r exp(α_{t−1}(r) + a(r→s))
 *   β_{T−1}(s) = final(s)
 *   β_t(r) = ln Σ_s exp(a(r→s) + e_{t+1}(s) + β_{t+1}(s))
 *   ln p(X) = ln Σ_s exp(α_{T−1}(s) + final(s))
 *
 * State posteriors γ_t(s) = exp(α_t(s) + β_t(s) − ln p(X)); expected arc
 * counts ξ(arc) = Σ_t exp(α_t(r) + a + e_{t+1}(s) + β_{t+1}(s) − ln p(X)).
 */
import type { CompiledGraph, Emissions } from './graph.js';
import { logSumExp } from './log-math.js';

export interface ForwardBackward {
  /** ln p(X); −∞ when no path explains the frames. */
  logLik: number;
  /** T × S log forward and backward variables. */
  logAlpha: Float64Array;
  logBeta: Float64Array;
  /** T × S state posteriors (all 0 when logLik is −∞). */
  gamma: Float64Array;
  /** Expected number of times each arc (in the graph's original order) is taken. */
  arcCounts: Float64Array;
}

export function forwardBackward(g: CompiledGraph, em: Emissions): ForwardBackward {
  const S = g.numStates, T = em.frames;
  if (em.states !== S) throw new Error(`forwardBackward: emissions have ${em.states} states, graph ${S}`);
  const e = em.logLik;
  const alpha = new Float64Array(T * S).fill(-Infinity);
  const beta = new Float64Array(T * S).fill(-Infinity);
  const gamma = new Float64Array(T * S);
  const arcCounts = new Float64Array(g.numArcs);
  if (T === 0) return { logLik: -Infinity, logAlpha: alpha, logBeta: beta, gamma, arcCounts };
  const terms = new Float64Array(Math.max(1, maxInDegree(g)));
  for (let s = 0; s < S; s++) alpha[s] = g.logInit[s] + e[s];
  for (let t = 1; t < T; t++) {
    const prev = (t - 1) * S, cur = t * S;
    for (let s = 0; s < S; s++) {
      const a = g.inStart[s], b = g.inStart[s + 1];
      for (let k = a; k < b; k++) terms[k - a] = alpha[prev + g.inFrom[k]] + g.inLogProb[k];
      alpha[cur + s] = e[cur + s] + logSumExp(terms, 0, b - a);
    }
  }
  const last = (T - 1) * S;
  const ends = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    beta[last + s] = g.logFinal[s];
    ends[s] = alpha[last + s] + g.logFinal[s];
  }
  const logLik = logSumExp(ends);
  // β_t(r) needs the outgoing arcs of r; with incoming lists, push from each s backwards instead.
  const acc = new Float64Array(S);
  for (let t = T - 2; t >= 0; t--) {
    const cur = t * S, next = (t + 1) * S;
    acc.fill(-Infinity);
    for (let s = 0; s < S; s++) {
      const w = e[next + s] + beta[next + s];
      if (w === -Infinity) continue;
      for (let k = g.inStart[s]; k < g.inStart[s + 1]; k++) {
        const r = g.inFrom[k];
        const v = g.inLogProb[k] + w;
        const m = acc[r];
        acc[r] = m === -Infinity ? v : m > v ? m + Math.log1p(Math.exp(v - m)) : v + Math.log1p(Math.exp(m - v));
      }
    }
    beta.set(acc, cur);
  }
  if (logLik === -Infinity) return { logLik, logAlpha: alpha, logBeta: beta, gamma, arcCounts };
  for (let i = 0; i < T * S; i++) gamma[i] = Math.exp(alpha[i] + beta[i] - logLik);
  for (let t = 0; t + 1 < T; t++) {
    const cur = t * S, next = (t + 1) * S;
    for (let s = 0; s < S; s++) {
      const w = e[next + s] + beta[next + s] - logLik;
      if (w === -Infinity) continue;
      for (let k = g.inStart[s]; k < g.inStart[s + 1]; k++) {
        const v = alpha[cur + g.inFrom[k]] + g.inLogProb[k] + w;
        if (v > -700) arcCounts[g.inArc[k]] += Math.exp(v);
      }
    }
  }
  return { logLik, logAlpha: alpha, logBeta: beta, gamma, arcCounts };
}

export function maxInDegree(g: CompiledGraph): number {
  let m = 0;
  for (let s = 0; s < g.numStates; s++) m = Math.max(m, g.inStart[s + 1] - g.inStart[s]);
  return m;
}
