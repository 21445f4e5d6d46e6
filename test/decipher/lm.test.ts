/**
 * phoneTrigram on a text small enough to count by hand: V = 3 phones, id 3
 * the sentence boundary in contexts.
 *
 *   S1: 0 1 2      S2: 1 1 0 2      S3: 0 1 1        (n = 10 phones)
 *
 * Unigram counts 0:3 1:5 2:2, so add-0.1 gives p̂₁ = (3.1, 5.1, 2.1) / 10.3.
 * Trigrams (a b → c):
 *   S1: 33→0 30→1 01→2   S2: 33→1 31→1 11→0 10→2   S3: 33→0 30→1 01→1
 * Bigram counts (b → c), with the context totals h₁:
 *   3: 0×2 1×1 (3)   0: 1×2 2×1 (3)   1: 2×1 1×2 0×1 (4)   2: — (0)
 * Trigram contexts (ab → c), totals h₂:
 *   33: 0×2 1×1 (3)  30: 1×2 (2)  01: 2×1 1×1 (2)  31: 1×1  11: 0×1  10: 2×1
 * Phone 2 only ends sentences, so context b = 2 is never seen.
 */
import { describe, expect, it } from 'vitest';
import { phoneTrigram, TRIGRAM_WEIGHTS } from '../../src/decipher/lm.js';

const V = 3;
const W = V + 1;
const START = V;
const text = [Int32Array.of(0, 1, 2), Int32Array.of(1, 1, 0, 2), Int32Array.of(0, 1, 1)];
const { unigram: w1, bigram: w2, trigram: w3 } = TRIGRAM_WEIGHTS;
const p1 = [3.1 / 10.3, 5.1 / 10.3, 2.1 / 10.3];
const at = (a: number, b: number, c: number) => (a * W + b) * V + c;

describe('phoneTrigram', () => {
  const lm = phoneTrigram(text, V);

  it('interpolates add-0.1 unigram, bigram and trigram relative frequencies', () => {
    expect(TRIGRAM_WEIGHTS).toEqual({ unigram: 0.05, bigram: 0.35, trigram: 0.6 });
    const p = (a: number, b: number, c: number) => Math.exp(lm.logp[at(a, b, c)]);
    // Sentence start: 0 follows the start 2 of 3 times in both the bigram and the trigram context.
    expect(p(START, START, 0)).toBeCloseTo(w1 * p1[0] + w2 * (2 / 3) + w3 * (2 / 3), 12);
    // Second phone of a sentence starting with 0: always 1.
    expect(p(START, 0, 1)).toBeCloseTo(w1 * p1[1] + w2 * (2 / 3) + w3 * 1, 12);
    // After "0 1": 1 and 2 once each; after 1 alone, 1 twice of 4, 2 once of 4.
    expect(p(0, 1, 1)).toBeCloseTo(w1 * p1[1] + w2 * (2 / 4) + w3 * (1 / 2), 12);
    expect(p(0, 1, 2)).toBeCloseTo(w1 * p1[2] + w2 * (1 / 4) + w3 * (1 / 2), 12);
    // Seen trigram context, unseen continuation: bigram and unigram only.
    expect(p(0, 1, 0)).toBeCloseTo(w1 * p1[0] + w2 * (1 / 4), 12);
    expect(p(1, 0, 2)).toBeCloseTo(w1 * p1[2] + w2 * (1 / 3) + w3 * 1, 12);
    // Unseen trigram context "2 0" (2 only ends sentences): bigram after 0 and unigram.
    expect(p(2, 0, 1)).toBeCloseTo(w1 * p1[1] + w2 * (2 / 3), 12);
    // Unseen bigram context 2: the unigram alone, for any a (the start included).
    for (const a of [0, 1, 2, START]) for (let c = 0; c < V; c++) expect(p(a, 2, c)).toBeCloseTo(w1 * p1[c], 12);
    // The start as b after a real phone a never occurs in a sentence: only b's bigram counts.
    expect(p(1, START, 0)).toBeCloseTo(w1 * p1[0] + w2 * (2 / 3), 12);
  });

  it('sums to 1 over c in seen contexts and to the weights of the seen parts in the others', () => {
    const seenTrigram = new Set(['3,3', '3,0', '0,1', '3,1', '1,1', '1,0']);
    const seenBigram = new Set([3, 0, 1]);
    for (let a = 0; a < W; a++)
      for (let b = 0; b < W; b++) {
        let s = 0;
        for (let c = 0; c < V; c++) s += Math.exp(lm.logp[at(a, b, c)]);
        // The mass of an unseen context is lost (no back-off): w₃, or w₃ + w₂, is missing.
        const expected = seenTrigram.has(`${a},${b}`) ? 1 : seenBigram.has(b) ? w1 + w2 : w1;
        expect(s, `context ${a} ${b}`).toBeCloseTo(expected, 12);
      }
  });

  it('keeps the plain relative frequencies as the unigram, summing to 1', () => {
    expect(Array.from(lm.unigram)).toEqual([0.3, 0.5, 0.2].map((x) => expect.closeTo(x, 14)));
    expect(lm.unigram.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 14);
    expect(lm.V).toBe(V);
    expect(lm.logp.length).toBe(W * W * V);
  });

  it('a phone the text lacks is unlikely, not impossible', () => {
    // Phone 3 of V = 4 never occurs: only the add-0.1 unigram gives it mass.
    const lm4 = phoneTrigram(text, 4);
    expect(lm4.unigram[3]).toBe(0);
    const pUnseen = Math.exp(lm4.logp[(4 * 5 + 4) * 4 + 3]);
    expect(pUnseen).toBeCloseTo(w1 * (0.1 / 10.4), 14);
    expect(pUnseen).toBeGreaterThan(0);
  });

  it('uses the weights it is given', () => {
    // Trigram alone: exactly the relative frequency, −∞ where never seen.
    const tri = phoneTrigram(text, V, { unigram: 0, bigram: 0, trigram: 1 });
    expect(Math.exp(tri.logp[at(START, START, 0)])).toBeCloseTo(2 / 3, 14);
    expect(tri.logp[at(0, 1, 0)]).toBe(-Infinity);
  });

  it('refuses phone ids outside 0..V-1 and an empty text', () => {
    expect(() => phoneTrigram([Int32Array.of(0, 3)], V)).toThrow(/phone id 3 outside 0\.\.2/);
    expect(() => phoneTrigram([Int32Array.of(-1)], V)).toThrow(RangeError);
    expect(() => phoneTrigram([], V)).toThrow(/no phones/);
    expect(() => phoneTrigram([new Int32Array(0)], V)).toThrow(/no phones/);
  });
});
