/**
 * Decipherment of the audio's segment clusters: find the map cluster → phone
 * under which the clusters' sequences read most like the language's text.
 *
 * Each recording is a sequence of cluster symbols (one per segment). A map
 * f turns it into phones; its score is the log-likelihood of all mapped
 * sequences under the text's phone trigram, plus `unigramWeight` × N × the
 * cross-entropy term Σ_c q(c)·ln p_f(c) that asks the mapped phones to cover
 * the text's phone frequencies (without it, mapping many clusters to a few
 * frequent, mutually likely phones can score well). This is a homophonic
 * substitution cipher; gradient descent on soft maps and EM stall in poor
 * optima on it (docs/results.md), while simulated annealing over hard maps,
 * a few restarts kept by score, finds maps near the truth.
 */
import type { Rng } from '../util/rng.js';
import type { PhoneTrigram } from './lm.js';

/** The cluster trigrams of the audio, each with its count, indexed by the symbols they contain. */
export interface CipherText {
  /** Cluster symbols 0..K-1; K marks the start of a recording in contexts. */
  K: number;
  /** Segments in all. */
  N: number;
  /** 3 × entries: (a, b, c) of each distinct trigram. */
  grams: Int32Array;
  counts: Float64Array;
  /** For each symbol, the entries that contain it (once each). */
  bySymbol: Int32Array[];
  /** Occurrences of each symbol. */
  symbolCounts: Float64Array;
}

export function cipherText(sequences: Int32Array[], K: number): CipherText {
  const index = new Map<number, number>();
  const grams: number[] = [];
  const counts: number[] = [];
  const symbolCounts = new Float64Array(K);
  let N = 0;
  for (const s of sequences) {
    let a = K;
    let b = K;
    for (const c of s) {
      if (!(c >= 0 && c < K)) throw new RangeError(`cluster ${c} outside 0..${K - 1}`);
      const key = (a * (K + 1) + b) * K + c;
      let e = index.get(key);
      if (e === undefined) {
        e = counts.length;
        index.set(key, e);
        grams.push(a, b, c);
        counts.push(0);
      }
      counts[e]++;
      symbolCounts[c]++;
      N++;
      a = b;
      b = c;
    }
  }
  const lists: number[][] = Array.from({ length: K }, () => []);
  for (let e = 0; e < counts.length; e++) {
    const [a, b, c] = [grams[3 * e], grams[3 * e + 1], grams[3 * e + 2]];
    for (const x of new Set([a, b, c])) if (x < K) lists[x].push(e);
  }
  return { K, N, grams: Int32Array.from(grams), counts: Float64Array.from(counts), bySymbol: lists.map((l) => Int32Array.from(l)), symbolCounts };
}

/** Iterations between progress ticks. */
const TICK = 1 << 20;

export interface AnnealSettings {
  iterations: number;
  startTemperature: number;
  endTemperature: number;
  unigramWeight: number;
}

/** Trigram log-likelihood of the entries `which` (all when undefined) under map f. */
function lmScore(f: Int32Array, t: CipherText, lm: PhoneTrigram, which?: Int32Array): number {
  const W = lm.V + 1;
  const K = t.K;
  const ph = (x: number) => (x === K ? lm.V : f[x]);
  let s = 0;
  const n = which ? which.length : t.counts.length;
  for (let i = 0; i < n; i++) {
    const e = which ? which[i] : i;
    s += t.counts[e] * lm.logp[(ph(t.grams[3 * e]) * W + ph(t.grams[3 * e + 1])) * lm.V + ph(t.grams[3 * e + 2])];
  }
  return s;
}

function coverage(phoneCounts: Float64Array, N: number, lm: PhoneTrigram, weight: number): number {
  let s = 0;
  for (let c = 0; c < lm.V; c++) if (lm.unigram[c] > 0) s += lm.unigram[c] * Math.log(phoneCounts[c] / N + 1e-6);
  return weight * N * s;
}

function phoneCountsOf(f: Int32Array, t: CipherText, V: number): Float64Array {
  const pc = new Float64Array(V);
  for (let k = 0; k < t.K; k++) pc[f[k]] += t.symbolCounts[k];
  return pc;
}

/** The score of map f (higher is better; per segment: divide by t.N). */
export function mapScore(f: Int32Array, t: CipherText, lm: PhoneTrigram, unigramWeight: number): number {
  return lmScore(f, t, lm) + coverage(phoneCountsOf(f, t, lm.V), t.N, lm, unigramWeight);
}

/**
 * One annealing run from a random map (each cluster a phone drawn by the
 * text's phone frequencies). A move re-maps one cluster; moves that lower the
 * score by d are taken with probability exp(d / T), T falling geometrically.
 */
export function anneal(t: CipherText, lm: PhoneTrigram, s: AnnealSettings, rng: Rng, tick?: (iterations: number) => void): { map: Int32Array; score: number } {
  const V = lm.V;
  const cum = new Float64Array(V);
  let acc = 0;
  for (let c = 0; c < V; c++) cum[c] = acc += lm.unigram[c];
  const drawPhone = () => {
    const r = rng.next() * acc;
    let c = 0;
    while (c < V - 1 && cum[c] <= r) c++;
    return c;
  };
  const f = Int32Array.from({ length: t.K }, drawPhone);
  const pc = phoneCountsOf(f, t, V);
  const ratio = s.endTemperature / s.startTemperature;
  for (let it = 0; it < s.iterations; it++) {
    if (tick && it % TICK === TICK - 1) tick(TICK);
    const T = s.startTemperature * ratio ** (it / s.iterations);
    const x = rng.int(t.K);
    // Half the proposals follow the text's phone frequencies, half are uniform, so rare phones are still tried.
    const y = rng.next() < 0.5 ? drawPhone() : rng.int(V);
    const old = f[x];
    if (y === old || t.symbolCounts[x] === 0) continue;
    const before = lmScore(f, t, lm, t.bySymbol[x]) + coverage(pc, t.N, lm, s.unigramWeight);
    f[x] = y;
    pc[old] -= t.symbolCounts[x];
    pc[y] += t.symbolCounts[x];
    const d = lmScore(f, t, lm, t.bySymbol[x]) + coverage(pc, t.N, lm, s.unigramWeight) - before;
    if (d < 0 && rng.next() >= Math.exp(d / T)) {
      f[x] = old;
      pc[y] -= t.symbolCounts[x];
      pc[old] += t.symbolCounts[x];
    }
  }
  if (tick) tick(s.iterations % TICK);
  return { map: f, score: mapScore(f, t, lm, s.unigramWeight) };
}
