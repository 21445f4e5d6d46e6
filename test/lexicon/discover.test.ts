/**
 * Word discovery on hand-made transcripts with a planted recurring phone
 * sequence that is not in the lexicon: found, with exactly its occurrences
 * (file, start, end); known words, shorter pieces of it and rare sequences not.
 */
import { describe, expect, it } from 'vitest';
import { discoverWords, discoveryScore, unexplainedStretches, type TimedPhone, type TranscriptRecord } from '../../src/lexicon/index.js';

const SIL = '<SIL>';
const LEXICON = new Map([
  ['bata', [['b', 'a', 't', 'a']]],
  ['lumi', [['l', 'u', 'm', 'i']]],
]);

/** Phones 0.1 s each from `t0`, "|" for a 0.2 s silence. */
function phones(spec: string, t0 = 0): TimedPhone[] {
  const out: TimedPhone[] = [];
  let t = t0;
  for (const p of spec.split(' ')) {
    const d = p === '|' ? 0.2 : 0.1;
    out.push({ phone: p === '|' ? SIL : p, start: Number(t.toFixed(3)), end: Number((t + d).toFixed(3)) });
    t += d;
  }
  return out;
}

/** Phone-only transcripts; "k o r u s" is planted three times, "b a t a" (a lexicon word) four times, "m e l" twice. */
const PHONE_ONLY: TranscriptRecord[] = [
  { path: 'a.json', file: '/rec/a.wav', phones: phones('| b a t a | k o r u s e | m e l |') },
  { path: 'b.json', file: '/rec/b.wav', phones: phones('| d i k o r u s | b a t a | b a t a |') },
  { path: 'c.json', file: '/rec/c.wav', phones: phones('| m e l o | k o r u s | b a t a |') },
];

describe('word discovery', () => {
  it('finds a planted recurring sequence with its occurrences, and not the known word or shorter pieces', () => {
    const found = discoverWords(PHONE_ONLY, LEXICON, { minLength: 3, minCount: 3 });
    expect(found.map((e) => e.headword)).toEqual(['korus']);
    const [c] = found;
    expect(c.pronunciations).toEqual([['k', 'o', 'r', 'u', 's']]);
    expect(c.audioCount).toBe(3);
    expect(c.candidate).toBe(true);
    expect(c.score).toBe(discoveryScore(3, 5));
    // a: "| b a t a |" = 0.2 + 0.4 + 0.2 → "k" starts at 0.8; b: "| d i" → 0.4; c: "| m e l o |" → 0.8.
    expect(c.examples).toEqual([
      { file: '/rec/a.wav', start: 0.8, end: 1.3 },
      { file: '/rec/b.wav', start: 0.4, end: 0.9 },
      { file: '/rec/c.wav', start: 0.8, end: 1.3 },
    ]);
  });

  it('keeps a shorter sequence when it also occurs on its own, and ranks by (count − 1)(length − 1) − 1', () => {
    const found = discoverWords(PHONE_ONLY, LEXICON, { minLength: 3, minCount: 2 });
    const byHead = new Map(found.map((e) => [e.headword, e]));
    // "m e l" twice (once inside "m e l o"), "k o r u s" three times: both kept; its pieces not.
    expect(byHead.get('mel')?.audioCount).toBe(2);
    expect(byHead.has('kor')).toBe(false);
    expect(byHead.has('orus')).toBe(false);
    expect(byHead.has('bata')).toBe(false);
    expect(byHead.has('bat')).toBe(false); // only ever inside the known word
    expect(found.map((e) => e.headword)).toEqual(['korus', 'mel']);
    expect(found[0].headword).toBe('korus');
    const scores = found.map((e) => e.score as number);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(discoveryScore(3, 5)).toBe(3 * 5 - 3 - 5);
  });

  it('looks only inside unknown stretches when the transcripts have words', () => {
    // The same audio decoded into words: "korus" is an unknown stretch twice, and once (in c) swallowed by a word.
    const withWords: TranscriptRecord[] = PHONE_ONLY.map((t, i) => {
      const ph = t.phones;
      const at = (k: number) => ph.findIndex((p, j) => j >= k && p.phone === 'k');
      const k = at(0);
      const stretch = { word: 'k o r u s', start: ph[k].start, end: ph[k + 4].end, phones: ['k', 'o', 'r', 'u', 's'], oov: true };
      const word = { word: 'lumi', start: ph[k].start, end: ph[k + 4].end, phones: ['l', 'u', 'm', 'i'], oov: false };
      return { ...t, words: [i === 2 ? word : stretch] };
    });
    expect(unexplainedStretches(withWords[0]).map((s) => s.map((p) => p.phone).join(''))).toEqual(['korus']);
    expect(discoverWords(withWords, LEXICON, { minCount: 3 })).toEqual([]);
    const two = discoverWords(withWords, LEXICON, { minCount: 2 });
    expect(two.map((e) => [e.headword, e.audioCount])).toEqual([['korus', 2]]);
    expect(two[0].examples.map((x) => x.file)).toEqual(['/rec/a.wav', '/rec/b.wav']);
  });

  it('counts overlapping occurrences of a sequence in one stretch once', () => {
    const t: TranscriptRecord[] = [{ path: 'x', file: 'x.wav', phones: phones('| a b a b a b a |') }];
    const found = discoverWords(t, LEXICON, { minLength: 3, minCount: 2 });
    // "a b a" at 0, 2, 4: only 0 and 4 do not overlap; "a b a b a b a" as a whole occurs once.
    expect(found.find((e) => e.headword === 'aba')?.audioCount).toBe(2);
    expect(found.find((e) => e.headword === 'abab')).toBeUndefined(); // at 0 and 2: overlapping, once
    const all = discoverWords(t, LEXICON, { minLength: 3, maxLength: 3, minCount: 2 });
    expect(all.find((e) => e.headword === 'aba')?.examples.map((x) => x.start)).toEqual([0.2, 0.6]);
  });
});
