/**
 * Through the built CLI: a linguist's TextGrid or ELAN tier as the text of
 * `prepare-text`, the errors when the tier is missing or not named, and
 * `transcribe --format` writing Praat, ELAN and CTM files from a tiny model.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEafFile, readTextGridFile } from '../../src/formats/index.js';
import { fieldphone, makeTrainFixture, trainArgs } from '../train/fixture.js';
import { praatReadTextGrid, xmllintValidate } from './tools.js';

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const TEXT_OPTS = ['--phonemizer', 'graphemes', '--min-phone-count', '1'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fieldphone-formats-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (p: string) => readFileSync(p, 'utf8').trimEnd().split('\n');

describe('prepare-text FILE.TextGrid / FILE.eaf --tier', () => {
  it('takes each labelled interval of the tier as a sentence (long TextGrid)', () => {
    const out = join(dir, 'tg-long');
    const r = fieldphone('prepare-text', fixture('interview.TextGrid'), '--tier', 'sentences', '-o', out, ...TEXT_OPTS);
    expect(r.status, r.stderr).toBe(0);
    // "Dobrý den." … normalised: lower case, punctuation removed; the empty intervals give no line
    expect(lines(join(out, 'words.txt'))).toEqual(['dobrý den', 'jak se máte', 'děkuji dobře']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.inputs).toEqual({ textFiles: [fixture('interview.TextGrid')], tier: 'sentences' });
  });

  it("reads Praat's short UTF-16 format, and a word tier gives one line per word", () => {
    const out = join(dir, 'tg-short');
    const r = fieldphone('prepare-text', fixture('interview-short-utf16.TextGrid'), '--tier', 'words', '-o', out, ...TEXT_OPTS);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(join(out, 'words.txt'))).toEqual(['dobrý', 'den', 'jak', 'se', 'máte', 'děkuji', 'dobře']);
  });

  it('reads an ELAN tier, next to a plain text file, in the order given', () => {
    const txt = join(dir, 'more.txt');
    writeFileSync(txt, 'Na shledanou!\n');
    const out = join(dir, 'eaf');
    const r = fieldphone('prepare-text', fixture('interview.eaf'), txt, '--tier', 'sentences', '-o', out, ...TEXT_OPTS);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(join(out, 'words.txt'))).toEqual(['dobrý den', 'jak se máte', 'na shledanou']);
  });

  it('a missing tier is an error naming the file and listing the tiers present', () => {
    const out = join(dir, 'missing');
    const tg = fieldphone('prepare-text', fixture('interview.TextGrid'), '--tier', 'phrases', '-o', out, ...TEXT_OPTS);
    expect(tg.status).toBe(2);
    expect(tg.stderr).toContain(`${fixture('interview.TextGrid')}: has no tier "phrases" (tiers present: "sentences", "words", "notes")`);
    const eaf = fieldphone('prepare-text', fixture('interview.eaf'), '--tier', 'Sentences', '-o', out, ...TEXT_OPTS);
    expect(eaf.status).toBe(2);
    expect(eaf.stderr).toContain(`${fixture('interview.eaf')}: has no tier "Sentences" (tiers present: "sentences", "words", "translation")`);
    expect(existsSync(out)).toBe(false);
  });

  it('an annotation file without --tier says how to choose one; --tier without one is a usage error', () => {
    const r = fieldphone('prepare-text', fixture('interview.eaf'), '-o', join(dir, 'no-tier'), ...TEXT_OPTS);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${fixture('interview.eaf')}: is an ELAN file; choose the tier to read with --tier (tiers present: "sentences", "words", "translation")`);
    const txt = join(dir, 'plain.txt');
    writeFileSync(txt, 'dobrý den\n');
    const u = fieldphone('prepare-text', txt, '--tier', 'words', '-o', join(dir, 'plain'), ...TEXT_OPTS);
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('--tier names a tier of .TextGrid or .eaf inputs, but none of the inputs is one');
  });

  it('a damaged TextGrid is reported with the file and line', () => {
    const bad = join(dir, 'cut.TextGrid');
    const text = readFileSync(fixture('interview.TextGrid'), 'utf8');
    writeFileSync(bad, text.slice(0, text.indexOf('intervals [3]:')));
    const r = fieldphone('prepare-text', bad, '--tier', 'sentences', '-o', join(dir, 'cut'), ...TEXT_OPTS);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}: end of file: expected interval xmin`);
  });
});

describe('transcribe --format', () => {
  it('refuses an unknown format, listing the choices', () => {
    const r = fieldphone('transcribe', join(dir, 'no-model'), join(dir, 'no-audio'), '-o', join(dir, 'x'), '--format', 'textgrid,praat');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown format 'praat'; choose from json, txt, textgrid, eaf, ctm");
  });

  it('writes .TextGrid, .eaf and .ctm for each recording from a trained model; Praat and xmllint accept them', () => {
    const fx = makeTrainFixture(join(dir, 'train'));
    const run = join(dir, 'train', 'run');
    const t = fieldphone(...trainArgs(fx, run, '--updates', '2', '--valid-every', '2'));
    expect(t.status, t.stderr).toBe(0);
    const audio = join(dir, 'recordings');
    mkdirSync(audio);
    const names = Object.keys(fx.wavs).slice(0, 2);
    for (const n of names) copyFileSync(fx.wavs[n], join(audio, `${n}.wav`));
    const out = join(dir, 'transcripts');
    const r = fieldphone('transcribe', join(run, 'model'), audio, '-o', out, '--format', 'textgrid,eaf,ctm,json');
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(names.flatMap((n) => [`${n}.TextGrid`, `${n}.ctm`, `${n}.eaf`, `${n}.json`]).sort());
    for (const n of names) {
      type Timed = { start: number; end: number };
      const j = JSON.parse(readFileSync(join(out, `${n}.json`), 'utf8')) as { durationSec: number; segments: (Timed & { phone: string })[]; words?: (Timed & { word: string })[] };
      const spoken = j.segments.filter((s) => s.phone !== '<SIL>').map((s) => s.phone);
      const words = (j.words ?? []).map((w) => w.word);
      // TextGrid: Praat sees both tiers tiling the recording, holding exactly the non-silence phones and the words
      const seen = praatReadTextGrid(dir, join(out, `${n}.TextGrid`));
      expect(seen.xmax).toBeCloseTo(j.durationSec, 4);
      expect(seen.tiers.map((x) => [x.name, x.tiles])).toEqual([
        ['phones', true],
        ['words', true],
      ]);
      expect(seen.tiers[0].items.filter((x) => x.label !== '').map((x) => x.label)).toEqual(spoken);
      expect(seen.tiers[1].items.filter((x) => x.label !== '').map((x) => x.label)).toEqual(words);
      expect(readTextGridFile(join(out, `${n}.TextGrid`)).tiers.map((x) => x.items.length)).toEqual(seen.tiers.map((x) => x.items.length));
      // EAF: valid, the same phones and words, the recording referenced relative to it
      const eafPath = join(out, `${n}.eaf`);
      const v = xmllintValidate(eafPath);
      expect(v.ok, v.messages).toBe(true);
      const eaf = readEafFile(eafPath);
      expect(eaf.tiers.map((x) => x.annotations.map((a) => a.label))).toEqual([spoken, words]);
      expect(eaf.media[0].relativeUrl).toBe(`../recordings/${n}.wav`);
      // CTM: one line per word when the model decodes words, else per phone (with a confidence)
      const ctm = lines(join(out, `${n}.ctm`)).filter((l) => l !== '');
      const tokens = j.words ? words.map((w) => w.replace(/\s+/g, '_')) : spoken;
      expect(ctm).toHaveLength(tokens.length);
      ctm.forEach((l, i) => expect(l.startsWith(`${n} 1 `) && l.split(' ')[4]).toBe(tokens[i]));
      for (const l of ctm) expect(l).toMatch(j.words ? /^\S+ 1 \d+\.\d{3} \d+\.\d{3} \S+$/ : /^\S+ 1 \d+\.\d{3} \d+\.\d{3} \S+ [01]\.\d{4}$/);
    }
  });
});
