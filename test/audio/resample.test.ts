import { describe, it, expect } from 'vitest';
import { resample } from '../../src/audio/index.js';
import { amplitudeAt, rms, tone, zeroCrossingFrequency } from './helpers.js';

describe('resample', () => {
  for (const from of [44100, 48000, 22050, 8000]) {
    it(`keeps a 1 kHz tone at 1 kHz going ${from} → 16000 Hz`, () => {
      const y = resample(tone(1000, from, 0.25), from, 16000);
      expect(zeroCrossingFrequency(y, 16000)).toBeCloseTo(1000, 0);
      // Passband gain ≈ 1: amplitude 0.5 in, 0.5 out (Hann-windowed DFT reads it within 1%).
      expect(amplitudeAt(y, 16000, 1000)).toBeCloseTo(0.5, 2);
    });
  }

  it('attenuates a tone above the target Nyquist by at least 40 dB instead of aliasing it', () => {
    // 9 kHz at 44.1 kHz would alias to 7 kHz at 16 kHz.
    const y = resample(tone(9000, 44100, 0.5, 0.5), 44100, 16000);
    const skip = 200; // ignore the filter's edges
    const level = rms(y, skip, y.length - skip) / (0.5 / Math.SQRT2);
    expect(20 * Math.log10(level)).toBeLessThan(-40);
    expect(amplitudeAt(y, 16000, 7000)).toBeLessThan(0.5 * 0.01);
  });

  it('passes a 3 kHz tone flat and suppresses its image when upsampling 8 → 16 kHz', () => {
    const y = resample(tone(3000, 8000, 0.25), 8000, 16000);
    expect(amplitudeAt(y, 16000, 3000)).toBeCloseTo(0.5, 2);
    // The spectral image of 3 kHz at 8 kHz sampling lies at 8000 − 3000 = 5 kHz.
    expect(amplitudeAt(y, 16000, 5000)).toBeLessThan(0.5 * 0.01);
  });

  it('returns an equal copy for an identical rate', () => {
    const x = tone(440, 16000, 0.1);
    const y = resample(x, 16000, 16000);
    expect(y).toEqual(x);
    expect(y).not.toBe(x);
  });

  it('gives round(n·to/from) samples (±1) for assorted lengths and rates', () => {
    for (const [n, from, to] of [
      [1000, 44100, 16000],
      [12345, 48000, 16000],
      [777, 22050, 16000],
      [5000, 8000, 16000],
      [4410, 44100, 48000],
      [100, 11025, 16000],
      [3001, 44099, 16000], // gcd 1: exercises the rounded-phase path
    ]) {
      const y = resample(new Float32Array(n), from, to);
      expect(Math.abs(y.length - Math.round((n * to) / from))).toBeLessThanOrEqual(1);
    }
  });

  it('keeps a constant signal constant (exact DC gain in every phase)', () => {
    const y = resample(new Float32Array(44100).fill(0.25), 44100, 16000);
    const skip = 100; // the zero padding past the ends pulls the edges down
    let worst = 0;
    for (let i = skip; i < y.length - skip; i++) worst = Math.max(worst, Math.abs(y[i] - 0.25));
    expect(worst).toBeLessThan(1e-5);
  });

  it('handles rates whose ratio needs more phases than the table holds', () => {
    // 44 099 / 16 000 have gcd 1 → 16 000 phases × 136 taps > table limit, so phases are rounded.
    const y = resample(tone(1000, 44099, 0.25), 44099, 16000);
    expect(zeroCrossingFrequency(y, 16000)).toBeCloseTo(1000, 0);
    expect(amplitudeAt(y, 16000, 1000)).toBeCloseTo(0.5, 2);
    // Phase rounding adds timing jitter; it must stay far below the signal (< -60 dB).
    const ref = tone(1000, 16000, 0.25);
    let err = 0;
    for (let i = 200; i < y.length - 200; i++) err += (y[i] - ref[i]) ** 2;
    expect(10 * Math.log10(err / (y.length - 400) / 0.125)).toBeLessThan(-60);
  });

  it('aligns output time with input time (no delay)', () => {
    // A single click at 0.25 s must stay at 0.25 s.
    const x = new Float32Array(44100);
    x[11025] = 1;
    const y = resample(x, 44100, 16000);
    let arg = 0;
    for (let i = 1; i < y.length; i++) if (y[i] > y[arg]) arg = i;
    expect(Math.abs(arg - 4000)).toBeLessThanOrEqual(1);
  });

  it('rejects non-integer or non-positive rates', () => {
    expect(() => resample(new Float32Array(10), 0, 16000)).toThrow(RangeError);
    expect(() => resample(new Float32Array(10), 44100.5, 16000)).toThrow(RangeError);
  });

  it('empty input gives empty output', () => {
    expect(resample(new Float32Array(0), 44100, 16000).length).toBe(0);
  });
});
