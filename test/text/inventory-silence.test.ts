import { describe, it, expect } from 'vitest';
import { SIL, buildInventory, filterByInventory, insertSilence } from '../../src/text/index.js';
import { makeRng } from '../../src/util/rng.js';

describe('buildInventory', () => {
  // Counts: a 4, b 2, c 2, d 1, �x 3.
  const sentences = [
    [['a', 'b'], ['a']],
    [['c', 'a'], ['d']],
    [['b', 'c', 'a']],
    [['\uFFFDx', '\uFFFDx', '\uFFFDx']],
  ];

  it('keeps phones seen at least minCount times, sorted by count then name', () => {
    const inv = buildInventory(sentences, 2);
    expect(inv.phones).toEqual(['a', 'b', 'c']);
    expect(inv.counts).toEqual({ a: 4, b: 2, c: 2 });
    expect(inv.dropped).toEqual({ '\uFFFDx': 3, d: 1 });
  });

  it('never admits profile gaps or SIL, even when frequent', () => {
    const inv = buildInventory([...sentences, [[SIL, 'a', SIL]]], 1);
    expect(inv.phones).toEqual(['a', 'b', 'c', 'd']);
    expect(inv.phones).not.toContain(SIL);
  });

  it('filterByInventory drops sentences with a phone outside the inventory', () => {
    const inv = buildInventory(sentences, 2);
    const { kept, dropped } = filterByInventory([...sentences, [[SIL, 'a']]], inv);
    expect(kept).toEqual([sentences[0], sentences[2], [[SIL, 'a']]]);
    expect(dropped).toBe(2);
  });
});

describe('insertSilence', () => {
  const words = Array.from({ length: 10 }, (_, i) => [`p${i}`, `q${i}`]);

  it('puts SIL at both edges and between words with probability p (0.25 ± 0.02 over many sentences)', () => {
    const rng = makeRng(7);
    let gaps = 0;
    let silences = 0;
    for (let n = 0; n < 2000; n++) {
      const out = insertSilence(words, rng, 0.25);
      expect(out[0]).toBe(SIL);
      expect(out.at(-1)).toBe(SIL);
      expect(out.filter((p) => p !== SIL)).toEqual(words.flat());
      const inner = out.slice(1, -1);
      // A silence only ever sits between two words, never inside one.
      inner.forEach((p, i) => {
        if (p === SIL) expect(inner[i - 1].slice(1)).not.toBe(inner[i + 1].slice(1));
      });
      silences += inner.filter((p) => p === SIL).length;
      gaps += words.length - 1;
    }
    expect(Math.abs(silences / gaps - 0.25)).toBeLessThan(0.02);
  });

  it('adds no edges without surround, and is deterministic for a seed', () => {
    const a = insertSilence(words, makeRng(3), 0.5, false);
    const b = insertSilence(words, makeRng(3), 0.5, false);
    const c = insertSilence(words, makeRng(4), 0.5, false);
    expect(a).toEqual(b);
    expect(a[0]).toBe('p0');
    expect(a.at(-1)).toBe('q9');
    expect(a.join()).not.toBe(c.join());
  });

  it('handles p = 0 and p = 1 exactly and rejects probabilities outside [0, 1]', () => {
    expect(insertSilence([['a'], ['b']], makeRng(1), 0)).toEqual([SIL, 'a', 'b', SIL]);
    expect(insertSilence([['a'], ['b'], ['c']], makeRng(1), 1)).toEqual([SIL, 'a', SIL, 'b', SIL, 'c', SIL]);
    expect(() => insertSilence([['a']], makeRng(1), 1.5)).toThrow(/between 0 and 1/);
  });
});
