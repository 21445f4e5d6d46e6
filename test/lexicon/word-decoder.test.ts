/**
 * The word decoder on synthetic posteriors built from a known item sequence:
 * it recovers the words through noise and a wrong phone, keeps phones no
 * word explains as an unknown stretch, lets the LM weight decide between
 * acoustically (near-)equal words, and with a wide beam finds exactly the
 * best path of the topology, checked against an enumeration of all paths.
 */
import { describe, expect, it } from 'vitest';
import { collapseRuns, logSoftmaxRows, WordDecoder, type DecodedWord } from '../../src/lexicon/index.js';
import { kthLargest } from '../../src/lexicon/word-decoder.js';
import { BOS, EOS, trainNgram, UNK, type NgramLM } from '../../src/lm/index.js';
import { makeRng } from '../../src/util/rng.js';

const SIL = '<SIL>';
const UNITS = ['a', 'b', 'd', 'e', 'i', 'k', 'l', 'm', 'n', 'o', 'r', 's', 't', 'u', 'g', SIL];

const LEXICON = new Map<string, string[][]>([
  ['bata', [['b', 'a', 't', 'a']]],
  ['bada', [['b', 'a', 'd', 'a']]],
  ['lumi', [['l', 'u', 'm', 'i']]],
  ['sena', [['s', 'e', 'n', 'a']]],
  ['kato', [['k', 'a', 't', 'o']]],
  ['mulo', [['m', 'u', 'l', 'o']]],
  ['rima', [['r', 'i', 'm', 'a']]],
]);

const TEXT = [
  'bata lumi sena',
  'lumi kato bata',
  'sena bata mulo',
  'kato rima bata',
  'mulo sena kato',
  'rima bata lumi',
  'bata sena rima',
  'mulo bada kato',
].map((s) => s.split(' '));

/** One item of a synthetic utterance: a phone (or <SIL>) held for `steps` output steps. */
type Run = [unit: string, steps: number];

/**
 * Logits [steps × units]: the run's unit gets `peak`, every other unit 0, plus
 * Gaussian noise of standard deviation `noise` everywhere (seeded).
 */
function synthLogits(runs: Run[], opts: { peak?: number; noise?: number; seed?: number } = {}): { logits: Float32Array; steps: number } {
  const { peak = 6, noise = 0.8, seed = 1 } = opts;
  const rng = makeRng(seed);
  const steps = runs.reduce((s, r) => s + r[1], 0);
  const logits = new Float32Array(steps * UNITS.length);
  let t = 0;
  for (const [unit, n] of runs) {
    const j = UNITS.indexOf(unit);
    if (j < 0) throw new Error(`no unit ${unit}`);
    for (let k = 0; k < n; k++, t++) {
      for (let u = 0; u < UNITS.length; u++) logits[t * UNITS.length + u] = noise * rng.normal();
      logits[t * UNITS.length + j] += peak;
    }
  }
  return { logits, steps };
}

/** Runs of a word's phones, each `n` steps. */
const say = (phones: string, n = 2): Run[] => phones.split(' ').map((p) => [p, n]);

function decode(d: WordDecoder, runs: Run[], opts?: Parameters<typeof synthLogits>[1]): DecodedWord[] {
  const { logits, steps } = synthLogits(runs, opts);
  return d.decode(logSoftmaxRows(logits, steps, UNITS.length), steps);
}

const lm = trainNgram(TEXT, { order: 3 });

describe('word decoder on synthetic posteriors', () => {
  it('recovers a known word sequence through noise, a wrong phone and optional silences', () => {
    const d = new WordDecoder(LEXICON, lm, UNITS, SIL);
    // "bata lumi sena kato", with "lumi" said as "l u n i" (a swapped phone) and no pause before "kato".
    const runs: Run[] = [[SIL, 3], ...say('b a t a'), [SIL, 2], ...say('l u n i', 3), ...say('s e n a'), ...say('k a t o'), [SIL, 4]];
    const words = decode(d, runs, { noise: 1.2, seed: 7 });
    expect(words.map((w) => w.word)).toEqual(['bata', 'lumi', 'sena', 'kato']);
    expect(words.every((w) => !w.oov)).toBe(true);
    // Step boundaries where the words were put: bata 3–11, lumi 13–25, sena 25–33, kato 33–41.
    expect(words.map((w) => [w.startStep, w.endStep])).toEqual([[3, 11], [13, 25], [25, 33], [33, 41]]);
    expect(words[1].phones).toEqual(['l', 'u', 'm', 'i']);
  });

  it('keeps a stretch of phones no lexicon word explains as one unknown segment', () => {
    const d = new WordDecoder(LEXICON, lm, UNITS, SIL);
    const runs: Run[] = [...say('b a t a'), [SIL, 2], ...say('g o r d i'), [SIL, 2], ...say('s e n a')];
    const words = decode(d, runs, { seed: 3 });
    expect(words.map((w) => [w.word, w.oov])).toEqual([
      ['bata', false],
      ['g o r d i', true],
      ['sena', false],
    ]);
    expect(words[1].phones).toEqual(['g', 'o', 'r', 'd', 'i']);
    expect([words[1].startStep, words[1].endStep]).toEqual([10, 20]);
    // Switched off, the same stretch has to be forced into lexicon words.
    const forced = decode(new WordDecoder(LEXICON, lm, UNITS, SIL, { unknownWords: false }), runs, { seed: 3 });
    expect(forced.some((w) => w.oov)).toBe(false);
    expect(forced.length).toBeGreaterThan(2);
  });

  it('lets a raised LM weight pick the LM-preferred word between acoustically near-equal words', () => {
    // "mulo b a ? a kato", where ? is t and d almost equally: which of "bata" and "bada"?
    const sentence = (w: string) => lm.sentenceLogProb(['mulo', w, 'kato']);
    const [preferred, other] = sentence('bata') > sentence('bada') ? ['bata', 'bada'] : ['bada', 'bata'];
    const lmMargin = Math.abs(sentence('bata') - sentence('bada'));
    const runs: Run[] = [...say('m u l o'), ...say('b a'), ['t', 2], ...say('a'), ...say('k a t o')];
    const { logits, steps } = synthLogits(runs, { noise: 0 });
    // The acoustics lean (by 0.3 per step) towards the word the LM does NOT prefer.
    const t = UNITS.indexOf('t'), d = UNITS.indexOf('d');
    for (const s of [12, 13]) {
      logits[s * UNITS.length + t] = other === 'bata' ? 6.3 : 6;
      logits[s * UNITS.length + d] = other === 'bada' ? 6.3 : 6;
    }
    const lp = logSoftmaxRows(logits, steps, UNITS.length);
    // Unknown stretches off: with the LM weight at 0 they would cost nothing.
    const second = (lmWeight: number) =>
      new WordDecoder(LEXICON, lm, UNITS, SIL, { lmWeight, wordScore: 0, unknownWords: false }).decode(lp, steps).map((w) => w.word);
    expect(lmMargin).toBeGreaterThan(0.3); // the LM does have a preference, worth more than the acoustic lean at weight 3
    expect(second(0)).toEqual(['mulo', other, 'kato']);
    expect(second(3)).toEqual(['mulo', preferred, 'kato']);
  });

  it('chooses between true homophones by the LM alone', () => {
    const lex = new Map(LEXICON);
    lex.set('bita', [['b', 'a', 't', 'a']]); // spelt differently, said the same as "bata"
    const text = [...TEXT, ['kato', 'bita', 'mulo'], ['kato', 'bita', 'rima'], ['rima', 'bita', 'mulo']];
    const lm2 = trainNgram(text, { order: 3 });
    const d = new WordDecoder(lex, lm2, UNITS, SIL);
    const lmChoice = (first: string) => (lm2.sentenceLogProb([first, 'bita', 'mulo']) > lm2.sentenceLogProb([first, 'bata', 'mulo']) ? 'bita' : 'bata');
    const heard = (first: string) => decode(d, [...say(first.split('').join(' ')), ...say('b a t a'), ...say('m u l o')], { seed: 11 }).map((w) => w.word);
    expect([lmChoice('kato'), lmChoice('sena')]).toEqual(['bita', 'bata']); // the LM does tell them apart
    expect(heard('kato')).toEqual(['kato', 'bita', 'mulo']);
    expect(heard('sena')).toEqual(['sena', 'bata', 'mulo']);
  });

  it('selects the k-th largest score as sorting would (the beam cut)', () => {
    const rng = makeRng(5);
    for (const n of [1, 2, 7, 100]) {
      // Few distinct values, so ties are common.
      const xs = Array.from({ length: n }, () => Math.round(rng.next() * 10) / 2);
      const sorted = [...xs].sort((a, b) => b - a);
      for (let k = 1; k <= n; k++) expect(kthLargest(Float64Array.from(xs), k)).toBe(sorted[k - 1]);
    }
  });

  it('handles an empty utterance and rejects posteriors of the wrong shape', () => {
    const d = new WordDecoder(LEXICON, lm, UNITS, SIL);
    expect(d.decode(new Float32Array(0), 0)).toEqual([]);
    expect(() => d.decode(new Float32Array(5), 1)).toThrow(/5 values for 1 steps/);
  });
});

// ---------------------------------------------------------------- brute force

const TINY_UNITS = ['x', 'y', 'z', SIL];
const TINY_LEXICON = new Map<string, string[][]>([
  ['ex', [['x']]],
  ['exy', [['x', 'y'], ['x', 'x', 'y']]], // the second variant collapses to the first
  ['wy', [['y']]],
  ['zed', [['z', 'x']]],
  ['yyz', [['y', 'z']]],
  ['ghost', [['q']]], // a phone the model does not have: never decodable
]);
const TINY_TEXT = [['ex', 'wy'], ['exy', 'zed'], ['wy', 'ex', 'zed'], ['yyz'], ['ex', 'exy', 'wy']];

interface Opts {
  lmWeight: number;
  wordScore: number;
  unknownPhoneScore: number;
  unknownWords: boolean;
}

/**
 * Every path of the topology (word-decoder.ts's header) on T steps, scored
 * independently: items are words (collapsed pronunciations), unknown stretches
 * (phones with no two adjacent equal) and single silence runs (never two in a
 * row); each phone or silence takes ≥ 1 consecutive steps.
 */
function bruteForce(lp: Float32Array, T: number, lmod: NgramLM, o: Opts): { score: number; items: string[] } {
  const U = TINY_UNITS.length;
  const sil = TINY_UNITS.indexOf(SIL);
  const phoneUnits = TINY_UNITS.map((_, i) => i).filter((i) => i !== sil);
  const prons: { word: string; units: number[] }[] = [];
  for (const [word, ps] of TINY_LEXICON)
    for (const p of ps) {
      const ids = p.map((x) => TINY_UNITS.indexOf(x));
      if (ids.every((i) => i >= 0)) prons.push({ word, units: collapseRuns(ids) });
    }
  let best = { score: -Infinity, items: [] as string[] };

  // Best acoustic score of unit sequence `units` over steps [t0, t1), each unit ≥ 1 step: all splits.
  const splits = (units: number[], t0: number, t1: number): number => {
    if (units.length === 0) return t0 === t1 ? 0 : -Infinity;
    let bestS = -Infinity;
    let acc = 0;
    for (let t = t0; t < t1 - (units.length - 1); t++) {
      acc += lp[t * U + units[0]];
      bestS = Math.max(bestS, acc + splits(units.slice(1), t + 1, t1));
    }
    return bestS;
  };
  const unitSeqs = (maxLen: number): number[][] => {
    const out: number[][] = [];
    const grow = (seq: number[]) => {
      if (seq.length > 0) out.push(seq);
      if (seq.length === maxLen) return;
      for (const u of phoneUnits) if (seq.length === 0 || seq[seq.length - 1] !== u) grow([...seq, u]);
    };
    grow([]);
    return out;
  };

  const walk = (t: number, history: string[], prevSil: boolean, score: number, items: string[]) => {
    if (t === T) {
      const s = score + o.lmWeight * lmod.logProb(EOS, history);
      if (s > best.score) best = { score: s, items };
      return;
    }
    for (let end = t + 1; end <= T; end++) {
      if (!prevSil) walk(end, history, true, score + splits([sil], t, end), [...items, SIL]);
      for (const p of prons) {
        if (p.units.length > end - t) continue;
        const s = splits(p.units, t, end);
        if (s > -Infinity) walk(end, [...history, p.word], false, score + s + o.lmWeight * lmod.logProb(p.word, history) + o.wordScore, [...items, p.word]);
      }
      if (o.unknownWords)
        for (const q of unitSeqs(end - t)) {
          const s = splits(q, t, end);
          const lmS = o.lmWeight * lmod.logProb(UNK, history) + o.wordScore + q.length * o.unknownPhoneScore;
          walk(end, [...history, UNK], false, score + s + lmS, [...items, `?${q.map((u) => TINY_UNITS[u]).join('')}`]);
        }
    }
  };
  walk(0, [BOS], false, 0, []);
  return best;
}

describe('word decoder against an enumeration of all paths', () => {
  const tinyLm = trainNgram(TINY_TEXT, { order: 2 });
  const cases: { seed: number; T: number; o: Opts }[] = [
    { seed: 1, T: 5, o: { lmWeight: 0.87, wordScore: 1, unknownPhoneScore: -1, unknownWords: true } },
    { seed: 2, T: 6, o: { lmWeight: 2, wordScore: -0.5, unknownPhoneScore: -0.3, unknownWords: true } },
    { seed: 3, T: 6, o: { lmWeight: 0.5, wordScore: 2, unknownPhoneScore: -2, unknownWords: false } },
    { seed: 4, T: 6, o: { lmWeight: 1, wordScore: 0, unknownPhoneScore: -0.5, unknownWords: true } },
    { seed: 5, T: 4, o: { lmWeight: 0, wordScore: 0.5, unknownPhoneScore: 0, unknownWords: true } },
  ];
  for (const { seed, T, o } of cases) {
    it(`finds the maximum-scoring path (seed ${seed}, ${T} steps)`, () => {
      const rng = makeRng(seed);
      const logits = new Float32Array(T * TINY_UNITS.length).map(() => 3 * (rng.next() - 0.5));
      const lp = logSoftmaxRows(logits, T, TINY_UNITS.length);
      const truth = bruteForce(lp, T, tinyLm, o);
      const d = new WordDecoder(TINY_LEXICON, tinyLm, TINY_UNITS, SIL, { ...o, beamSize: 1e6, beamThreshold: 1e9, tokenBeam: TINY_UNITS.length });
      const got = d.search(lp, T);
      expect(got.score).toBeCloseTo(truth.score, 9);
      const items = got.words.map((w) => (w.oov ? `?${w.phones.join('')}` : w.word));
      expect(items).toEqual(truth.items.filter((i) => i !== SIL));
      // The words' own scores and the insertion bonuses add up to the path score, </s> aside.
      const lmEnd = o.lmWeight * tinyLm.logProb(EOS, [BOS, ...got.words.map((w) => (w.oov ? UNK : w.word))]);
      const sum = got.words.reduce((s, w) => s + w.score + o.wordScore, 0) + lmEnd;
      const silence = got.score - sum; // acoustics of the silences between items
      expect(silence).toBeLessThanOrEqual(1e-9);
      expect(d.tree.skipped).toEqual(['ghost']);
    });
  }
});
