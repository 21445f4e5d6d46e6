import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexiconPhonemizer, parseLexicon, makePhonemizer } from '../../src/text/index.js';
import { InputFileError, UsageError } from '../../src/util/errors.js';
import { scratchFolder } from '../helpers/scratch.js';

let dir: string;
let write: (name: string, text: string) => string;

beforeAll(() => {
  ({ dir, write } = scratchFolder('fp-lexicon-'));
});

describe('lexicon phonemizer', () => {
  it('reads tab and space separated entries, skips comments, and uses the first of several variants', async () => {
    const path = write(
      'lexicon.txt',
      ['# Czech test lexicon', ';; another comment', 'dobrý\td o b r iː', '', 'den  d e n', 'den\td ɛ n', 'kůň k uː ɲ'].join('\n'),
    );
    const lex = parseLexicon(path);
    expect(lex.entries.size).toBe(3);
    expect(lex.variants).toBe(1);
    const p = lexiconPhonemizer(path);
    expect(await p.phonemizeWords(['den', 'dobrý', 'kůň', 'pes'])).toEqual([['d', 'e', 'n'], ['d', 'o', 'b', 'r', 'iː'], ['k', 'uː', 'ɲ'], null]);
    expect(p.description).toContain('1 extra variants ignored');
  });

  it('finds words of an upper-case lexicon and matches NFD and NFC spellings', async () => {
    const path = write('upper.txt', 'HELLO HH AH0 L OW1\nKU\u030A\u0147 k uː ɲ\n');
    const p = lexiconPhonemizer(path);
    expect(await p.phonemizeWords(['hello', 'kůň'])).toEqual([
      ['HH', 'AH0', 'L', 'OW1'],
      ['k', 'uː', 'ɲ'],
    ]);
  });

  it('skips the probability column of Kaldi lexiconp.txt and MFA probability columns', async () => {
    const kaldi = lexiconPhonemizer(write('lexiconp.txt', 'a 1.0 ə\na 0.5 eɪ\nthe 1.0 ð ə\n'));
    expect(await kaldi.phonemizeWords(['a', 'the'])).toEqual([['ə'], ['ð', 'ə']]);
    const mfa = lexiconPhonemizer(write('mfa.dict', 'the\t0.99\t0.1\t1.0\t1.0\tð ə\n'));
    expect(await mfa.phonemizeWords(['the'])).toEqual([['ð', 'ə']]);
  });

  it('does not mistake digit phones for probabilities when only some lines start with a number', async () => {
    const p = lexiconPhonemizer(write('tones.txt', 'ma 1 m a\nba b a 3\n'));
    expect(await p.phonemizeWords(['ma'])).toEqual([['1', 'm', 'a']]);
  });

  it('names file and line of an entry without phones', () => {
    const path = write('bad.txt', '# header\nden d e n\nbroken\n');
    expect(() => parseLexicon(path)).toThrow(InputFileError);
    expect(() => parseLexicon(path)).toThrow(`${path}:3: entry "broken" has no phones`);
  });

  it('names file and line of a tab entry with a non-numeric middle column', () => {
    const path = write('badtab.txt', 'den\td e n\nthe\tx\tð ə\n');
    expect(() => parseLexicon(path)).toThrow(`${path}:2:`);
  });

  it('reports a missing file, an empty lexicon and non-UTF-8 text by file name', () => {
    expect(() => parseLexicon(join(dir, 'nope.txt'))).toThrow(/nope\.txt: file not found/);
    expect(() => parseLexicon(write('empty.txt', '# only a comment\n'))).toThrow(/empty\.txt: the lexicon has no entries/);
    const latin1 = join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from([0x6b, 0xf9, 0xf2, 0x20, 0x6b, 0x0a]));
    expect(() => parseLexicon(latin1)).toThrow(/latin1\.txt: not valid UTF-8/);
  });

  it('is built by makePhonemizer, which demands a path', async () => {
    const path = write('mk.txt', 'den d e n\n');
    const p = await makePhonemizer({ kind: 'lexicon', path });
    expect(await p.phonemizeWords(['den'])).toEqual([['d', 'e', 'n']]);
    await expect(makePhonemizer({ kind: 'lexicon' })).rejects.toThrow(UsageError);
  });
});
