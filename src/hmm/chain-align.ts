/**
 * Forced alignment: Viterbi over the left-to-right chain of an utterance's
 * label states (each state loops on itself or moves to the next), as
 * training needs it thousands of times per pass. Specialised for the chain:
 *
 *  - only positions that can still reach the last state in the frames left
 *    are considered (the band), and of those only the ones within `beam` of
 *    the frame's best score (Kaldi's align beam);
 *  - emissions are computed only for the states in the window, at most once
 *    per state and frame.
 *
 * With beam = ∞ the result is exact Viterbi on the chain (tested against the
 * generic viterbi()). A beam that prunes the only way to the end gives
 * undefined; the caller retries with a wider one.
 */
import type { Matrix } from '../util/matrix.js';
import type { AcousticModel } from './acoustic-model.js';

export interface ChainAlignment {
  /** Score of the best path, final exit included. */
  logScore: number;
  /** Chain position per frame. */
  path: Int32Array;
}

export function alignChain(model: AcousticModel, x: Matrix, chain: Int32Array, beam = Infinity): ChainAlignment | undefined {
  const n = chain.length, T = x.rows, D = x.cols;
  if (n === 0 || n > T) return undefined;
  const S = model.topology.numStates;
  const emitAt = new Int32Array(S).fill(-1);
  const emitVal = new Float64Array(S);
  const scratch = new Float64Array(model.gmms.reduce((m, g) => Math.max(m, g.numComponents), 1));
  const emit = (t: number, s: number): number => {
    if (emitAt[s] !== t) {
      emitVal[s] = model.gmms[s].componentLogLiks(x.data, t * D, scratch);
      emitAt[s] = t;
    }
    return emitVal[s];
  };
  let delta = new Float64Array(n).fill(-Infinity);
  let next = new Float64Array(n).fill(-Infinity);
  // advanced[t·n + k] = 1 when position k at frame t was entered from k − 1.
  const advanced = new Uint8Array(T * n);
  delta[0] = emit(0, chain[0]);
  let lo = 0, hi = 0;
  for (let t = 1; t < T; t++) {
    const a = Math.max(lo, n - 1 - (T - 1 - t));
    const b = Math.min(hi + 1, n - 1);
    let best = -Infinity;
    for (let k = a; k <= b; k++) {
      const stay = k <= hi ? delta[k] + model.logSelf[chain[k]] : -Infinity;
      const move = k - 1 >= lo ? delta[k - 1] + model.logExit[chain[k - 1]] : -Infinity;
      // Ties go to the earlier predecessor (k − 1), as in viterbi().
      const v = move >= stay ? move : stay;
      if (v === -Infinity) {
        next[k] = -Infinity;
        continue;
      }
      advanced[t * n + k] = move >= stay ? 1 : 0;
      const w = v + emit(t, chain[k]);
      next[k] = w;
      if (w > best) best = w;
    }
    if (best === -Infinity) return undefined;
    const floor = best - beam;
    let newLo = -1, newHi = -1;
    for (let k = a; k <= b; k++) {
      if (next[k] >= floor) {
        if (newLo < 0) newLo = k;
        newHi = k;
      } else next[k] = -Infinity;
    }
    // Positions left of the window are never read again; clear the old window's entries for the swap.
    for (let k = lo; k <= hi; k++) delta[k] = -Infinity;
    [delta, next] = [next, delta];
    lo = newLo;
    hi = newHi;
  }
  if (hi !== n - 1 || delta[n - 1] === -Infinity) return undefined;
  const path = new Int32Array(T);
  let k = n - 1;
  for (let t = T - 1; t > 0; t--) {
    path[t] = k;
    if (advanced[t * n + k]) k--;
  }
  path[0] = k;
  return { logScore: delta[n - 1] + model.logExit[chain[n - 1]], path };
}
