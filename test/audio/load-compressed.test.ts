import { afterAll, afterEach, describe, it, expect } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAudio } from '../../src/audio/index.js';
import { InputFileError, MissingToolError } from '../../src/util/errors.js';
import { float32ToBytes } from '../../src/util/fsx.js';
import { FIXTURES, tempDir, tone, zeroCrossingFrequency } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

const flac = join(FIXTURES, 'tone-stereo-16k.flac');
const ogg = join(FIXTURES, 'tone-44k.ogg');
const mp3 = join(FIXTURES, 'tone-22k.mp3');

/** The FLAC fixture's content: two 16-bit channels, averaged (see test/fixtures/audio/README.md). */
// Lossless within one 16-bit step (the decoder scales by 1/32767, WAV convention is 1/32768).
const LSB = 1 / 32768;
function flacExpected(i: number): number {
  const L = Math.round(0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000) * 32767);
  const R = Math.round(0.25 * Math.sin((2 * Math.PI * 250 * i) / 16000) * 32767);
  return (L / 32768 + R / 32768) / 2;
}

/** SNR in dB of x against 0.5·sin(2π·1000t), over the middle 80%. */
function toneSnrDb(x: Float32Array, rate: number): number {
  let s = 0;
  let e = 0;
  for (let i = Math.floor(x.length * 0.1); i < Math.floor(x.length * 0.9); i++) {
    const r = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate);
    s += r * r;
    e += (x[i] - r) ** 2;
  }
  return 10 * Math.log10(s / e);
}

function maxDiff(a: Float32Array, b: (i: number) => number, n = a.length): number {
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i] - b(i)));
  return worst;
}

/** Make PATH hold only a folder with the given scripts (none: no ffmpeg at all). */
function fakeTools(name: string, scripts: Record<string, string>): string {
  const bin = join(dir, name);
  mkdirSync(bin, { recursive: true });
  for (const [tool, body] of Object.entries(scripts)) {
    writeFileSync(join(bin, tool), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  process.env.PATH = bin;
  return bin;
}

/** A fake ffmpeg that records its arguments and prints `samples` as f32le. */
function fakeFfmpeg(name: string, samples: Float32Array, probeJson?: string): string {
  const bin = fakeTools(name, {
    ffmpeg: 'printf "%s\\n" "$@" > "${0%/*}/args.txt"\nexec /bin/cat "${0%/*}/out.f32"',
    ...(probeJson ? { ffprobe: `printf '%s' '${probeJson}'` } : {}),
  });
  writeFileSync(join(bin, 'out.f32'), float32ToBytes(samples));
  return bin;
}

const posixOnly = it.skipIf(process.platform === 'win32');

describe('loadAudio: compressed formats decoded in-process', () => {
  it('FLAC (stereo) decodes exactly and is averaged to mono', async () => {
    const a = await loadAudio(flac);
    expect(a.source).toMatchObject({ format: 'flac', sampleRate: 16000, channels: 2, durationSec: 0.5 });
    expect(a.samples.length).toBe(8000);
    expect(maxDiff(a.samples, flacExpected)).toBeLessThan(LSB);
  });

  it('Ogg Vorbis at 44.1 kHz decodes, aligned, and is resampled to 16 kHz', async () => {
    const a = await loadAudio(ogg);
    expect(a.source).toMatchObject({ format: 'ogg-vorbis', sampleRate: 44100, channels: 1 });
    expect(a.source.durationSec).toBeCloseTo(0.5, 6);
    expect(a.samples.length).toBe(8000);
    expect(zeroCrossingFrequency(a.samples, 16000)).toBeCloseTo(1000, 0);
    expect(toneSnrDb(a.samples, 16000)).toBeGreaterThan(20); // lossy, but sample-aligned
  });

  it('MP3 at 22.05 kHz decodes gaplessly, reports mono, and is resampled', async () => {
    const a = await loadAudio(mp3);
    expect(a.source).toMatchObject({ format: 'mp3', sampleRate: 22050, channels: 1 });
    expect(a.source.durationSec).toBeCloseTo(0.5, 6);
    expect(zeroCrossingFrequency(a.samples, 16000)).toBeCloseTo(1000, 0);
    expect(toneSnrDb(a.samples, 16000)).toBeGreaterThan(20);
  });

  it('recognises the format from the content, not the name', async () => {
    const p = join(dir, 'really-a-flac.wav');
    copyFileSync(flac, p);
    const a = await loadAudio(p);
    expect(a.source.format).toBe('flac');
    expect(maxDiff(a.samples, flacExpected)).toBeLessThan(LSB);
  });
});

describe('loadAudio: damaged compressed files', () => {
  const oggBytes = readFileSync(ogg); // pages: 0 id, 58 setup, 3529.. five ~100 ms audio pages

  it('a cut-off Ogg keeps the complete pages, decodes them exactly, and warns', async () => {
    const whole = await loadAudio(ogg, { sampleRate: 44100 });
    const p = join(dir, 'cut.ogg');
    writeFileSync(p, oggBytes.subarray(0, 4000)); // inside the fourth page
    const a = await loadAudio(p, { sampleRate: 44100 });
    expect(a.samples.length).toBe(9792); // granule position of the last complete page
    expect(maxDiff(a.samples, (i) => whole.samples[i])).toBe(0); // no garbage from the partial page
    expect(a.source.warnings?.join()).toMatch(/truncated/);
  });

  it('a damaged Ogg audio page is skipped (checksum), not decoded into noise', async () => {
    const bad = Buffer.from(oggBytes);
    for (let i = 3800; i < 3840; i++) bad[i] ^= 0x5a; // inside the second audio page
    const p = join(dir, 'damaged-page.ogg');
    writeFileSync(p, bad);
    const a = await loadAudio(p, { sampleRate: 44100 });
    expect(a.source.warnings?.join()).toMatch(/1 damaged Ogg page/);
    expect(a.samples.length).toBeLessThan(22050);
    expect(a.samples.length).toBeGreaterThan(22050 - 2 * 5120);
    let peak = 0;
    for (const v of a.samples) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeLessThan(0.7);
  });

  posixOnly('a damaged Ogg header page is an error when ffmpeg is absent…', async () => {
    fakeTools('none-1', {});
    const bad = Buffer.from(oggBytes);
    bad[2000] ^= 0xff;
    const p = join(dir, 'damaged-header.ogg');
    writeFileSync(p, bad);
    const err = await loadAudio(p).catch((e) => e);
    expect(err).toBeInstanceOf(InputFileError);
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/damaged-header\.ogg: no audio could be decoded.*damaged Ogg page/);
  });

  posixOnly('…and falls back to ffmpeg when it is installed', async () => {
    const fromFfmpeg = tone(300, 16000, 0.3);
    fakeFfmpeg('fallback', fromFfmpeg);
    const a = await loadAudio(join(dir, 'damaged-header.ogg'));
    expect(a.samples).toEqual(fromFfmpeg);
    expect(a.source.warnings?.[0]).toMatch(/built-in decoder failed.*ffmpeg decoded it instead/);
  });

  posixOnly('a truncated FLAC keeps what decodes and says how much the header announced', async () => {
    fakeTools('none-2', {});
    const p = join(dir, 'cut.flac');
    writeFileSync(p, readFileSync(flac).subarray(0, 3000)); // four of its seven 1152-sample frames
    const a = await loadAudio(p);
    expect(a.samples.length).toBeGreaterThan(0);
    expect(a.samples.length).toBeLessThan(8000);
    expect(maxDiff(a.samples, flacExpected)).toBeLessThan(LSB);
    expect(a.source.warnings?.[0]).toMatch(/only 0\.\d\d s of the 0\.50 s announced in the FLAC header/);
  });

  posixOnly('a short FLAC decode takes ffmpeg’s result when ffmpeg recovers more', async () => {
    const fromFfmpeg = tone(300, 16000, 0.45);
    fakeFfmpeg('longer', fromFfmpeg);
    const a = await loadAudio(join(dir, 'cut.flac'));
    expect(a.samples).toEqual(fromFfmpeg);
    expect(a.source.warnings?.join('\n')).toMatch(/ffmpeg recovered 0\.45 s/);
  });

  posixOnly('a FLAC with only its header is corrupt, with or without ffmpeg', async () => {
    const p = join(dir, 'header-only.flac');
    writeFileSync(p, readFileSync(flac).subarray(0, 92)); // metadata blocks only
    fakeTools('none-5', {});
    const err = await loadAudio(p).catch((e) => e);
    expect(err).toBeInstanceOf(InputFileError);
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/truncated or damaged/);
    // An ffmpeg that decodes nothing either must not turn this into an 'empty' file.
    fakeFfmpeg('empty-out', new Float32Array(0));
    await expect(loadAudio(p)).rejects.toMatchObject({ code: 'corrupt' });
  });
});

describe('loadAudio: formats that need ffmpeg', () => {
  const m4a = join(dir, 'interview.m4a');
  const m4aBytes = Buffer.alloc(64);
  m4aBytes.writeUInt32BE(32, 0);
  m4aBytes.write('ftypM4A ', 4, 'latin1');

  posixOnly('without ffmpeg: MissingToolError naming the file and how to install ffmpeg', async () => {
    writeFileSync(m4a, m4aBytes);
    fakeTools('none-3', {});
    const err = await loadAudio(m4a).catch((e) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect(err.message).toContain(m4a);
    expect(err.message).toContain('apt-get install ffmpeg');
    expect(err.message).toContain('brew install ffmpeg');
    expect(err.message).toContain('ffmpeg.org');
  });

  posixOnly('with ffmpeg and ffprobe: averaged downmix at the requested rate, source described', async () => {
    writeFileSync(m4a, m4aBytes);
    const out = tone(440, 16000, 0.5);
    const bin = fakeFfmpeg('full', out, '{"streams":[{"codec_name":"aac","sample_rate":"44100","channels":2}]}');
    const a = await loadAudio(m4a);
    expect(a.samples).toEqual(out);
    expect(a.sampleRate).toBe(16000);
    expect(a.source).toMatchObject({ format: 'ffmpeg-aac', sampleRate: 44100, channels: 2, durationSec: 0.5 });
    const args = readFileSync(join(bin, 'args.txt'), 'utf8').trim().split('\n');
    expect(args).toContain(`file:${resolve(m4a)}`);
    expect(args.join(' ')).toContain('-af pan=mono|c0<c0+c1');
    expect(args.join(' ')).toContain('-f f32le -ar 16000 -');
  });

  posixOnly('with ffmpeg but no ffprobe: plain -ac 1 downmix, unknown source rate', async () => {
    writeFileSync(m4a, m4aBytes);
    const bin = fakeFfmpeg('no-probe', tone(440, 8000, 0.5));
    const a = await loadAudio(m4a, { sampleRate: 8000 });
    expect(a.source).toMatchObject({ format: 'ffmpeg-unknown', sampleRate: 0, channels: 0 });
    expect(readFileSync(join(bin, 'args.txt'), 'utf8')).toMatch(/-ac\n1\n.*-ar\n8000/s);
  });

  posixOnly('ffmpeg failing is a corrupt-file error quoting its first complaint', async () => {
    writeFileSync(m4a, m4aBytes);
    fakeTools('failing', {
      ffmpeg: 'echo "[mov,mp4,m4a @ 0x1] moov atom not found" >&2\necho "Invalid data found when processing input" >&2\nexit 1',
    });
    const err = await loadAudio(m4a).catch((e) => e);
    expect(err).toBeInstanceOf(InputFileError);
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/interview\.m4a: not readable as audio \(ffmpeg reports: .*moov atom not found\)/);
  });

  posixOnly('an unrecognised binary file without ffmpeg is unsupported-format', async () => {
    fakeTools('none-4', {});
    const p = join(dir, 'mystery.dat');
    writeFileSync(p, Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 251)));
    const err = await loadAudio(p).catch((e) => e);
    expect(err).toBeInstanceOf(InputFileError);
    expect(err.code).toBe('unsupported-format');
    expect(err.message).toMatch(/not a recognised audio file.*ffmpeg/);
  });
});
