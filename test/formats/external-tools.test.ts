/**
 * The tools linguists use are the judges: every EAF fieldphone writes must
 * validate against ELAN's schema (xmllint), every TextGrid must open in Praat
 * with tiers that tile the recording, and TextGrids Praat writes (short
 * format, UTF-16) must read back the same. Missing tools fail these tests
 * with the Debian package to install (libxml2-utils, praat).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTextGrid, readTextGridFile, renderEaf, renderTextGrid, transcriptEaf, transcriptTextGrid, type EafDocument } from '../../src/formats/index.js';
import { renderTranscript, transcriptOutputPath, writeTranscriptOutputs, TRANSCRIPT_FORMATS } from '../../src/transcribe/outputs.js';
import type { RecordingTranscript } from '../../src/transcribe/transcribe.js';
import { makeRng } from '../../src/util/rng.js';
import { expectInputError } from '../helpers/errors.js';
import { sampleTranscript } from './sample.js';
import { praatReadTextGrid, praatResave, xmllintValidate } from './tools.js';

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const DATE = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const META = { id: 'rec', model: '/m', date: DATE };

/**
 * A long seeded transcript like the decoder's: phones of 10–150 ms with
 * <SIL> runs, pauses the VAD removed (no units at all), words over some
 * phone runs, labels from an IPA-heavy inventory with characters XML and
 * Praat must escape.
 */
function randomTranscript(seed: number, n: number): RecordingTranscript {
  const rng = makeRng(seed);
  const units = ['a', 'ʃ', 'ɲ', 'tʃʰ', 'ɛː', 'ŋ͡m', '<SIL>', '<SIL>', 'x"y', 'a&b', '<z>'];
  const phones: RecordingTranscript['phones'] = [];
  const words: NonNullable<RecordingTranscript['words']> = [];
  let t = rng.next() * 0.5;
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.05) t += 0.2 + rng.next(); // a pause the VAD cut out
    const dur = 0.01 + Math.floor(rng.next() * 15) * 0.01;
    const phone = units[Math.floor(rng.next() * units.length)];
    phones.push({ phone, start: t, end: t + dur, score: Math.log(0.05 + 0.95 * rng.next()) });
    if (phone !== '<SIL>' && rng.next() < 0.3) words.push({ word: `w${i}`, start: t, end: t + dur, phones: [phone], oov: rng.next() < 0.2 });
    t += dur;
  }
  return { file: '/corpus/long recording.flac', durationSec: t + 0.37, speechSec: t, phones, words };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fieldphone-tools-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a missing tool', () => {
  it('fails with the Debian package to install, not a skip', () => {
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'nothing-here');
    try {
      expect(() => xmllintValidate(fixture('interview.eaf'))).toThrow('xmllint is not installed; these tests need it: install the Debian package libxml2-utils');
      expect(() => praatReadTextGrid(dir, fixture('interview.TextGrid'))).toThrow('praat is not installed; these tests need it: install the Debian package praat');
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('EAF files validate against EAFv3.0.xsd (xmllint)', () => {
  const cases: [string, () => string][] = [
    ['the hand-made transcript (VAD gap, odd labels, IPA)', () => renderTranscript(sampleTranscript(), 'eaf', META)],
    ['a transcript without words', () => renderTranscript({ ...sampleTranscript(), words: undefined }, 'eaf', META)],
    ['a transcript without any phones', () => renderTranscript({ ...sampleTranscript(), phones: [], words: [] }, 'eaf', META)],
    ['2000 seeded random phones and their words', () => renderTranscript(randomTranscript(7, 2000), 'eaf', META)],
    [
      'odd author, tier names and control characters',
      () => {
        const doc: EafDocument = {
          ...transcriptEaf(sampleTranscript('/x/a&b "c".wav'), { date: DATE, eafPath: '/y/out.eaf' }),
          author: 'Ana "the <linguist>" & co',
        };
        doc.tiers.push({ id: 'notes <&> "x"', annotations: [{ start: 0.1, end: 0.2, label: 'bell\u0007 \u0000 ]]> ok' }] });
        return renderEaf(doc);
      },
    ],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.eaf`);
      writeFileSync(file, make());
      const v = xmllintValidate(file);
      expect(v.messages).toContain('validates');
      expect(v.ok, v.messages).toBe(true);
    });
  }

  it('the EAF transcribe writes (through writeTranscriptOutputs), and the ELAN-layout fixture', () => {
    const paths = TRANSCRIPT_FORMATS.map((f) => transcriptOutputPath(join(dir, 'written'), 'rec', f));
    writeTranscriptOutputs(sampleTranscript(join(dir, 'rec.wav')), TRANSCRIPT_FORMATS, paths, { id: 'rec', model: '/m' });
    for (const f of [paths[3], fixture('interview.eaf')]) expect(xmllintValidate(f).ok, xmllintValidate(f).messages).toBe(true);
  });

  it('and the check does fail on an invalid EAF (a negative time, a missing VERSION)', () => {
    const good = renderTranscript(sampleTranscript(), 'eaf', META);
    const bad1 = join(dir, 'negative.eaf');
    writeFileSync(bad1, good.replace('TIME_VALUE="300"', 'TIME_VALUE="-300"'));
    expect(xmllintValidate(bad1)).toMatchObject({ ok: false, messages: expect.stringMatching(/TIME_VALUE.*-300/) });
    const bad2 = join(dir, 'noversion.eaf');
    writeFileSync(bad2, good.replace(' VERSION="3.0"', ''));
    expect(xmllintValidate(bad2)).toMatchObject({ ok: false, messages: expect.stringMatching(/VERSION.*required/) });
  });
});

describe('TextGrids open in Praat', () => {
  it('Praat reads the hand-made transcript: 2 tiers tiling 0–1.8 s, the intervals and labels we wrote', () => {
    const file = join(dir, 'sample.TextGrid');
    const tg = transcriptTextGrid(sampleTranscript());
    writeFileSync(file, renderTextGrid(tg));
    const seen = praatReadTextGrid(dir, file);
    expect([seen.xmin, seen.xmax]).toEqual([0, 1.8]);
    expect(seen.tiers.map((t) => [t.name, t.kind, t.tiles, t.items.length])).toEqual([
      ['phones', 'interval', true, 7],
      ['words', 'interval', true, 5],
    ]);
    seen.tiers.forEach((tier, i) =>
      tier.items.forEach((x, j) => {
        const ours = tg.tiers[i].items[j];
        expect(x.label).toBe(ours.label);
        expect(x.start).toBeCloseTo(ours.start, 9);
        expect(x.end).toBeCloseTo(ours.end, 9);
      }),
    );
  });

  it('the tiling check does fail: Praat loads a hand-edited grid with a gap, and the script sees it', () => {
    const file = join(dir, 'gap.TextGrid');
    const ours = renderTextGrid(transcriptTextGrid(sampleTranscript()));
    writeFileSync(file, ours.replace('            xmin = 0.62 ', '            xmin = 0.7 '));
    expect(praatReadTextGrid(dir, file).tiers.map((t) => t.tiles)).toEqual([false, true]);
  });

  it('Praat reads a 2000-phone random transcript with every tier tiling the recording', () => {
    const t = randomTranscript(11, 2000);
    const file = join(dir, 'random.TextGrid');
    const tg = transcriptTextGrid(t);
    writeFileSync(file, renderTextGrid(tg));
    const seen = praatReadTextGrid(dir, file);
    expect(seen.xmax).toBeCloseTo(t.durationSec, 9);
    expect(seen.tiers.map((x) => [x.name, x.tiles, x.items.length])).toEqual(tg.tiers.map((x) => [x.name, true, x.items.length]));
    expect(seen.tiers[0].items.map((x) => x.label)).toEqual(tg.tiers[0].items.map((x) => x.label));
  });

  it('Praat saves our TextGrid back byte for byte (same long text format)', () => {
    const file = join(dir, 'ours.TextGrid');
    const again = join(dir, 'praat.TextGrid');
    writeFileSync(file, renderTextGrid(transcriptTextGrid(sampleTranscript())));
    praatResave(dir, file, again, 'text');
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });
});

describe('TextGrids Praat writes read back the same', () => {
  it('short text format in UTF-16 (the committed fixture, saved by Praat)', () => {
    const long = readTextGridFile(fixture('interview.TextGrid'));
    expect(readTextGridFile(fixture('interview-short-utf16.TextGrid'))).toEqual(long);
    expect(long.tiers.map((t) => [t.name, t.kind, t.items.length])).toEqual([
      ['sentences', 'interval', 7],
      ['words', 'interval', 11],
      ['notes', 'point', 1],
    ]);
  });

  it('TextGrid → Praat (short, UTF-16) → reader: the same intervals, odd labels included', () => {
    const tg = transcriptTextGrid(randomTranscript(3, 300));
    const file = join(dir, 'rt.TextGrid');
    const short = join(dir, 'rt-short.TextGrid');
    writeFileSync(file, renderTextGrid(tg));
    praatResave(dir, file, short, 'short-utf16');
    expect(readFileSync(short).subarray(0, 2)).toEqual(Buffer.from([0xfe, 0xff]));
    expect(parseTextGrid(renderTextGrid(readTextGridFile(short)), 'x')).toEqual(tg);
    expect(readTextGridFile(short)).toEqual(tg);
  });

  it('binary and chronological TextGrids are refused with what to do in Praat', () => {
    for (const how of ['binary', 'chronological'] as const) {
      const out = join(dir, `${how}.TextGrid`);
      praatResave(dir, fixture('interview.TextGrid'), out, how);
      expectInputError(() => readTextGridFile(out), out, new RegExp(`is a ${how} TextGrid; open it in Praat and use "Save as text file`));
    }
  });
});
