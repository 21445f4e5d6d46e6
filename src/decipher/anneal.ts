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
import { makeRng, type Rng } from '../util/rng.js';
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

/** Trigram log-likelihood of every recording under map f. */
function lmScore(f: Int32Array, t: CipherText, lm: PhoneTrigram): number {
  const ph = new Int32Array(t.K + 1);
  ph.set(f);
  ph[t.K] = lm.V;
  return entriesScore(Int32Array.from(t.counts.keys()), ph, t, lm);
}

/** Phone c's part of the coverage term, with `count` of the N segments mapped to it (0 for a phone the text lacks). */
function coverageTerm(lm: PhoneTrigram, c: number, count: number, N: number): number {
  return lm.unigram[c] > 0 ? lm.unigram[c] * Math.log(count / N + 1e-6) : 0;
}

function coverage(phoneCounts: Float64Array, N: number, lm: PhoneTrigram, weight: number): number {
  let s = 0;
  for (let c = 0; c < lm.V; c++) s += coverageTerm(lm, c, phoneCounts[c], N);
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

// The annealer's helpers are module functions, not closures made per run: V8 inlines a call
// site for one target, and a fresh closure per run made every run after the first deoptimise
// ("wrong call target") and run about 2.5× slower.

/** A phone drawn by the text's frequencies (`cum`: their running sum). */
function drawPhone(cum: Float64Array, rng: Rng): number {
  const V = cum.length;
  const r = rng.next() * cum[V - 1];
  let c = 0;
  while (c < V - 1 && cum[c] <= r) c++;
  return c;
}

/** Trigram log-likelihood of the entries `list` with ph[x] the phone of symbol x (ph[K] = the boundary). */
function entriesScore(list: Int32Array, ph: Int32Array, t: CipherText, lm: PhoneTrigram): number {
  const { grams, counts } = t;
  const { logp, V } = lm;
  const W = V + 1;
  let sc = 0;
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    sc += counts[e] * logp[(ph[grams[3 * e]] * W + ph[grams[3 * e + 1]]) * V + ph[grams[3 * e + 2]]];
  }
  return sc;
}

/**
 * The change of the coverage term when `n` segments move from phone `from`
 * to phone `to`: only those two phones' terms change, so a move costs O(1)
 * here instead of a pass over the inventory.
 */
function coverageDelta(pc: Float64Array, from: number, to: number, n: number, N: number, lm: PhoneTrigram, weight: number): number {
  return weight * N * (coverageTerm(lm, from, pc[from] - n, N) - coverageTerm(lm, from, pc[from], N) + coverageTerm(lm, to, pc[to] + n, N) - coverageTerm(lm, to, pc[to], N));
}

/**
 * One annealing run from map `start` (default: each cluster a phone drawn by
 * the text's phone frequencies). A move re-maps one cluster; moves that lower
 * the score by d are taken with probability exp(d / T), T falling
 * geometrically from the start to the end temperature.
 */
export function anneal(t: CipherText, lm: PhoneTrigram, s: AnnealSettings, rng: Rng, tick?: (iterations: number) => void, start?: Int32Array): { map: Int32Array; score: number } {
  const V = lm.V;
  const K = t.K;
  const cum = new Float64Array(V);
  let acc = 0;
  for (let c = 0; c < V; c++) cum[c] = acc += lm.unigram[c];
  if (start && start.length !== K) throw new RangeError(`the starting map has ${start.length} clusters, the cipher ${K}`);
  // ph[x] = phone of symbol x, with the recording-start symbol K fixed to the LM's boundary V.
  const ph = new Int32Array(K + 1);
  for (let k = 0; k < K; k++) ph[k] = start ? start[k] : drawPhone(cum, rng);
  ph[K] = V;
  const f = ph.subarray(0, K);
  const pc = phoneCountsOf(f, t, V);
  // The temperature is set once per block of moves: the same schedule, without a power per move.
  const BLOCK = 1024;
  const ratio = s.endTemperature / s.startTemperature;
  let T = s.startTemperature;
  for (let it = 0; it < s.iterations; it++) {
    if (it % BLOCK === 0) T = s.startTemperature * ratio ** (it / s.iterations);
    if (tick && it % TICK === TICK - 1) tick(TICK);
    const x = rng.int(K);
    // Half the proposals follow the text's phone frequencies, half are uniform, so rare phones are still tried.
    const y = rng.next() < 0.5 ? drawPhone(cum, rng) : rng.int(V);
    const old = ph[x];
    const n = t.symbolCounts[x];
    if (y === old || n === 0) continue;
    const list = t.bySymbol[x];
    const before = entriesScore(list, ph, t, lm);
    ph[x] = y;
    const d = entriesScore(list, ph, t, lm) - before + coverageDelta(pc, old, y, n, t.N, lm, s.unigramWeight);
    if (d < 0 && rng.next() >= Math.exp(d / T)) ph[x] = old;
    else {
      pc[old] -= n;
      pc[y] += n;
    }
  }
  if (tick) tick(s.iterations % TICK);
  const map = Int32Array.from(f);
  return { map, score: mapScore(map, t, lm, s.unigramWeight) };
}

/** One annealing run as a self-contained task (its seed included), so it can run in any thread. */
export interface AnnealTask {
  index: number;
  cipher: CipherText;
  lm: PhoneTrigram;
  settings: AnnealSettings;
  seed: number;
}

export interface AnnealResult {
  index: number;
  map: Int32Array;
  score: number;
}

export function runAnnealTask(t: AnnealTask, tick?: (iterations: number) => void): AnnealResult {
  return { index: t.index, ...anneal(t.cipher, t.lm, t.settings, makeRng(t.seed), tick) };
}
