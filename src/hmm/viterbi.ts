/**
 * The Viterbi algorithm on a compiled HMM graph: the single best state path
 * and its log score (init + emissions + arcs + final). Ties go to the
 * lower-numbered predecessor, so results are reproducible.
 */
import type { CompiledGraph, Emissions } from './graph.js';

export interface ViterbiPath {
  /** Log score of the best path; −∞ when no path explains the frames. */
  logScore: number;
  /** State per frame (empty when logScore is −∞). */
  states: Int32Array;
}

export function viterbi(g: CompiledGraph, em: Emissions): ViterbiPath {
  const S = g.numStates, T = em.frames;
  if (em.states !== S) throw new Error(`viterbi: emissions have ${em.states} states, graph ${S}`);
  if (T === 0) return { logScore: -Infinity, states: new Int32Array(0) };
  const e = em.logLik;
  let delta = new Float64Array(S);
  let next = new Float64Array(S);
  const back = new Int32Array(T * S).fill(-1);
  for (let s = 0; s < S; s++) delta[s] = g.logInit[s] + e[s];
  for (let t = 1; t < T; t++) {
    const cur = t * S;
    for (let s = 0; s < S; s++) {
      let best = -Infinity, arg = -1;
      for (let k = g.inStart[s]; k < g.inStart[s + 1]; k++) {
        const r = g.inFrom[k];
        const v = delta[r] + g.inLogProb[k];
        if (v > best || (v === best && arg >= 0 && r < arg)) {
          best = v;
          arg = r;
        }
      }
      next[s] = best + e[cur + s];
      back[cur + s] = arg;
    }
    [delta, next] = [next, delta];
  }
  let best = -Infinity, arg = -1;
  for (let s = 0; s < S; s++) {
    const v = delta[s] + g.logFinal[s];
    if (v > best) {
      best = v;
      arg = s;
    }
  }
  if (best === -Infinity) return { logScore: -Infinity, states: new Int32Array(0) };
  const states = new Int32Array(T);
  states[T - 1] = arg;
  for (let t = T - 1; t > 0; t--) states[t - 1] = back[t * S + states[t]];
  return { logScore: best, states };
}
