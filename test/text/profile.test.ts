import { describe, it, expect, beforeAll } from 'vitest';
import { bootstrapProfile, graphemePhonemizer, graphemeClusters, parseProfile, profilePhonemizer } from '../../src/text/index.js';
import { scratchFolder } from '../helpers/scratch.js';

let write: (name: string, text: string) => string;

beforeAll(() => {
  ({ write } = scratchFolder('fp-profile-'));
});

const GERMANISH = ['Grapheme\tIPA\tNote', 's\ts\t', 'c\tk\t', 'h\th\t', 'sch\tʃ\tlongest first', 'ch\tx\t', 'a\ta\t', 'e\tə\t', 'ts\tt s\ttwo phones', 'h$\tNULL\tsilent at word end', '^e\tʔ ə\tglottal onset'].join('\n');

describe('orthography profile phonemizer', () => {
  it('matches the longest grapheme first ("sch" before "s", "ch" before "c")', async () => {
    const p = profilePhonemizer(write('g.tsv', GERMANISH));
    expect(await p.phonemizeWords(['schach', 'sach', 'cash'])).toEqual([
      ['ʃ', 'a', 'x'],
      ['s', 'a', 'x'],
      ['k', 'a', 's'],
    ]);
  });

  it('splits multi-phone mappings, deletes NULL graphemes, and honours word-boundary graphemes', async () => {
    const p = profilePhonemizer(write('g2.tsv', GERMANISH));
    expect(await p.phonemizeWords(['ts', 'ah', 'ha', 'ese'])).toEqual([['t', 's'], ['a'], ['h', 'a'], ['ʔ', 'ə', 's', 'ə']]);
  });

  it('marks characters without a rule as "�x" tokens, and ignores hyphens', async () => {
    const p = profilePhonemizer(write('g3.tsv', GERMANISH));
    expect(await p.phonemizeWords(['sax', 'as-sa', 'á'])).toEqual([['s', 'a', '\uFFFDx'], ['a', 's', 's', 'a'], ['\uFFFDá']]);
  });

  it('keeps a letter with a combining mark together as one unmatched unit', async () => {
    const p = profilePhonemizer(write('g4.tsv', GERMANISH));
    // q + combining tilde has no precomposed form, so NFC keeps two code points.
    expect(await p.phonemizeWords(['sq\u0303'])).toEqual([['s', '\uFFFDq\u0303']]);
  });

  it('accepts a Phoneme or mapping column, or a named one', () => {
    expect(parseProfile(write('m.tsv', 'Grapheme\tmapping\nx\tks\n')).rules.get('x')).toEqual(['ks']);
    expect(parseProfile(write('ph.tsv', 'GRAPHEME\tPhoneme\nx\tk s\n')).rules.get('x')).toEqual(['k', 's']);
    const named = parseProfile(write('n.tsv', 'Grapheme\tIPA\tXSAMPA\nš\tʃ\tS\n'), 'XSAMPA');
    expect(named.rules.get('š')).toEqual(['S']);
    expect(named.column).toBe('XSAMPA');
  });

  it('names file and line of bad rows and headers', () => {
    const dup = write('dup.tsv', 'Grapheme\tIPA\na\ta\nb\tb\na\tɑ\n');
    expect(() => parseProfile(dup)).toThrow(`${dup}:4: grapheme "a" is already defined on line 2`);
    const empty = write('empty.tsv', 'Grapheme\tIPA\na\t\n');
    expect(() => parseProfile(empty)).toThrow(`${empty}:2: no IPA for grapheme "a"; write NULL to delete it`);
    const header = write('header.tsv', 'Grapheme,IPA\na,a\n');
    expect(() => parseProfile(header)).toThrow(`${header}:1: the header must be tab-separated`);
  });

  it('bootstraps a profile with grapheme frequencies that can be read back', async () => {
    const tsv = bootstrapProfile(['Šaš a ša-ša!', 'as'], {});
    const rows = tsv.trim().split('\n').map((l) => l.split('\t'));
    expect(rows[0]).toEqual(['Grapheme', 'IPA', 'Frequency', 'Codepoints']);
    // a ×5, š ×4, s ×1, - ×1 (NULL: hyphens are not sounds); ties sorted by code point.
    expect(rows.slice(1)).toEqual([
      ['a', 'a', '5', 'U+0061'],
      ['š', 'š', '4', 'U+0161'],
      ['-', 'NULL', '1', 'U+002D'],
      ['s', 's', '1', 'U+0073'],
    ]);
    const p = profilePhonemizer(write('boot.tsv', tsv));
    expect(await p.phonemizeWords(['ša-ša'])).toEqual([['š', 'a', 'š', 'a']]);
  });
});

describe('grapheme phonemizer', () => {
  it('makes every grapheme cluster a unit, composing NFD input', async () => {
    const p = graphemePhonemizer();
    expect(await p.phonemizeWords(['ku\u030An\u030C', 'ch'])).toEqual([['k', 'ů', 'ň'], ['c', 'h']]);
    expect(graphemeClusters('a\u0328b')).toEqual(['a\u0328', 'b']);
  });

  it('ignores hyphens and refuses words with digits', async () => {
    const p = graphemePhonemizer();
    expect(await p.phonemizeWords(['a-b', '12', '-'])).toEqual([['a', 'b'], null, null]);
  });
});
