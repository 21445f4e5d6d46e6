import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareIds, readDataFolder, readKaldiTable, writeDataFolder, writeKaldiTable, type CorpusUtterance } from '../../src/corpus/index.js';
import { InputFileError } from '../../src/util/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'fp-kaldi-'));

describe('Kaldi tables', () => {
  it('sorts ids byte-wise like LC_ALL=C sort', () => {
    const ids = ['b', 'a-2', 'a', 'B', 'a10', 'a2', 'a_1'];
    // ASCII: 'B'(66) < 'a'(97) < 'b'; '-'(45) < '1'(49) < '2' < '_'(95)
    expect([...ids].sort(compareIds)).toEqual(['B', 'a', 'a-2', 'a10', 'a2', 'a_1', 'b']);
  });

  it('writes sorted "<id> <value>" lines and reads them back', () => {
    const path = join(tmp(), 'text');
    writeKaldiTable(path, [
      ['zz-1', 'Nehrozí žádné nebezpečí.'],
      ['aa-2', 'Situaci máme plně pod kontrolou.'],
      ['mm-3', ''],
    ]);
    expect(readFileSync(path, 'utf8')).toBe('aa-2 Situaci máme plně pod kontrolou.\nmm-3\nzz-1 Nehrozí žádné nebezpečí.\n');
    expect([...readKaldiTable(path)]).toEqual([
      ['aa-2', 'Situaci máme plně pod kontrolou.'],
      ['mm-3', ''],
      ['zz-1', 'Nehrozí žádné nebezpečí.'],
    ]);
  });

  it('reads tab separators, CRLF and blank lines', () => {
    const path = join(tmp(), 'phones');
    writeFileSync(path, 'u1\tp a\r\n\nu2  ɲ ɛ  \r\n');
    expect([...readKaldiTable(path)]).toEqual([
      ['u1', 'p a'],
      ['u2', 'ɲ ɛ'],
    ]);
  });

  it('refuses ids with whitespace, repeated ids and multi-line values', () => {
    const dir = tmp();
    expect(() => writeKaldiTable(join(dir, 't'), [['a b', 'x']])).toThrow(/whitespace/);
    expect(() => writeKaldiTable(join(dir, 't'), [['a', 'x'], ['a', 'y']])).toThrow(/appears twice/);
    expect(() => writeKaldiTable(join(dir, 't'), [['a', 'x\ny']])).toThrow(/line break/);
  });

  it('reports a repeated id when reading, with file and line', () => {
    const path = join(tmp(), 'words');
    writeFileSync(path, 'a x\nb y\na z\n');
    expect(() => readKaldiTable(path)).toThrow(InputFileError);
    expect(() => readKaldiTable(path)).toThrow(`${path}: line 3: id 'a' appears twice`);
  });
});

describe('data folders', () => {
  it('round-trips wav.list, text, words and phones', () => {
    const out = tmp();
    const utts: CorpusUtterance[] = [
      { id: 'vit-hs-klid2', wav: join(out, 'wav', 'vit-hs-klid2.wav'), text: 'Nehrozí  žádné\tnebezpečí.', words: ['nehrozí', 'žádné', 'nebezpečí'], phones: ['ɲ', 'ɛ', 'ɦ', 'r', 'o', 'z', 'iː'] },
      { id: 'vit-hs-klid1', wav: join(out, 'wav', 'vit-hs-klid1.wav'), text: 'Občané.', words: ['občané'], phones: ['o', 'p', 't͡ʃ', 'a', 'n', 'ɛː'] },
    ];
    const dir = join(out, 'train');
    writeDataFolder(dir, utts);
    expect(readFileSync(join(dir, 'wav.list'), 'utf8')).toBe('../wav/vit-hs-klid1.wav\n../wav/vit-hs-klid2.wav\n');
    expect(readFileSync(join(dir, 'phones'), 'utf8')).toBe('vit-hs-klid1 o p t͡ʃ a n ɛː\nvit-hs-klid2 ɲ ɛ ɦ r o z iː\n');
    const back = readDataFolder(dir);
    expect(back).toEqual([
      { ...utts[1] },
      { ...utts[0], text: 'Nehrozí žádné nebezpečí.' }, // whitespace inside a transcript collapses to one space
    ]);
  });

  it('refuses a wav file not named after its id', () => {
    const out = tmp();
    expect(() => writeDataFolder(out, [{ id: 'a', wav: join(out, 'b.wav'), text: 'x', words: ['x'], phones: ['x'] }])).toThrow(/not named after/);
  });

  it('detects a wav.list that does not match the transcripts', () => {
    const out = tmp();
    writeDataFolder(out, [{ id: 'a', wav: join(out, 'a.wav'), text: 'x', words: ['x'], phones: ['x'] }]);
    writeFileSync(join(out, 'wav.list'), 'c.wav\n');
    expect(() => readDataFolder(out)).toThrow(/no transcript with id 'c'/);
  });
});
