/**
 * Transcript outputs: the format list the CLI accepts, CTM lines worked out
 * by hand, JSON with words, and every format written to its file.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEaf, parseTextGrid, renderCtm } from '../../src/formats/index.js';
import { parseTranscriptFormats, renderTranscript, transcriptOutputPath, writeTranscriptOutputs, TRANSCRIPT_FORMATS } from '../../src/transcribe/outputs.js';
import { UsageError } from '../../src/util/errors.js';
import { ODD, sampleTranscript } from './sample.js';

const META = { id: 'session_ʃ1', model: '/models/m1', date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) };

describe('parseTranscriptFormats', () => {
  it('accepts several formats at once, any case, each once', () => {
    expect(parseTranscriptFormats('textgrid, EAF,ctm,textgrid')).toEqual(['textgrid', 'eaf', 'ctm']);
    expect(TRANSCRIPT_FORMATS).toEqual(['json', 'txt', 'textgrid', 'eaf', 'ctm']);
  });

  it('refuses an unknown or empty list with the choices', () => {
    expect(() => parseTranscriptFormats('json,xml')).toThrow(UsageError);
    expect(() => parseTranscriptFormats('json,xml')).toThrow("unknown format 'xml'; choose from json, txt, textgrid, eaf, ctm");
    expect(() => parseTranscriptFormats(' , ')).toThrow(/no output format given; choose from json, txt/);
  });

  it('names files <id>.json .txt .TextGrid .eaf .ctm', () => {
    expect(TRANSCRIPT_FORMATS.map((f) => transcriptOutputPath('/o', 'r1', f))).toEqual(['/o/r1.json', '/o/r1.txt', '/o/r1.TextGrid', '/o/r1.eaf', '/o/r1.ctm']);
  });
});

describe('CTM', () => {
  it('writes phones with confidence exp(mean log probability), in ms, <SIL> left out', () => {
    const t = { ...sampleTranscript(), words: undefined };
    expect(renderTranscript(t, 'ctm', META)).toBe(
      ['session_ʃ1 1 0.300 0.200 a 0.8000', `session_ʃ1 1 0.500 0.120 ${ODD} 0.2500`, 'session_ʃ1 1 1.100 0.200 ʃː 0.5000', 'session_ʃ1 1 1.300 0.150 ɲ 0.9000', ''].join('\n'),
    );
  });

  it('writes words when the transcript has them; an out-of-lexicon stretch keeps its phones joined by _', () => {
    expect(renderTranscript(sampleTranscript(), 'ctm', META)).toBe('session_ʃ1 1 0.300 0.320 ab\nsession_ʃ1 1 1.100 0.350 ʃː_ɲ\n');
    expect(renderTranscript({ ...sampleTranscript(), words: [] }, 'ctm', META)).toBe('');
  });

  it('sorts by time and makes begin + duration add up in ms', () => {
    const lines = renderCtm('u 1', [
      { start: 0.6666, end: 0.9999, label: 'b' },
      { start: 0.0004, end: 0.6666, label: 'a', conf: 1.2 },
    ]).split('\n');
    expect(lines).toEqual(['u_1 1 0.000 0.667 a 1.0000', 'u_1 1 0.667 0.333 b', '']);
  });
});

describe('renderTranscript', () => {
  it('json: phones as before, words added (times rounded to 0.1 ms) when present', () => {
    const t = sampleTranscript();
    t.words![0].end = 0.620049;
    const j = JSON.parse(renderTranscript(t, 'json', META));
    expect(j).toMatchObject({ id: 'session_ʃ1', model: '/models/m1', durationSec: 1.8, file: t.file, phones: `a ${ODD} ʃː ɲ` });
    expect(j.segments).toHaveLength(7);
    expect(j.words).toEqual([
      { word: 'ab', start: 0.3, end: 0.62, phones: ['a', 'b'], oov: false, score: -7.5 },
      { word: 'ʃː ɲ', start: 1.1, end: 1.45, phones: ['ʃː', 'ɲ'], oov: true },
    ]);
    expect('words' in JSON.parse(renderTranscript({ ...t, words: undefined }, 'json', META))).toBe(false);
  });

  it('txt: the phones without <SIL>', () => {
    expect(renderTranscript(sampleTranscript(), 'txt', META)).toBe(`a ${ODD} ʃː ɲ\n`);
  });
});

describe('writeTranscriptOutputs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldphone-outputs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each format to its own file; the EAF finds the recording relative to where it was written', () => {
    const t = sampleTranscript(join(dir, 'audio', 'session ʃ1.wav'));
    const out = join(dir, 'out');
    const paths = TRANSCRIPT_FORMATS.map((f) => transcriptOutputPath(out, META.id, f));
    writeTranscriptOutputs(t, TRANSCRIPT_FORMATS, paths, { id: META.id, model: META.model });
    expect(readdirSync(out).sort()).toEqual(['session_ʃ1.TextGrid', 'session_ʃ1.ctm', 'session_ʃ1.eaf', 'session_ʃ1.json', 'session_ʃ1.txt']);
    const eaf = parseEaf(readFileSync(paths[3], 'utf8'), paths[3]);
    expect(eaf.media[0].relativeUrl).toBe('../audio/session%20%CA%831.wav');
    expect(eaf.tiers.map((x) => x.annotations.length)).toEqual([4, 2]);
    const tg = parseTextGrid(readFileSync(paths[2], 'utf8'), paths[2]);
    expect(tg.tiers.map((x) => x.items.length)).toEqual([7, 5]);
    expect(readFileSync(paths[4], 'utf8').split('\n')[0]).toBe('session_ʃ1 1 0.300 0.320 ab');
  });
});
