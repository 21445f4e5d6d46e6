import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArpa, perplexity, type NgramLM } from '../../src/lm/index.js';
import { weightedLmPpl, lengthRatio, chooseByWeightedPpl, chooseByPaperRule, type Candidate } from '../../src/selection/index.js';
import { UsageError } from '../../src/util/errors.js';

const ln = Math.log;
const lg = Math.log10;
const SIL = '<SIL>';

let bigram: NgramLM;
let unigram: NgramLM;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldphone-selection-'));
  // Bigram: P(a|<s>)=0.5, P(b|a)=0.8, P(</s>|b)=0.5; otherwise backoff(<s>)=backoff(a)=0.5 times
  // the unigram P(</s>)=0.3, P(a)=0.4, P(b)=0.2, P(<SIL>)=0.1 (b has no backoff weight: 1).
  writeFileSync(
    join(dir, 'bigram.arpa'),
    [
      '\\data\\', 'ngram 1=5', 'ngram 2=3', '',
      '\\1-grams:',
      `${lg(0.3)}\t</s>`,
      `-99\t<s>\t${lg(0.5)}`,
      `${lg(0.4)}\ta\t${lg(0.5)}`,
      `${lg(0.2)}\tb`,
      `${lg(0.1)}\t<SIL>`,
      '', '\\2-grams:',
      `${lg(0.5)}\t<s> a`,
      `${lg(0.8)}\ta b`,
      `${lg(0.5)}\tb </s>`,
      '', '\\end\\', '',
    ].join('\n'),
  );
  bigram = readArpa(join(dir, 'bigram.arpa'));
  // Unigram: P(a)=0.4, P(b)=0.2, P(c)=0.1, P(</s>)=0.3.
  writeFileSync(
    join(dir, 'unigram.arpa'),
    ['\\data\\', 'ngram 1=5', '', '\\1-grams:', `${lg(0.3)}\t</s>`, '-99\t<s>', `${lg(0.4)}\ta`, `${lg(0.2)}\tb`, `${lg(0.1)}\tc`, '', '\\end\\', ''].join('\n'),
  );
  unigram = readArpa(join(dir, 'unigram.arpa'));
});

describe('weightedLmPpl', () => {
  it('matches a hand-computed value on a bigram LM, with <SIL> removed before scoring', () => {
    const hyps = [['a', SIL, 'b'], ['b'], [SIL]];
    // <s> a b </s>: 0.5 · 0.8 · 0.5 = 0.2
    // <s> b </s>:   (0.5 · 0.2) · 0.5 = 0.05   (backoff from <s>)
    // <s> </s>:     0.5 · 0.3 = 0.15
    // tokens: (2+1) + (1+1) + (0+1) = 6
    const lmPpl = Math.exp(-(ln(0.2) + ln(0.05) + ln(0.15)) / 6);
    const usage = 2 / 3; // a and b of {a, b, <SIL>}
    const r = weightedLmPpl(hyps, bigram, ['a', 'b', SIL]);
    expect(r.lmPpl).toBeCloseTo(lmPpl, 9);
    expect(r.vocabUsage).toBeCloseTo(usage, 12);
    expect(r.weightedPpl).toBeCloseTo(lmPpl / usage ** 2, 9);
    // Same token counting as the LM module's perplexity (KenLM's: words + one </s> each).
    expect(r.lmPpl).toBeCloseTo(perplexity(bigram, [['a', 'b'], ['b'], []]).ppl, 9);
  });

  it('gives ∞ when nothing but silence (or nothing at all) is predicted', () => {
    const onlySil = weightedLmPpl([[SIL], []], bigram, ['a', 'b', SIL]);
    expect(onlySil.vocabUsage).toBe(0);
    expect(onlySil.lmPpl).toBeCloseTo(1 / 0.15, 9);
    expect(onlySil.weightedPpl).toBe(Infinity);
    expect(weightedLmPpl([], bigram, ['a', SIL]).weightedPpl).toBe(Infinity);
  });

  it('rejects units outside the model vocabulary', () => {
    expect(() => weightedLmPpl([['a', 'z']], bigram, ['a', 'b', SIL])).toThrow(UsageError);
    expect(() => weightedLmPpl([['a', 'z']], bigram, ['a', 'b', SIL])).toThrow(/'z'/);
  });
});

describe('lengthRatio', () => {
  it('is phones (without <SIL>) per second of speech over the expected rate', () => {
    const hyps = [['a', SIL, 'b'], ['c', SIL]];
    // 3 phones in 0.25 s = 12 phones/s
    expect(lengthRatio(hyps, [0.2, 0.05])).toEqual({ phonesPerSecond: 12, ratio: 1 });
    expect(lengthRatio(hyps, [0.2, 0.05], 6).ratio).toBeCloseTo(2, 12);
    expect(() => lengthRatio(hyps, [0.2])).toThrow(/2 hypotheses but 1 durations/);
    expect(() => lengthRatio(hyps, [0, 0])).toThrow(/no speech duration/);
    expect(() => lengthRatio(hyps, [0.2, 0.05], 0)).toThrow(/positive/);
  });
});

describe('choosing among candidates', () => {
  const vocab = ['a', 'b', 'c', SIL];
  // Unigram LM (a 0.4, b 0.2, c 0.1, </s> 0.3); every candidate transcribes the same two utterances.
  const X: Candidate = { id: 'X', hyps: [['a'], [SIL, 'a']] }; // only a: U = 1/4
  const Y: Candidate = { id: 'Y', hyps: [['a', 'b'], ['b', 'a']] }; // U = 2/4
  const Z: Candidate = { id: 'Z', hyps: [['a', 'b', 'c'], ['c', 'b', 'a']] }; // U = 3/4
  // Per utterance: X ln(0.4·0.3), Y ln(0.4·0.2·0.3), Z ln(0.4·0.2·0.1·0.3).
  const nll = { X: -ln(0.12) / 2, Y: -ln(0.024) / 3, Z: -ln(0.0024) / 4 };
  const U = { X: 1 / 4, Y: 2 / 4, Z: 3 / 4 };
  const total = { X: 2 * ln(0.12), Y: 2 * ln(0.024), Z: 2 * ln(0.0024) };

  it('paper rule: anchor by NLL − ln U, filter by the usage-adjusted 1.2 margin, choose by total log-probability', () => {
    // Anchor scores: X 1.0601 + 1.3863 = 2.4464; Y 1.2432 + 0.6931 = 1.9363; Z 1.5081 + 0.2877 = 1.7958 → Z.
    expect(nll.Z - ln(U.Z)).toBeLessThan(nll.Y - ln(U.Y));
    expect(nll.Y - ln(U.Y)).toBeLessThan(nll.X - ln(U.X));
    // Filter: Y 1.2432 < 1.5081 + ln(2/3) + ln 1.2 = 1.2849 → kept; X 1.0601 < 1.5081 + ln(1/3) + ln 1.2 = 0.5918 → out.
    expect(nll.Y).toBeLessThan(nll.Z + ln(U.Y / U.Z) + ln(1.2));
    expect(nll.X).toBeGreaterThan(nll.Z + ln(U.X / U.Z) + ln(1.2));
    // Choose: Y (−7.46) over Z (−12.06); X has the best total but was filtered out.
    const c = chooseByPaperRule([X, Y, Z], unigram, vocab);
    expect(c.anchor).toBe('Z');
    expect(c.best).toBe('Y');
    expect(c.table.map((r) => r.status)).toEqual(['outside-margin', 'chosen', 'eligible']);
    const byId = Object.fromEntries(c.table.map((r) => [r.id, r]));
    for (const id of ['X', 'Y', 'Z'] as const) {
      expect(byId[id].meanNll).toBeCloseTo(nll[id], 9);
      expect(byId[id].vocabUsage).toBeCloseTo(U[id], 12);
      expect(byId[id].totalLogProb).toBeCloseTo(total[id], 9);
    }
  });

  it('weighted perplexity picks the candidate with the lowest lm_ppl / U²', () => {
    // X: exp(4.2405/4)/(1/16) = 46.2;  Y: exp(7.4594/6)/(1/4) = 13.9;  Z: exp(12.0646/8)/(9/16) = 8.03
    const w = {
      X: Math.exp(-total.X / 4) / U.X ** 2,
      Y: Math.exp(-total.Y / 6) / U.Y ** 2,
      Z: Math.exp(-total.Z / 8) / U.Z ** 2,
    };
    const c = chooseByWeightedPpl([X, Y, Z], unigram, vocab);
    expect(c.best).toBe('Z');
    c.table.forEach((r) => expect(r.weightedPpl).toBeCloseTo(w[r.id as 'X' | 'Y' | 'Z'], 6));
    expect(c.table.map((r) => r.status)).toEqual(['eligible', 'eligible', 'chosen']);
  });

  it('sets aside candidates outside the length-ratio range and those that predict only silence', () => {
    const silent: Candidate = { id: 'S', hyps: [[SIL], []], lengthRatio: 1 };
    const cands = [
      { ...X, lengthRatio: 1 },
      { ...Y, lengthRatio: 2 },
      { ...Z, lengthRatio: 0.9 },
      silent,
    ];
    const p = chooseByPaperRule(cands, unigram, vocab, { lengthRatioRange: [0.6, 1.5] });
    expect(p.anchor).toBe('Z');
    expect(p.best).toBe('Z'); // Y is out of range, X outside the margin
    expect(p.table.map((r) => r.status)).toEqual(['outside-margin', 'length-out-of-range', 'chosen', 'no-output']);
    const w = chooseByWeightedPpl([silent], unigram, vocab);
    expect(w.best).toBeUndefined();
    expect(chooseByPaperRule([silent], unigram, vocab).best).toBeUndefined();
    expect(() => chooseByWeightedPpl([X], unigram, vocab, { lengthRatioRange: [0.6, 1.5] })).toThrow(/no length ratio/);
  });

  it('refuses candidates that did not decode the same utterances, or share an id', () => {
    expect(() => chooseByWeightedPpl([X, { id: 'W', hyps: [['a']] }], unigram, vocab)).toThrow(/same utterances/);
    expect(() => chooseByPaperRule([X, X], unigram, vocab)).toThrow(/twice/);
    expect(() => chooseByPaperRule([], unigram, vocab)).toThrow(/no candidate/);
  });
});
