/**
 * The cipher side of decipherment: cipherText's trigram table, mapScore
 * against a position-by-position computation, annealing against exhaustive
 * search on a tiny cipher, and recovery of a homophonic key from a made-up
 * language's text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { anneal, cipherText, mapScore, type AnnealSettings, type CipherText } from '../../src/decipher/anneal.js';
import { DEFAULT_DECIPHER } from '../../src/decipher/config.js';
import { phoneTrigram, type PhoneTrigram } from '../../src/decipher/lm.js';
import { makeRng, type Rng } from '../../src/util/rng.js';

/** Entries of t as "a b c" → count, and each symbol's entries as sorted "a b c" strings. */
function table(t: CipherText) {
  const gram = (e: number) => `${t.grams[3 * e]} ${t.grams[3 * e + 1]} ${t.grams[3 * e + 2]}`;
  const counts = Object.fromEntries(Array.from(t.counts, (n, e) => [gram(e), n]));
  const bySymbol = t.bySymbol.map((l) => Array.from(l, gram).sort());
  return { counts, bySymbol };
}

/** The score as the anneal.ts header defines it, position by position: Σ ln p(f(c) | f(a) f(b)) + w·N·Σ_c q(c)·ln(share of c + 1e-6). */
function bruteScore(f: Int32Array, sequences: Int32Array[], lm: PhoneTrigram, weight: number): number {
  const V = lm.V;
  const phoneCounts = new Float64Array(V);
  let ll = 0;
  let N = 0;
  for (const s of sequences)
    for (let i = 0; i < s.length; i++) {
      const a = i >= 2 ? f[s[i - 2]] : V;
      const b = i >= 1 ? f[s[i - 1]] : V;
      ll += lm.logp[(a * (V + 1) + b) * V + f[s[i]]];
      phoneCounts[f[s[i]]]++;
      N++;
    }
  let cover = 0;
  for (let c = 0; c < V; c++) if (lm.unigram[c] > 0) cover += lm.unigram[c] * Math.log(phoneCounts[c] / N + 1e-6);
  return ll + weight * N * cover;
}

const randomSequences = (rng: Rng, n: number, maxLen: number, K: number) =>
  Array.from({ length: n }, () => Int32Array.from({ length: 1 + rng.int(maxLen) }, () => rng.int(K)));

describe('cipherText', () => {
  it('counts each distinct trigram and lists it once under each symbol it contains', () => {
    // K = 3, so 3 is the start context.
    const t = cipherText([Int32Array.of(0, 1, 0), Int32Array.of(0, 1, 2), new Int32Array(0), Int32Array.of(2, 2)], 3);
    expect(t.K).toBe(3);
    expect(t.N).toBe(8);
    expect(Array.from(t.symbolCounts)).toEqual([3, 2, 3]);
    const { counts, bySymbol } = table(t);
    expect(counts).toEqual({ '3 3 0': 2, '3 0 1': 2, '0 1 0': 1, '0 1 2': 1, '3 3 2': 1, '3 2 2': 1 });
    // "0 1 0" under 0 once, "3 2 2" under 2 once; the start context 3 has no list.
    expect(bySymbol).toEqual([
      ['0 1 0', '0 1 2', '3 0 1', '3 3 0'],
      ['0 1 0', '0 1 2', '3 0 1'],
      ['0 1 2', '3 2 2', '3 3 2'],
    ]);
  });

  it('refuses a symbol outside 0..K-1', () => {
    expect(() => cipherText([Int32Array.of(0, 3)], 3)).toThrow(/cluster 3 outside 0\.\.2/);
    expect(() => cipherText([Int32Array.of(-1)], 3)).toThrow(RangeError);
  });
});

describe('mapScore', () => {
  it('equals the position-by-position score on a random cipher', () => {
    const rng = makeRng(11);
    const V = 4;
    const K = 7;
    const lm = phoneTrigram(randomSequences(rng, 30, 8, V), V);
    const sequences = randomSequences(rng, 25, 9, K);
    const t = cipherText(sequences, K);
    for (let trial = 0; trial < 5; trial++) {
      const f = Int32Array.from({ length: K }, () => rng.int(V));
      for (const w of [0, 1, 2.5]) {
        const want = bruteScore(f, sequences, lm, w);
        expect(Number.isFinite(want)).toBe(true);
        expect(mapScore(f, t, lm, w)).toBeCloseTo(want, 8);
      }
    }
  });
});

describe('anneal', () => {
  it('finds the best map of a tiny cipher, as exhaustive search does', () => {
    // V = 3 phones, K = 8 symbols: 3⁸ = 6,561 maps, few enough to score them all.
    const { lm, text, key } = homophonicCipher(1, 3, 80, 0.05);
    expect(text.K).toBe(8);
    const f = new Int32Array(text.K);
    let best = -Infinity;
    let bestMap = '';
    for (let code = 0; code < 3 ** text.K; code++) {
      for (let k = 0, r = code; k < text.K; k++, r = Math.floor(r / 3)) f[k] = r % 3;
      const s = mapScore(f, text, lm, 1);
      if (s > best) [best, bestMap] = [s, f.join('')];
    }
    expect(bestMap).toBe(key.join(''));
    for (const seed of [1, 2, 3]) {
      const run = anneal(text, lm, { iterations: 20_000, startTemperature: 20, endTemperature: 0.01, unigramWeight: 1 }, makeRng(seed));
      expect(run.score).toBeCloseTo(mapScore(run.map, text, lm, 1), 8);
      expect(run.score).toBeCloseTo(best, 8);
    }
  });

  it('ends cold in a map no single re-map improves (its score changes match mapScore)', () => {
    // Random symbols have many near-tied optima apart by several re-maps, so only local optimality is asked.
    const rng = makeRng(5);
    const V = 4;
    const K = 7;
    const lm = phoneTrigram(randomSequences(rng, 40, 7, V), V);
    const t = cipherText(randomSequences(rng, 30, 7, K), K);
    for (const seed of [1, 2]) {
      const { map, score } = anneal(t, lm, { iterations: 20_000, startTemperature: 20, endTemperature: 0.001, unigramWeight: 1 }, makeRng(seed));
      for (let k = 0; k < K; k++)
        for (let c = 0; c < V; c++) {
          const g = map.slice();
          g[k] = c;
          expect(mapScore(g, t, lm, 1)).toBeLessThanOrEqual(score + 1e-9);
        }
    }
  });

  it('reports every iteration to its tick, in steps of 2²⁰ and the rest', () => {
    const t = cipherText([Int32Array.of(0, 1, 2, 1)], 3);
    const lm = phoneTrigram([Int32Array.of(0, 1, 0)], 2);
    const ticks: number[] = [];
    const iterations = (1 << 20) + 1234;
    anneal(t, lm, { iterations, startTemperature: 1, endTemperature: 1, unigramWeight: 1 }, makeRng(2), (n) => ticks.push(n));
    expect(ticks).toEqual([1 << 20, 1234]);
  });
});

/**
 * A made-up language: a random trigram chain over V phones in which each
 * context allows 3–4 next phones (at most V − 1) with random weights,
 * sentences 3–30 phones long. Half its sentences train the phone trigram;
 * the other half is enciphered with a homophonic key (each phone 2–3
 * symbols, one picked at random per occurrence), a share `noise` of the
 * symbols then replaced by random ones.
 */
function homophonicCipher(seed: number, V: number, sentenceCount: number, noise: number) {
  const W = V + 1;
  const rng = makeRng(seed);
  const next = Array.from({ length: W * W }, () => {
    const phones: number[] = [];
    for (const n = Math.min(3 + rng.int(2), V - 1); phones.length < n; ) {
      const c = rng.int(V);
      if (!phones.includes(c)) phones.push(c);
    }
    return { phones, weights: phones.map(() => 0.2 + rng.next()) };
  });
  const sentence = () => {
    const s: number[] = [];
    for (let a = V, b = V; s.length < 30 && !(s.length >= 3 && rng.next() < 0.15); ) {
      const { phones, weights } = next[a * W + b];
      let u = rng.next() * weights.reduce((x, y) => x + y, 0);
      let i = 0;
      while (i < phones.length - 1 && (u -= weights[i]) >= 0) i++;
      s.push(phones[i]);
      [a, b] = [b, phones[i]];
    }
    return Int32Array.from(s);
  };
  const sentences = Array.from({ length: sentenceCount }, sentence);
  const half = sentenceCount / 2;
  const symbolsOf: number[][] = [];
  const key: number[] = [];
  for (let p = 0; p < V; p++) symbolsOf.push(Array.from({ length: 2 + rng.int(2) }, () => key.push(p) - 1));
  const K = key.length;
  let noisy = 0;
  const sequences = sentences.slice(half).map((s) =>
    Int32Array.from(s, (p) => {
      if (rng.next() < noise) {
        noisy++;
        return rng.int(K);
      }
      return symbolsOf[p][rng.int(symbolsOf[p].length)];
    }),
  );
  return { lm: phoneTrigram(sentences.slice(0, half), V), text: cipherText(sequences, K), key: Int32Array.from(key), plain: sentences.slice(half), sequences, noisy };
}

describe('decipherment of a homophonic cipher', () => {
  const { lm, text, key, plain, sequences, noisy } = homophonicCipher(3, 8, 2000, 0.05);
  // ~8,700 symbols: DEFAULT_DECIPHER's temperatures suit a score of this size (a move shifts it by tens to hundreds).
  const settings: AnnealSettings = { iterations: 100_000, startTemperature: DEFAULT_DECIPHER.startTemperature, endTemperature: DEFAULT_DECIPHER.endTemperature, unigramWeight: DEFAULT_DECIPHER.unigramWeight };

  let run: { map: Int32Array; score: number };
  beforeAll(() => {
    run = anneal(text, lm, settings, makeRng(7));
  });

  it('recovers the key and scores at least as well as the key itself', () => {
    expect(text.K).toBeGreaterThanOrEqual(16);
    expect(text.K).toBeLessThanOrEqual(24);
    expect(noisy / text.N).toBeGreaterThan(0.04);
    // Share of symbol occurrences whose symbol is mapped to its key's phone.
    let right = 0;
    for (let k = 0; k < text.K; k++) if (run.map[k] === key[k]) right += text.symbolCounts[k];
    expect(right / text.N).toBeGreaterThanOrEqual(0.9);
    // Occurrences labelled with the phone actually spoken (noise caps this near 95 %).
    let spoken = 0;
    sequences.forEach((s, r) => s.forEach((k, i) => (spoken += run.map[k] === plain[r][i] ? 1 : 0)));
    expect(spoken / text.N).toBeGreaterThan(0.85);
    const keyScore = mapScore(key, text, lm, settings.unigramWeight);
    expect(run.score).toBeGreaterThanOrEqual(keyScore - 0.001 * text.N);
  });

  it('a random map scores far below the one found', () => {
    const rng = makeRng(8);
    for (let trial = 0; trial < 5; trial++) {
      const f = Int32Array.from({ length: text.K }, () => rng.int(lm.V));
      // More than a nat per symbol worse.
      expect(mapScore(f, text, lm, settings.unigramWeight)).toBeLessThan(run.score - text.N);
    }
  });

  it('continues from a given map: cold, from the key, it only climbs and stays near the key', () => {
    const cold = { ...settings, iterations: 20_000, startTemperature: 0.01, endTemperature: 0.01 };
    const from = anneal(text, lm, cold, makeRng(9), undefined, key);
    expect(from.score).toBeGreaterThanOrEqual(mapScore(key, text, lm, settings.unigramWeight));
    let same = 0;
    for (let k = 0; k < text.K; k++) if (from.map[k] === key[k]) same += text.symbolCounts[k];
    expect(same / text.N).toBeGreaterThanOrEqual(0.9);
    // A random start at the same cold temperature gets stuck far lower: the start is what was used.
    expect(anneal(text, lm, cold, makeRng(9)).score).toBeLessThan(from.score - 0.1 * text.N);
    expect(() => anneal(text, lm, cold, makeRng(9), undefined, key.subarray(1))).toThrow(/starting map has/);
  });

  it('gives the same map from the same seed', () => {
    // Even 3,000 iterations find the key here, so walk at a temperature that takes every move: the map then depends on the seed alone.
    const short = { ...settings, iterations: 2_000, startTemperature: 1e9, endTemperature: 1e9 };
    const one = anneal(text, lm, short, makeRng(42));
    const two = anneal(text, lm, short, makeRng(42));
    expect(Array.from(two.map)).toEqual(Array.from(one.map));
    expect(two.score).toBe(one.score);
    expect(Array.from(anneal(text, lm, short, makeRng(43)).map)).not.toEqual(Array.from(one.map));
  });
});
