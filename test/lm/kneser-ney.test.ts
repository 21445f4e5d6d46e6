import { describe, it, expect } from 'vitest';
import { trainNgram, modifiedKnDiscounts, type NgramLM } from '../../src/lm/index.js';
import { phoneSentences, wordSentences } from './phone-grammar.js';

/** Every context (0 … order-1 words) that occurs in the padded training sentences. */
function seenContexts(sentences: string[][], order: number): string[][] {
  const seen = new Map<string, string[]>();
  for (const s of sentences) {
    const toks = ['<s>', ...s]; // contexts never contain </s>
    for (let end = 0; end <= toks.length; end++)
      for (let len = 0; len <= Math.min(order - 1, end); len++) {
        const ctx = toks.slice(end - len, end);
        seen.set(ctx.join(' '), ctx);
      }
  }
  return [...seen.values()];
}

function probabilityMass(lm: NgramLM, ctx: string[]): number {
  let sum = 0;
  for (const w of lm.vocab) if (w !== '<s>') sum += Math.exp(lm.logProb(w, ctx));
  return sum;
}

describe('trainNgram: normalisation', () => {
  const corpus = [...phoneSentences(25, 7), ['ʒ', 'ɛ', 'n', 'a'], ['a'], []];
  for (const order of [1, 2, 3, 4]) {
    it(`order ${order}: Σ_w P(w | ctx) = 1 for every seen context and for unseen ones`, () => {
      const lm = trainNgram(corpus, { order });
      const contexts = seenContexts(corpus, order);
      expect(contexts.length).toBeGreaterThan(order === 1 ? 0 : 20);
      const unseen = [['zzz'], ['p', 'zzz'], ['zzz', 'a', 'l'], ['<s>', 'zzz', 'ɛ'], ['x', 'x', 'x', 'x', 'x']];
      for (const ctx of [...contexts, ...unseen]) expect(Math.abs(probabilityMass(lm, ctx) - 1)).toBeLessThan(1e-9);
    });
  }
  it('also with <unk> replacement of rare words (word LM)', () => {
    const words = wordSentences(60, 3);
    const lm = trainNgram(words, { order: 3, unkCountThreshold: 3 });
    expect(lm.trainingStats?.unkReplaced).toBeGreaterThan(0);
    for (const ctx of seenContexts(words, 3)) expect(Math.abs(probabilityMass(lm, ctx) - 1)).toBeLessThan(1e-9);
  });
});

describe('trainNgram: hand-computed bigram model', () => {
  // Corpus:  a b  |  b  |  a a b      (padded: <s> … </s>)
  const lm = trainNgram([['a', 'b'], ['b'], ['a', 'a', 'b']], { order: 2 });

  // Bigrams (highest order: raw counts): <s> a:2, a b:2, b </s>:3, <s> b:1, a a:1.
  // Counts-of-counts t1=2, t2=2, t3=1, t4=0 → Y = 2/(2+2·2) = 1/3,
  const Y = 2 / (2 + 2 * 2);
  const D1 = 1 - 2 * Y * (2 / 2); //  = 1/3
  const D2 = 2 - 3 * Y * (1 / 2); //  = 3/2
  const D3 = 3 - 4 * Y * (0 / 1); //  = 3 (allowed: D_k ≤ k)
  // Unigrams use continuation counts N1+(• w): a ← {<s>, a} = 2, b ← {a, <s>} = 2, </s> ← {b} = 1,
  // <unk> 0. Counts-of-counts t1=1, t2=2, t3=0 → degenerate → fallback 0.5, 1, 1.5.
  const uniTotal = 2 + 2 + 1;
  const gamma0 = (1 + 1 + 0.5) / uniTotal; // D(2) + D(2) + D(1) = 2.5 → 0.5
  const uniform = 1 / 4; // vocabulary without <s>: </s>, <unk>, a, b
  const p1 = {
    a: (2 - 1) / uniTotal + gamma0 * uniform, // 0.325
    b: (2 - 1) / uniTotal + gamma0 * uniform, // 0.325
    '</s>': (1 - 0.5) / uniTotal + gamma0 * uniform, // 0.225
    '<unk>': gamma0 * uniform, // 0.125
  };
  // Context <s>: a:2, b:1 (T=3); context a: b:2, a:1 (T=3); context b: </s>:3 (T=3).
  const gammaS = (D2 + D1) / 3;
  const gammaA = (D2 + D1) / 3;
  const gammaB = D3 / 3;
  const p2 = {
    'a|<s>': (2 - D2) / 3 + gammaS * p1.a,
    'b|<s>': (1 - D1) / 3 + gammaS * p1.b,
    '</s>|<s>': gammaS * p1['</s>'],
    'b|a': (2 - D2) / 3 + gammaA * p1.b,
    'a|a': (1 - D1) / 3 + gammaA * p1.a,
    '<unk>|a': gammaA * p1['<unk>'],
    '</s>|b': (3 - D3) / 3 + gammaB * p1['</s>'],
    'a|b': gammaB * p1.a,
  };

  it('has the discounts from the formulas, and the fallback for unigrams', () => {
    expect(p1.a + p1.b + p1['</s>'] + p1['<unk>']).toBeCloseTo(1, 12);
    expect(lm.trainingStats?.fallbackOrders).toEqual([1]);
    expect(lm.trainingStats?.discounts[0]).toEqual([0.5, 1, 1.5]);
    const d = lm.trainingStats?.discounts[1] as number[];
    expect(d[0]).toBeCloseTo(1 / 3, 12);
    expect(d[1]).toBeCloseTo(1.5, 12);
    expect(d[2]).toBeCloseTo(3, 12);
  });

  it('gives the hand-computed probabilities', () => {
    const cases: [string, string[], number][] = [
      ['a', [], p1.a],
      ['</s>', [], p1['</s>']],
      ['a', ['<s>'], p2['a|<s>']],
      ['b', ['<s>'], p2['b|<s>']],
      ['</s>', ['<s>'], p2['</s>|<s>']],
      ['b', ['a'], p2['b|a']],
      ['a', ['a'], p2['a|a']],
      ['never-seen', ['a'], p2['<unk>|a']],
      ['</s>', ['b'], p2['</s>|b']],
      ['a', ['x', 'y', 'b'], p2['a|b']], // only the last order-1 words count
      ['b', ['never-seen'], p1.b], // unseen context → unigram
    ];
    for (const [w, ctx, p] of cases) expect(lm.logProb(w, ctx)).toBeCloseTo(Math.log(p), 12);
    expect(lm.sentenceLogProb(['a', 'b'])).toBeCloseTo(Math.log(p2['a|<s>']) + Math.log(p2['b|a']) + Math.log(p2['</s>|b']), 12);
    expect(lm.sentenceLogProb([])).toBeCloseTo(Math.log(p2['</s>|<s>']), 12);
  });

  it('lists the vocabulary with the special tokens', () => {
    expect(lm.vocab).toEqual(['<s>', '</s>', '<unk>', 'a', 'b']);
  });
});

describe('trainNgram: options and inputs', () => {
  it('maps words rarer than unkCountThreshold to <unk>', () => {
    const lm = trainNgram([['a', 'b'], ['a', 'c'], ['a', 'b']], { order: 2, unkCountThreshold: 2 });
    expect(lm.vocab).toEqual(['<s>', '</s>', '<unk>', 'a', 'b']);
    expect(lm.logProb('c', ['a'])).toBe(lm.logProb('<unk>', ['a']));
    expect(lm.logProb('c', ['a'])).toBe(lm.logProb('zzz', ['a']));
    // <unk> was seen once after 'a', so it beats what an unseen word would get from the unigram alone.
    expect(lm.logProb('<unk>', ['a'])).toBeGreaterThan(lm.logProb('<unk>', []));
  });

  it('rejects bad orders, options and tokens', () => {
    expect(() => trainNgram([['a']], { order: 0 })).toThrow(/order/);
    expect(() => trainNgram([['a']], { order: 2.5 })).toThrow(/order/);
    expect(() => trainNgram([], { order: 2 })).toThrow(/no sentences/);
    expect(() => trainNgram([['a'], ['b', '<s>']], { order: 2 })).toThrow(/sentence 2: token <s> is reserved/);
    expect(() => trainNgram([['a b']], { order: 2 })).toThrow(/whitespace/);
    expect(() => trainNgram([['a']], { order: 2, unkCountThreshold: -1 })).toThrow(/unkCountThreshold/);
  });
});

describe('modifiedKnDiscounts', () => {
  it('follows Chen & Goodman', () => {
    // t1=10, t2=4, t3=2, t4=1: Y = 10/18; D1 = 1 − 2·Y·4/10 = 5/9; D2 = 2 − 3·Y·2/4 = 7/6; D3 = 3 − 4·Y·1/2 = 17/9.
    const d = modifiedKnDiscounts([0, 10, 4, 2, 1]) as number[];
    expect(d[0]).toBeCloseTo(5 / 9, 12);
    expect(d[1]).toBeCloseTo(7 / 6, 12);
    expect(d[2]).toBeCloseTo(17 / 9, 12);
  });
  it('refuses degenerate counts-of-counts', () => {
    expect(modifiedKnDiscounts([0, 3, 2, 0, 0])).toBeUndefined(); // t3 = 0
    expect(modifiedKnDiscounts([0, 10, 1, 10, 1])).toBeUndefined(); // D2 = 2 − 3·(10/12)·10 < 0
  });
});
