import { afterAll, afterEach, beforeAll, describe, it, expect } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { loadAudio, writeWav } from '../../src/audio/index.js';
import { InputFileError, MissingToolError } from '../../src/util/errors.js';
import { amplitudeAt, tempDir, tone, writeRefWav, zeroCrossingFrequency } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

const N = 1600; // 0.1 s at 16 kHz
const left = Array.from(tone(1000, 16000, N / 16000, 0.5));
const right = Array.from(tone(250, 16000, N / 16000, 0.25));

function expectClose(actual: Float32Array, expected: (i: number) => number, tol: number): void {
  expect(actual.length).toBe(N);
  let worst = 0;
  for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(actual[i] - expected(i)));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('loadAudio: WAV encodings', () => {
  it('16-bit stereo PCM is averaged to mono', async () => {
    const p = join(dir, 'pcm16-stereo.wav');
    const L = left.map((v) => Math.round(v * 32767));
    const R = right.map((v) => Math.round(v * 32767));
    writeRefWav(p, [L, R], 16000, '16');
    const a = await loadAudio(p);
    expect(a.sampleRate).toBe(16000);
    expect(a.source).toMatchObject({ path: p, format: 'wav-pcm16', sampleRate: 16000, channels: 2, durationSec: 0.1 });
    expect(a.source.warnings).toBeUndefined();
    expectClose(a.samples, (i) => (L[i] / 32768 + R[i] / 32768) / 2, 1e-7);
  });

  it('24-bit mono PCM', async () => {
    const p = join(dir, 'pcm24.wav');
    const L = left.map((v) => Math.round(v * 8388607));
    writeRefWav(p, [L], 16000, '24');
    const a = await loadAudio(p);
    expect(a.source.format).toBe('wav-pcm24');
    expectClose(a.samples, (i) => L[i] / 8388608, 1e-7);
  });

  it('32-bit integer PCM', async () => {
    const p = join(dir, 'pcm32.wav');
    const L = left.map((v) => Math.round(v * 2147483647));
    writeRefWav(p, [L], 16000, '32');
    const a = await loadAudio(p);
    expect(a.source.format).toBe('wav-pcm32');
    expectClose(a.samples, (i) => L[i] / 2147483648, 1e-7);
  });

  it('32-bit float', async () => {
    const p = join(dir, 'float32.wav');
    writeRefWav(p, [left, right], 16000, '32f');
    const a = await loadAudio(p);
    expect(a.source.format).toBe('wav-float32');
    expectClose(a.samples, (i) => (Math.fround(left[i]) + Math.fround(right[i])) / 2, 1e-7);
  });

  it('64-bit float', async () => {
    const p = join(dir, 'float64.wav');
    writeRefWav(p, [left], 16000, '64');
    const a = await loadAudio(p);
    expect(a.source.format).toBe('wav-float64');
    expectClose(a.samples, (i) => left[i], 1e-7);
  });

  it('8-bit PCM is unsigned, centred on 128', async () => {
    const p = join(dir, 'pcm8.wav');
    const L = left.map((v) => Math.round(v * 127) + 128);
    writeRefWav(p, [L], 16000, '8');
    const a = await loadAudio(p);
    expect(a.source.format).toBe('wav-pcm8');
    expectClose(a.samples, (i) => (L[i] - 128) / 128, 1e-7);
  });

  it('WAVE_FORMAT_EXTENSIBLE: 3 channels of 24-bit PCM', async () => {
    const chans = [left, right, left.map((v) => -v)].map((c) => c.map((v) => Math.round(v * 8388607)));
    const p = join(dir, 'extensible-pcm.wav');
    writeFileSync(p, extensibleWav(chans, 16000, 1, 24));
    const a = await loadAudio(p);
    expect(a.source).toMatchObject({ format: 'wav-pcm24', channels: 3 });
    expectClose(a.samples, (i) => (chans[0][i] + chans[1][i] + chans[2][i]) / 8388608 / 3, 1e-7);
  });

  it('WAVE_FORMAT_EXTENSIBLE: stereo 32-bit float', async () => {
    const p = join(dir, 'extensible-float.wav');
    writeFileSync(p, extensibleWav([left, right], 16000, 3, 32));
    const a = await loadAudio(p);
    expect(a.source).toMatchObject({ format: 'wav-float32', channels: 2 });
    expectClose(a.samples, (i) => (Math.fround(left[i]) + Math.fround(right[i])) / 2, 1e-7);
  });

  it('big-endian RIFX', async () => {
    const w = new wavefile.WaveFile();
    const L = left.map((v) => Math.round(v * 32767));
    w.fromScratch(1, 16000, '16', L);
    w.toRIFX();
    const p = join(dir, 'rifx.wav');
    writeFileSync(p, w.toBuffer());
    expect(readFileSync(p).toString('latin1', 0, 4)).toBe('RIFX');
    const a = await loadAudio(p);
    expectClose(a.samples, (i) => L[i] / 32768, 1e-7);
  });

  it('RF64 takes the data size from the ds64 chunk', async () => {
    const L = left.map((v) => Math.round(v * 32767));
    const p = join(dir, 'rf64.wav');
    writeFileSync(p, rf64(L, 16000));
    const a = await loadAudio(p);
    expect(a.source.warnings).toBeUndefined();
    expectClose(a.samples, (i) => L[i] / 32768, 1e-7);
  });

  it('a 48 kHz file comes back at 16 kHz with the same duration and pitch', async () => {
    const p = join(dir, 'tone48k.wav');
    writeRefWav(p, [Array.from(tone(440, 48000, 0.5)).map((v) => Math.round(v * 32767))], 48000, '16');
    const a = await loadAudio(p);
    expect(a.sampleRate).toBe(16000);
    expect(a.source.sampleRate).toBe(48000);
    expect(a.source.durationSec).toBeCloseTo(0.5, 6);
    expect(a.samples.length).toBe(8000);
    expect(zeroCrossingFrequency(a.samples, 16000)).toBeCloseTo(440, 0);
    expect(amplitudeAt(a.samples, 16000, 440)).toBeCloseTo(0.5, 2);
  });

  it('honours the sampleRate option', async () => {
    const p = join(dir, 'tone16k.wav');
    writeRefWav(p, [Array.from(tone(440, 16000, 0.5)).map((v) => Math.round(v * 32767))], 16000, '16');
    const a = await loadAudio(p, { sampleRate: 8000 });
    expect(a.sampleRate).toBe(8000);
    expect(a.samples.length).toBe(4000);
    expect(zeroCrossingFrequency(a.samples, 8000)).toBeCloseTo(440, 0);
  });
});

describe('loadAudio: damaged and unusual WAVs', () => {
  const full = (): Buffer => {
    const p = join(dir, 'full.wav');
    writeRefWav(p, [left.map((v) => Math.round(v * 32767))], 16000, '16');
    return readFileSync(p);
  };

  it('a WAV cut short inside its data keeps the samples present and warns', async () => {
    const bytes = full();
    const p = join(dir, 'cut-data.wav');
    writeFileSync(p, bytes.subarray(0, 44 + 2 * 1000 + 1)); // 1000 whole samples and one stray byte
    const a = await loadAudio(p, { minDurationSec: 0.05 });
    expect(a.samples.length).toBe(1000);
    for (const i of [0, 500, 999]) expect(a.samples[i]).toBeCloseTo(Math.round(left[i] * 32767) / 32768, 7);
    expect(a.source.warnings?.[0]).toMatch(/truncated.*0\.10 s.*0\.06 s/);
  });

  it('a WAV whose header was never finished (data size 0) is read to its end, with a warning', async () => {
    const bytes = Buffer.from(full());
    bytes.writeUInt32LE(0, 40);
    bytes.writeUInt32LE(0, 4);
    const p = join(dir, 'unfinished.wav');
    writeFileSync(p, bytes);
    const a = await loadAudio(p);
    expect(a.samples.length).toBe(N);
    expect(a.source.warnings?.[0]).toMatch(/never finished/);
  });

  it('a streamed WAV (data size 0xFFFFFFFF) is read to its end without a warning', async () => {
    const bytes = Buffer.from(full());
    bytes.writeUInt32LE(0xffffffff, 40);
    const p = join(dir, 'streamed.wav');
    writeFileSync(p, bytes);
    const a = await loadAudio(p);
    expect(a.samples.length).toBe(N);
    expect(a.source.warnings).toBeUndefined();
  });

  it('NaN or infinite float samples are an error naming the time', async () => {
    const x = left.slice();
    x[800] = NaN;
    const p = join(dir, 'nan.wav');
    writeRefWav(p, [x], 16000, '32f');
    const err = await loadAudio(p).catch((e) => e);
    expect(err).toBeInstanceOf(InputFileError);
    expect(err.code).toBe('corrupt');
    expect(err.message).toContain(p);
    expect(err.message).toMatch(/NaN sample value at 0\.050 s/);

    x[800] = Infinity;
    writeRefWav(p, [x], 16000, '32f');
    await expect(loadAudio(p)).rejects.toThrow(/infinite sample/);
  });

  it('float samples beyond ±1 are scaled back into range, with a warning', async () => {
    const p = join(dir, 'loud.wav');
    writeRefWav(p, [left.map((v) => v * 8)], 16000, '32f'); // peak 4
    const a = await loadAudio(p);
    expectClose(a.samples, (i) => Math.fround(left[i] * 8) / 4, 1e-6);
    expect(a.source.warnings?.[0]).toMatch(/reach 4\.00.*scaled/);
  });

  it('a codec WAV (IMA ADPCM) without ffmpeg asks for ffmpeg', async () => {
    const w = new wavefile.WaveFile();
    w.fromScratch(1, 8000, '16', left.map((v) => Math.round(v * 32767))); // wavefile's encoder wants 8 kHz
    w.toIMAADPCM();
    const p = join(dir, 'adpcm.wav');
    writeFileSync(p, w.toBuffer());
    const err = await withPath(join(dir, 'no-tools'), () => loadAudio(p).catch((e) => e));
    expect(err).toBeInstanceOf(MissingToolError);
    expect(err.message).toContain(p);
    expect(err.message).toMatch(/IMA ADPCM/);
  });
});

describe('writeWav', () => {
  beforeAll(() => mkdirSync(join(dir, 'out'), { recursive: true }));
  afterEach(() => {
    // Atomic writes leave no temporary files behind.
    expect(readdirSync(join(dir, 'out')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('16-bit round trip, readable by wavefile', async () => {
    const p = join(dir, 'out', 'rt16.wav');
    const x = tone(1000, 16000, 0.2, 0.9);
    x[10] = 1.5; // out of range: clipped
    writeWav(p, { samples: x, sampleRate: 16000 });
    const ref = new wavefile.WaveFile(readFileSync(p));
    expect((ref.fmt as { audioFormat: number; numChannels: number; sampleRate: number; bitsPerSample: number })).toMatchObject({
      audioFormat: 1,
      numChannels: 1,
      sampleRate: 16000,
      bitsPerSample: 16,
    });
    const ints = ref.getSamples(false, Int16Array) as unknown as Int16Array;
    expect(ints[10]).toBe(32767);
    expect(ints[100]).toBe(Math.round(x[100] * 32768));
    const a = await loadAudio(p);
    let worst = 0;
    for (let i = 0; i < x.length; i++) if (i !== 10) worst = Math.max(worst, Math.abs(a.samples[i] - x[i]));
    expect(worst).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
  });

  it('32-bit float round trip is exact', async () => {
    const p = join(dir, 'out', 'rt32.wav');
    const x = tone(300, 22050, 0.2, 0.7);
    writeWav(p, { samples: x, sampleRate: 22050 }, { bitDepth: 32 });
    const a = await loadAudio(p, { sampleRate: 22050 });
    expect(a.source.format).toBe('wav-float32');
    expect(a.samples).toEqual(x);
  });

  it('replaces an existing file', async () => {
    const p = join(dir, 'out', 'replace.wav');
    writeFileSync(p, 'old');
    writeWav(p, { samples: tone(300, 16000, 0.2), sampleRate: 16000 });
    expect((await loadAudio(p)).samples.length).toBe(3200);
  });

  it('refuses non-finite samples', () => {
    const x = new Float32Array(100);
    x[5] = NaN;
    expect(() => writeWav(join(dir, 'out', 'nan.wav'), { samples: x, sampleRate: 16000 })).toThrow(/sample 5/);
  });
});

/** Run with PATH pointing only at `binDir`, so no real ffmpeg is found. */
async function withPath<T>(binDir: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(binDir, { recursive: true });
  const saved = process.env.PATH;
  process.env.PATH = binDir;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

/** WAVE_FORMAT_EXTENSIBLE with the standard KSDATAFORMAT sub-format GUID (1 = PCM, 3 = float). */
function extensibleWav(channels: number[][], rate: number, subFormat: 1 | 3, bits: 24 | 32): Buffer {
  const n = channels[0].length;
  const bps = bits / 8;
  const dataBytes = n * channels.length * bps;
  const b = Buffer.alloc(12 + 8 + 40 + 8 + dataBytes);
  let p = 0;
  const str = (s: string) => (p += b.write(s, p, 'latin1'));
  const u32 = (v: number) => (p = b.writeUInt32LE(v, p));
  const u16 = (v: number) => (p = b.writeUInt16LE(v, p));
  str('RIFF');
  u32(b.length - 8);
  str('WAVE');
  str('fmt ');
  u32(40);
  u16(0xfffe);
  u16(channels.length);
  u32(rate);
  u32(rate * channels.length * bps);
  u16(channels.length * bps);
  u16(bits);
  u16(22); // cbSize
  u16(bits); // valid bits
  u32(0); // channel mask
  u32(subFormat); // GUID 0000000X-0000-0010-8000-00aa00389b71
  p += Buffer.from([0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(b, p);
  str('data');
  u32(dataBytes);
  for (let i = 0; i < n; i++) {
    for (const c of channels) {
      if (subFormat === 3) p = b.writeFloatLE(c[i], p);
      else p = b.writeIntLE(c[i], p, bps);
    }
  }
  return b;
}

/** A minimal RF64 file (EBU Tech 3306): RIFF and data sizes 0xFFFFFFFF, real sizes in ds64 (low word first). */
function rf64(samples: number[], rate: number): Buffer {
  const dataBytes = samples.length * 2;
  const b = Buffer.alloc(12 + 36 + 24 + 8 + dataBytes);
  let p = 0;
  const str = (s: string) => (p += b.write(s, p, 'latin1'));
  const u32 = (v: number) => (p = b.writeUInt32LE(v, p));
  const u16 = (v: number) => (p = b.writeUInt16LE(v, p));
  str('RF64');
  u32(0xffffffff);
  str('WAVE');
  str('ds64');
  u32(28);
  u32(b.length - 8); // RIFF size, low
  u32(0); // high
  u32(dataBytes); // data size, low
  u32(0); // high
  u32(samples.length); // sample count, low
  u32(0); // high
  u32(0); // table length
  str('fmt ');
  u32(16);
  u16(1);
  u16(1);
  u32(rate);
  u32(rate * 2);
  u16(2);
  u16(16);
  str('data');
  u32(0xffffffff);
  for (const s of samples) p = b.writeInt16LE(s, p);
  return b;
}
