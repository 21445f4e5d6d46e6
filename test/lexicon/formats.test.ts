/**
 * Lexicon files: LIFT 0.13 that validates against the shipped schema and
 * reads back to the same entries, IPA splitting for LIFT files other tools
 * wrote, the Kaldi lexicon, and the TSV layout.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseLift, renderKaldiLexicon, renderLift } from '../../src/formats/index.js';
import { renderLexicon, type LexiconEntry } from '../../src/lexicon/index.js';
import { parseLexicon } from '../../src/text/index.js';
import { splitIpa } from '../../src/text/lexicon.js';
import { InputFileError } from '../../src/util/errors.js';
import { validateLift } from './xmllint.js';
import { scratchFolder } from '../helpers/scratch.js';

let write: (name: string, text: string) => string;

beforeAll(() => {
  ({ write } = scratchFolder('fp-lexicon-formats-'));
});

const ENTRIES: LexiconEntry[] = [
  {
    headword: 'čtyři',
    pronunciations: [['tʃ', 't', 'ɪ', 'r̝̊', 'ɪ']],
    textCount: 12,
    audioCount: 2,
    examples: [
      { file: '/data/rec 1.wav', start: 0.5, end: 0.98 },
      { file: '/data/rec&2.wav', start: 3.25, end: 3.7 },
    ],
  },
  { headword: 'dobrý', pronunciations: [['d', 'o', 'b', 'r', 'iː'], ['d', 'o', 'b', 'r', 'i']], textCount: 3, audioCount: 0, examples: [] },
  { headword: 'a<b>&"c\'', pronunciations: [['a', 'ts', 'oʊ']], textCount: 1, examples: [] },
  { headword: 'ɲaʃoː', pronunciations: [['ɲ', 'a', 'ʃ', 'oː']], audioCount: 4, examples: [{ file: 'x.wav', start: 1, end: 1.5 }], candidate: true, score: 8 },
];

describe('LIFT', () => {
  it('writes LIFT 0.13 that the schema accepts, with odd characters escaped', () => {
    const path = write('all.lift', renderLift(ENTRIES, { lang: 'cs', producer: 'fieldphone test' }));
    const v = validateLift(path);
    expect(v.ok, v.messages).toBe(true);
  });

  it('puts the pronunciation in the -fonipa-x-emic writing system and the counts in traits', () => {
    const xml = renderLift(ENTRIES.slice(0, 1), { lang: 'cs', producer: 'p' });
    expect(xml).toContain('<form lang="cs"><text>čtyři</text></form>');
    expect(xml).toContain('<form lang="cs-fonipa-x-emic"><text>tʃ t ɪ r̝̊ ɪ</text></form>');
    expect(xml).toContain('<trait name="text-frequency" value="12"/>');
    expect(xml).toContain('<trait name="audio-count" value="2"/>');
    expect(xml).toContain('/data/rec&amp;2.wav 3.250–3.700');
    // The same headword gets the same guid every time (FLEx merges re-imports by guid).
    expect(renderLift(ENTRIES.slice(0, 1), { lang: 'cs', producer: 'p' })).toBe(xml);
    const guids = [...renderLift(ENTRIES, { lang: 'cs', producer: 'p' }).matchAll(/guid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(guids).size).toBe(ENTRIES.length);
    for (const g of guids) expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('reads back to the same entries (export → import)', () => {
    const words = ENTRIES.filter((e) => !e.candidate);
    const path = write('roundtrip.lift', renderLift(words, { lang: 'cs', producer: 'p' }));
    const lex = parseLexicon(path);
    expect(lex.pronunciations).toEqual(new Map(words.map((e) => [e.headword.normalize('NFC'), e.pronunciations])));
    expect([...lex.entries.keys()]).toEqual(words.map((e) => e.headword));
    expect(lex.variants).toBe(1);
    // Recognised by its first element whatever the file is called.
    expect(parseLexicon(write('dictionary.xml', renderLift(words, { lang: 'cs', producer: 'p' }))).pronunciations).toEqual(lex.pronunciations);
    const back = parseLift(renderLift(words, { lang: 'cs', producer: 'p' }), 'x.lift');
    expect(back.map((e) => [e.headword, e.traits['text-frequency']])).toEqual([
      ['čtyři', '12'],
      ['dobrý', '3'],
      ['a<b>&"c\'', '1'],
    ]);
  });

  it('reads a LIFT file another tool wrote: IPA without spaces, other writing systems, entries without pronunciation, deleted entries', () => {
    const path = write(
      'flex.lift',
      `<?xml version="1.0" encoding="utf-8"?>
<!-- exported by FieldWorks -->
<lift producer="SIL.FLEx 9.1" version="0.13">
<header><description><form lang="en"><text>test</text></form></description></header>
<entry id="kʰat_1" guid="1b1c5a56-0b0a-4b7a-9b1f-000000000001">
  <lexical-unit><form lang="qaa-x-kal-fonipa"><text>kʰat</text></form><form lang="qaa-x-kal"><text>khat</text></form></lexical-unit>
  <pronunciation><form lang="en"><text>cat</text></form><form lang="qaa-x-kal-fonipa"><text>[ˈkʰat]</text></form><form lang="qaa-x-kal-fonipa-x-emic"><text>/ˈkʰat/</text></form></pronunciation>
  <sense><gloss lang="en"><text>cat</text></gloss></sense>
</entry>
<entry id="tsa" guid="1b1c5a56-0b0a-4b7a-9b1f-000000000002">
  <lexical-unit><form lang="qaa-x-kal"><text>caa</text></form></lexical-unit>
  <pronunciation><form lang="qaa-x-kal-fonipa-x-emic"><text>t͡saː.ŋʷe</text></form></pronunciation>
</entry>
<entry id="gone" guid="1b1c5a56-0b0a-4b7a-9b1f-000000000003" dateDeleted="2024-01-02T03:04:05Z">
  <lexical-unit><form lang="qaa-x-kal"><text>gone</text></form></lexical-unit>
  <pronunciation><form lang="qaa-x-kal-fonipa-x-emic"><text>ɡon</text></form></pronunciation>
</entry>
<entry id="noipa" guid="1b1c5a56-0b0a-4b7a-9b1f-000000000004">
  <lexical-unit><form lang="qaa-x-kal"><text>mu</text></form></lexical-unit>
</entry>
</lift>
`,
    );
    const v = validateLift(path);
    expect(v.ok, v.messages).toBe(true);
    const lex = parseLexicon(path);
    expect(lex.pronunciations).toEqual(
      new Map([
        ['khat', [['kʰ', 'a', 't']]],
        ['caa', [['t͡s', 'aː', 'ŋʷ', 'e']]],
      ]),
    );
    expect(lex.unpronounced).toBe(1);
  });

  it('splits IPA into phones: spaces when there are any, else letters with their diacritics and modifiers', () => {
    expect(splitIpa('d o b r iː')).toEqual(['d', 'o', 'b', 'r', 'iː']);
    expect(splitIpa('ts oʊ r̝̊')).toEqual(['ts', 'oʊ', 'r̝̊']);
    expect(splitIpa('ˈdobriː')).toEqual(['d', 'o', 'b', 'r', 'iː']);
    expect(splitIpa('t͡ʃaːjʰ')).toEqual(['t͡ʃ', 'aː', 'jʰ']);
    expect(splitIpa('r̝̊ɛ')).toEqual(['r̝̊', 'ɛ']);
  });

  it('names the file and the line of a broken LIFT file', () => {
    const bad = write('bad.lift', '<lift version="0.13">\n<entry>\n<lexical-unit>\n</entry>\n</lift>\n');
    expect(() => parseLexicon(bad)).toThrow(InputFileError);
    expect(() => parseLexicon(bad)).toThrow(/bad\.lift: not well-formed XML \(line 4: <\/entry> closes <lexical-unit>/);
    const notLift = write('other.lift', '<?xml version="1.0"?><dictionary/>');
    expect(() => parseLexicon(notLift)).toThrow(/other\.lift: not a LIFT lexicon: the root element is <dictionary>/);
    const noIpa = write('noipa.lift', '<lift version="0.13"><entry><lexical-unit><form lang="x"><text>mu</text></form></lexical-unit></entry></lift>');
    expect(() => parseLexicon(noIpa)).toThrow(/noipa\.lift: no LIFT entry has a pronunciation \(1 entries without one\)/);
    const noHead = write('nohead.lift', '<lift version="0.13">\n<entry><pronunciation><form lang="x"><text>mu</text></form></pronunciation></entry></lift>');
    expect(() => parseLexicon(noHead)).toThrow(/nohead\.lift:2: entry has no lexical-unit/);
  });
});

describe('Kaldi lexicon and TSV', () => {
  it('writes one "word<TAB>phones" line per pronunciation, which parseLexicon reads back', () => {
    const text = renderKaldiLexicon(ENTRIES.slice(0, 2));
    expect(text).toBe('čtyři\ttʃ t ɪ r̝̊ ɪ\ndobrý\td o b r iː\ndobrý\td o b r i\n');
    expect(renderKaldiLexicon([{ headword: 'ice cream', pronunciations: [['a', 'ɪ']], examples: [] }])).toBe('ice_cream\ta ɪ\n');
    const lex = parseLexicon(write('lexicon.txt', text));
    expect(lex.pronunciations.get('dobrý')).toEqual([['d', 'o', 'b', 'r', 'iː'], ['d', 'o', 'b', 'r', 'i']]);
    expect(lex.entries.get('dobrý')).toEqual(['d', 'o', 'b', 'r', 'iː']);
  });

  it('writes the TSV columns, blank where a count is unknown', () => {
    const tsv = renderLexicon(ENTRIES.slice(0, 3), 'tsv', { lang: 'cs', source: {} });
    expect(tsv.split('\n')).toEqual([
      'headword\tpronunciation\ttext_count\taudio_count\texamples',
      'čtyři\ttʃ t ɪ r̝̊ ɪ\t12\t2\t/data/rec 1.wav 0.500-0.980; /data/rec&2.wav 3.250-3.700',
      'dobrý\td o b r iː ; d o b r i\t3\t0\t',
      'a<b>&"c\'\ta ts oʊ\t1\t\t',
      '',
    ]);
    const json = JSON.parse(renderLexicon(ENTRIES, 'json', { lang: 'cs', source: { source: '/m' } }));
    expect(json.lang).toBe('cs');
    expect(json.entries[3]).toEqual(ENTRIES[3]);
  });
});
