/**
 * `fieldphone lexicon export` and `lexicon discover` through the built CLI,
 * on a prepare-text folder and hand-made transcript JSONs: counts and
 * occurrences, every format written, LIFT valid against the schema, and the
 * exported LIFT and Kaldi lexicons read back by `prepare-text --lexicon`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldphone } from '../helpers/cli.js';
import { validateLift } from './xmllint.js';

const TEXT = ['bata lumi sena', 'lumi kato bata', 'sena bata mulo', 'kato lumi bata', 'mulo sena kato', 'bata bata lumi'];

let tmp: string;
let textDir: string;
let trDir: string;

interface Word {
  word: string;
  start: number;
  end: number;
  phones: string[];
  oov: boolean;
}

/** A transcript JSON as `transcribe --format json` writes it: phones (0.1 s each, "|" a 0.2 s silence) and words over them. */
function transcript(id: string, spec: string, words: [string, boolean][]): object {
  const segments: { phone: string; start: number; end: number }[] = [];
  let t = 0;
  for (const p of spec.split(' ')) {
    const d = p === '|' ? 0.2 : 0.1;
    segments.push({ phone: p === '|' ? '<SIL>' : p, start: Number(t.toFixed(3)), end: Number((t + d).toFixed(3)) });
    t += d;
  }
  // Words: the stretches between silences, in order.
  const stretches: { start: number; end: number; phones: string[] }[] = [];
  for (const s of segments) {
    if (s.phone === '<SIL>') stretches.push({ start: s.end, end: s.end, phones: [] });
    else Object.assign(stretches[stretches.length - 1], { end: s.end, phones: [...stretches[stretches.length - 1].phones, s.phone] });
  }
  const ws: Word[] = stretches
    .filter((s) => s.phones.length > 0)
    .map((s, i) => ({ word: words[i][1] ? s.phones.join(' ') : words[i][0], start: s.start, end: s.end, phones: s.phones, oov: words[i][1] }));
  return { id, file: `/recordings/${id}.wav`, durationSec: t, phones: '', segments, words: ws };
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fp-cli-lexicon-'));
  writeFileSync(join(tmp, 'text.txt'), TEXT.join('\n') + '\n');
  textDir = join(tmp, 'text');
  const r = fieldphone('prepare-text', join(tmp, 'text.txt'), '-o', textDir, '--phonemizer', 'graphemes', '--min-phone-count', '1');
  if (r.status !== 0) throw new Error(`prepare-text failed:\n${r.stderr}`);
  trDir = join(tmp, 'transcripts');
  mkdirSync(join(trDir, 'day2'), { recursive: true });
  // "d o r i k" is no lexicon word and recurs three times as an unknown stretch.
  const files: [string, object][] = [
    ['r1', transcript('r1', '| b a t a | d o r i k | l u m i |', [['bata', false], ['', true], ['lumi', false]])],
    ['r2', transcript('r2', '| d o r i k | b a t a |', [['', true], ['bata', false]])],
    ['day2/r3', transcript('r3', '| k a t o | d o r i k | b a t a |', [['kato', false], ['', true], ['bata', false]])],
  ];
  for (const [name, j] of files) writeFileSync(join(trDir, `${name}.json`), JSON.stringify(j, null, 2));
  writeFileSync(join(trDir, 'summary.json'), '{"ok": 3}'); // not a transcript: skipped
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fieldphone lexicon export', () => {
  it('writes TSV, JSON, Kaldi and LIFT with text and audio counts and example occurrences', () => {
    const out = join(tmp, 'lex');
    const r = fieldphone('lexicon', 'export', textDir, '--transcripts', trDir, '-o', out, '--lang', 'qaa-x-test', '--json');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ entries: 5, heard: 3, lang: 'qaa-x-test' });
    const tsv = readFileSync(join(out, 'lexicon.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    expect(tsv[0]).toEqual(['headword', 'pronunciation', 'text_count', 'audio_count', 'examples']);
    const row = (w: string) => tsv.find((x) => x[0] === w);
    // "bata" is in the text 6 times and heard 3 times; "mulo" twice and never heard.
    expect(row('bata')).toEqual([
      'bata',
      'b a t a',
      '6',
      '3',
      '/recordings/r1.wav 0.200-0.600; /recordings/r2.wav 0.900-1.300; /recordings/r3.wav 1.500-1.900',
    ]);
    expect(row('mulo')).toEqual(['mulo', 'm u l o', '2', '0', '']);
    const v = validateLift(join(out, 'lexicon.lift'));
    expect(v.ok, v.messages).toBe(true);
    const lift = readFileSync(join(out, 'lexicon.lift'), 'utf8');
    expect(lift).toContain('<form lang="qaa-x-test-fonipa-x-emic"><text>b a t a</text></form>');
    // The Kaldi lexicon is prepare-text's own lexicon.txt, line for line.
    expect(readFileSync(join(out, 'lexicon.txt'), 'utf8')).toBe(readFileSync(join(textDir, 'lexicon.txt'), 'utf8'));
    const json = JSON.parse(readFileSync(join(out, 'lexicon.json'), 'utf8'));
    expect(json.entries.find((e: { headword: string }) => e.headword === 'lumi')).toMatchObject({ textCount: 4, audioCount: 1, pronunciations: [['l', 'u', 'm', 'i']] });
  });

  it('exports LIFT and Kaldi lexicons that prepare-text --lexicon reads back to the same lexicon', () => {
    const out = join(tmp, 'lex2');
    expect(fieldphone('lexicon', 'export', textDir, '-o', out, '--format', 'lift,kaldi', '--lang', 'qaa').status).toBe(0);
    for (const file of ['lexicon.lift', 'lexicon.txt']) {
      const again = join(tmp, `text-from-${file}`);
      const r = fieldphone('prepare-text', join(tmp, 'text.txt'), '--lexicon', join(out, file), '-o', again, '--min-phone-count', '1');
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(join(again, 'lexicon.txt'), 'utf8')).toBe(readFileSync(join(textDir, 'lexicon.txt'), 'utf8'));
    }
  });

  it('refuses bad input with messages that say what is wrong', () => {
    const nowhere = fieldphone('lexicon', 'export', join(tmp, 'nope'), '-o', join(tmp, 'x'));
    expect(nowhere.status).not.toBe(0);
    expect(nowhere.stderr).toContain(`${join(tmp, 'nope')}: folder not found (expected a model folder or a prepare-text folder)`);
    const format = fieldphone('lexicon', 'export', textDir, '-o', join(tmp, 'x'), '--format', 'tsv,docx');
    expect(format.stderr).toContain("unknown lexicon format 'docx'; choose from tsv, json, kaldi, lift");
    // Writing into the prepare-text folder would replace its lexicon.txt: refused, and it is left alone.
    const before = readFileSync(join(textDir, 'lexicon.txt'), 'utf8');
    const over = fieldphone('lexicon', 'export', textDir, '-o', textDir, '--format', 'kaldi');
    expect(over.status).not.toBe(0);
    expect(over.stderr).toContain('output path is one of the inputs');
    expect(readFileSync(join(textDir, 'lexicon.txt'), 'utf8')).toBe(before);
    const noTr = fieldphone('lexicon', 'export', textDir, '-o', join(tmp, 'x'), '--transcripts', join(tmp, 'text'));
    expect(noTr.stderr).toContain('has no transcript JSON files');
  });
});

describe('fieldphone lexicon discover', () => {
  it('finds the recurring unknown stretch with its occurrences, in every format', () => {
    const out = join(tmp, 'cand');
    const r = fieldphone('lexicon', 'discover', textDir, '--transcripts', trDir, '-o', out, '--lang', 'qaa', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).candidates).toBe(1);
    const json = JSON.parse(readFileSync(join(out, 'candidates.json'), 'utf8'));
    expect(json.entries).toEqual([
      {
        headword: 'dorik',
        pronunciations: [['d', 'o', 'r', 'i', 'k']],
        audioCount: 3,
        examples: [
          { file: '/recordings/r1.wav', start: 0.8, end: 1.3 },
          { file: '/recordings/r2.wav', start: 0.2, end: 0.7 },
          { file: '/recordings/r3.wav', start: 0.8, end: 1.3 },
        ],
        candidate: true,
        score: 7,
      },
    ]);
    const v = validateLift(join(out, 'candidates.lift'));
    expect(v.ok, v.messages).toBe(true);
    expect(readFileSync(join(out, 'candidates.lift'), 'utf8')).toContain('<trait name="fieldphone-status" value="candidate"/>');
    expect(readFileSync(join(out, 'candidates.txt'), 'utf8')).toBe('dorik\td o r i k\n');
    expect(readFileSync(join(out, 'candidates.tsv'), 'utf8').split('\n')[0]).toBe('headword\tpronunciation\tscore\ttext_count\taudio_count\texamples');
  });

  it('refuses counts out of range, naming the option and its bound', () => {
    const lengths = fieldphone('lexicon', 'discover', textDir, '--transcripts', trDir, '-o', join(tmp, 'x'), '--min-length', '4', '--max-length', '3');
    expect(lengths.status).not.toBe(0);
    // The bound of --max-length is --min-length.
    expect(lengths.stderr).toContain('--max-length must be an integer ≥ 4, got 3');
    expect(fieldphone('lexicon', 'export', textDir, '-o', join(tmp, 'x'), '--examples', '-1').stderr).toContain('--examples must be an integer ≥ 0, got -1');
  });
});
