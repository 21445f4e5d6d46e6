/** Shared test utilities: temp folders, synthetic signals, spectrum measurements, reference WAVs. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wavefile from 'wavefile';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fieldphone-audio-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function tone(freq: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  const n = Math.round(rate * seconds);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

/** Amplitude of the component at `freq` (single-bin DFT over a Hann window, gain-corrected). */
export function amplitudeAt(x: Float32Array, rate: number, freq: number): number {
  let re = 0;
  let im = 0;
  let wsum = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const ph = (2 * Math.PI * freq * i) / rate;
    re += w * x[i] * Math.cos(ph);
    im += w * x[i] * Math.sin(ph);
    wsum += w;
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

/** Frequency from the mean spacing of upward zero crossings (interpolated), over the middle 80% of the signal. */
export function zeroCrossingFrequency(x: Float32Array, rate: number): number {
  const from = Math.floor(x.length * 0.1);
  const to = Math.floor(x.length * 0.9);
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = from + 1; i < to; i++) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const t = i - 1 + x[i - 1] / (x[i - 1] - x[i]);
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return ((count - 1) * rate) / (last - first);
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

/** A WAV written by wavefile (an implementation independent of the code under test). */
export function writeRefWav(path: string, channels: ArrayLike<number>[], rate: number, bitDepth: string): void {
  const w = new wavefile.WaveFile();
  w.fromScratch(channels.length, rate, bitDepth, channels.map((c) => Array.from(c)));
  writeFileSync(path, w.toBuffer());
}

export const FIXTURES = fileURLToPath(new URL('../fixtures/audio/', import.meta.url));
