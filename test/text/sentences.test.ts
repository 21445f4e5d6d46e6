import { describe, it, expect } from 'vitest';
import { phonemizeSentences, espeakPhonemizer, type Phonemizer } from '../../src/text/index.js';

/** A phonemizer that spells words letter by letter, cannot do "xyz", and records what it was asked. */
function spelling(): Phonemizer & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    name: 'spelling',
    description: 'test',
    calls,
    async phonemizeWords(words) {
      calls.push(words);
      return words.map((w) => (w === 'xyz' ? null : Array.from(w)));
    },
  };
}

describe('phonemizeSentences', () => {
  it('normalises lines, phonemizes, and drops empty lines and lines with unpronounceable words', async () => {
    const p = spelling();
    const r = await phonemizeSentences(['Ab, cd!', '', 'ab xyz ab', '...', 'xyz xyz', 'Cd'], p);
    expect(r.sentences).toEqual([[['a', 'b'], ['c', 'd']], [['c', 'd']]]);
    expect(r.words).toEqual([['ab', 'cd'], ['cd']]);
    expect(r.lines).toEqual([1, 6]);
    expect(r.dropped).toEqual([
      { line: 2, kind: 'empty', reason: 'empty after normalisation' },
      { line: 3, kind: 'unpronounceable', reason: 'no pronunciation for "xyz"' },
      { line: 4, kind: 'empty', reason: 'empty after normalisation' },
      { line: 5, kind: 'unpronounceable', reason: 'no pronunciation for "xyz"' },
    ]);
    expect(r.oov).toEqual(new Map([['xyz', 3]]));
  });

  it('asks the phonemizer for each word type once, in batches', async () => {
    const p = spelling();
    await phonemizeSentences(['a b c', 'c b a', 'd e', 'a e'], p, { batchSize: 2 });
    expect(p.calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('counts profile gaps in kept sentences', async () => {
    const gappy: Phonemizer = {
      name: 'gappy',
      description: 'test',
      phonemizeWords: async (ws) => ws.map((w) => Array.from(w, (c) => (c === 'q' ? '\uFFFDq' : c))),
    };
    const r = await phonemizeSentences(['aq qq', 'b'], gappy);
    expect(r.unmatched).toEqual(new Map([['\uFFFDq', 3]]));
  });

  it('passes normalisation options through', async () => {
    const r = await phonemizeSentences(['Ab 12'], spelling(), { normalize: { lowercase: false, digits: 'drop' } });
    expect(r.words).toEqual([['Ab']]);
  });

  it('works end to end with espeak-ng on Czech sentences', async () => {
    const p = await espeakPhonemizer('cs');
    const r = await phonemizeSentences(['Dobrý den, jak se máte?', 'Den.'], p);
    expect(r.sentences[0].map((w) => w.join(' '))).toEqual(['d o b r iː', 'd e n', 'j a k', 's e', 'm aː t e']);
    expect(r.sentences[1]).toEqual([['d', 'e', 'n']]);
    expect(p.cacheSize).toBe(5);
  });
});
