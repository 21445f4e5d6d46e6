/**
 * Decoding with the phone language model in the search: a phone loop (any
 * phone may follow any phone) whose phone-to-phone transitions carry
 *
 *   lmWeight · ln P(next | previous) + insertionPenalty
 *
 * from a bigram table, with ln P(first | <s>) at the start and
 * ln P(</s> | last) at the end. Exact Viterbi over the HMM states: per frame,
 * the best predecessor of each phone's entry is found over every phone's exit
 * (at most P² per frame, usually a few P thanks to an exact bound).
 */
import type { NgramLM } from '../lm/index.js';
import { BOS, EOS } from '../lm/index.js';
import type { AcousticModel, DecodeSettings } from './acoustic-model.js';
import type { Emissions } from './graph.js';

/** (P+1) × (P+1) natural-log bigram: row P is <s>, column P is </s>. */
export interface PhoneBigram {
  numUnits: number;
  logProb: Float64Array;
}

/** Bigram scores of the units from any n-gram model (its backoff estimate with one word of context). */
export function phoneBigram(lm: NgramLM, units: string[]): PhoneBigram {
  const P = units.length;
  const logProb = new Float64Array((P + 1) * (P + 1));
  for (let p = 0; p <= P; p++) {
    const ctx = [p === P ? BOS : units[p]];
    for (let q = 0; q <= P; q++) logProb[p * (P + 1) + q] = lm.logProb(q === P ? EOS : units[q], ctx);
  }
  return { numUnits: P, logProb };
}

export interface PhoneLoopResult {
  /** Unit ids. */
  units: Int32Array;
  /** [start, end) frame span per unit (2 × units). */
  spans: Int32Array;
  logScore: number;
}

/** Best phone sequence for `em` (all states of the model, stateLogLiks without a list). */
export function decodePhoneLoop(model: AcousticModel, em: Emissions, bigram: PhoneBigram, o: DecodeSettings): PhoneLoopResult {
  const topo = model.topology;
  const S = topo.numStates, P = topo.units.length, T = em.frames;
  if (em.states !== S) throw new Error(`decodePhoneLoop: emissions for ${em.states} states, model has ${S}`);
  if (bigram.numUnits !== P) throw new Error(`decodePhoneLoop: bigram over ${bigram.numUnits} units, model has ${P}`);
  if (T === 0) return { units: new Int32Array(0), spans: new Int32Array(0), logScore: -Infinity };
  const W = P + 1;
  const lm = bigram.logProb.map((v) => o.lmWeight * v);
  const last = Int32Array.from({ length: P }, (_, p) => topo.firstState[p] + topo.statesPerUnit[p] - 1);
  // back[t·S + s]: −1 stayed, −2 came from the previous state of the same phone, p ≥ 0 entered after phone p, −3 started.
  const back = new Int32Array(T * S);
  let delta = new Float64Array(S).fill(-Infinity);
  let next = new Float64Array(S);
  const e = em.logLik;
  for (let q = 0; q < P; q++) {
    const s = topo.firstState[q];
    delta[s] = lm[P * W + q] + o.insertionPenalty + e[s];
    back[s] = -3;
  }
  const ends = new Float64Array(P);
  const entry = new Float64Array(P);
  const entryFrom = new Int32Array(P);
  // Exact pruning of the P² step: with the phones' exits sorted best first, the search for q's best
  // predecessor stops once ends[p] + (the best LM score into q) cannot beat the best found so far.
  const bestInto = new Float64Array(P).fill(-Infinity);
  for (let p = 0; p < P; p++) for (let q = 0; q < P; q++) bestInto[q] = Math.max(bestInto[q], lm[p * W + q]);
  const order = Int32Array.from({ length: P }, (_, p) => p);
  for (let t = 1; t < T; t++) {
    for (let p = 0; p < P; p++) ends[p] = delta[last[p]] + model.logExit[last[p]];
    // Insertion sort: the order changes little from one frame to the next, so this is close to linear.
    for (let i = 1; i < P; i++) {
      const p = order[i], v = ends[p];
      let j = i - 1;
      while (j >= 0 && (ends[order[j]] < v || (ends[order[j]] === v && order[j] > p))) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = p;
    }
    for (let q = 0; q < P; q++) {
      let best = -Infinity, arg = -1;
      for (let k = 0; k < P; k++) {
        const p = order[k];
        if (!(ends[p] + bestInto[q] > best)) break;
        const v = ends[p] + lm[p * W + q];
        if (v > best || (v === best && p < arg)) {
          best = v;
          arg = p;
        }
      }
      entry[q] = best + o.insertionPenalty;
      entryFrom[q] = arg;
    }
    const row = t * S;
    for (let q = 0; q < P; q++) {
      const first = topo.firstState[q];
      for (let s = first; s <= last[q]; s++) {
        const stay = delta[s] + model.logSelf[s];
        const move = s === first ? entry[q] : delta[s - 1] + model.logExit[s - 1];
        if (stay >= move) {
          next[s] = stay + e[row + s];
          back[row + s] = -1;
        } else {
          next[s] = move + e[row + s];
          back[row + s] = s === first ? entryFrom[q] : -2;
        }
      }
    }
    [delta, next] = [next, delta];
  }
  let best = -Infinity, arg = -1;
  for (let p = 0; p < P; p++) {
    const v = delta[last[p]] + model.logExit[last[p]] + lm[p * W + P];
    if (v > best) {
      best = v;
      arg = p;
    }
  }
  if (arg < 0) return { units: new Int32Array(0), spans: new Int32Array(0), logScore: -Infinity };
  const units: number[] = [];
  const starts: number[] = [];
  let s = last[arg];
  for (let t = T - 1; t >= 0; t--) {
    const b = back[t * S + s];
    if (b === -1) continue;
    if (b === -2) {
      s--;
      continue;
    }
    units.push(topo.unitOfState[s]);
    starts.push(t);
    if (b >= 0) s = last[b];
  }
  units.reverse();
  starts.reverse();
  const spans = new Int32Array(2 * units.length);
  for (let i = 0; i < units.length; i++) {
    spans[2 * i] = starts[i];
    spans[2 * i + 1] = i + 1 < units.length ? starts[i + 1] : T;
  }
  return { units: Int32Array.from(units), spans, logScore: best };
}
