import { describe, it, expect } from 'vitest';
import Meyda from 'meyda';
import {
  computeFeatures,
  numFrames,
  frameCenterTime,
  featureDim,
  DEFAULT_FEATURE_CONFIG,
  RealPowerSpectrum,
} from '../../src/features/index.js';
import { FieldphoneError, UsageError } from '../../src/util/errors.js';
import { makeRng } from '../../src/util/rng.js';

const SR = 16000;

/** Tones + white noise at int16-like scale (so Meyda's log(1+E) ≈ log(E), see below). */
function tonesAndNoise(seconds: number, seed = 7): Float32Array {
  const rng = makeRng(seed);
  const x = new Float32Array(Math.round(seconds * SR));
  for (let i = 0; i < x.length; i++) {
    const t = i / SR;
    x[i] = 8000 * Math.sin(2 * Math.PI * 220 * t) + 5000 * Math.sin(2 * Math.PI * 1370 * t + 1) + 3000 * Math.sin(2 * Math.PI * 4100 * t) + 1000 * rng.normal() + 300;
  }
  return x;
}

// ---- Independent reference pieces, written from the Kaldi definitions (not from src/) ----

const mel = (f: number) => 1127 * Math.log(1 + f / 700);

/** Dense Kaldi mel bank [numMel][fftSize/2 + 1] in Meyda's filterbank layout. */
function kaldiMelBankDense(numMel: number, fftSize: number, lowHz = 20, highHz = SR / 2): number[][] {
  const lo = mel(lowHz), hi = mel(highHz), d = (hi - lo) / (numMel + 1);
  const bank: number[][] = [];
  for (let j = 0; j < numMel; j++) {
    const l = lo + j * d, c = l + d, r = c + d;
    const row = new Array<number>(fftSize / 2 + 1).fill(0);
    for (let k = 0; k < fftSize / 2; k++) {
      const m = mel((k * SR) / fftSize);
      if (m > l && m <= c) row[k] = (m - l) / (c - l);
      else if (m > c && m < r) row[k] = (r - m) / (r - c);
    }
    bank.push(row);
  }
  return bank;
}

/** Kaldi ProcessWindow (dither 0): DC removal, in-place backward pre-emphasis, Povey window; zero-padded to 512. */
function kaldiPreparedFrame(x: Float32Array, start: number, win = 400, fftSize = 512, p = 0.97): Float32Array {
  const w = Array.from(x.subarray(start, start + win));
  const mean = w.reduce((a, b) => a + b, 0) / win;
  for (let i = 0; i < win; i++) w[i] -= mean;
  for (let i = win - 1; i > 0; i--) w[i] -= p * w[i - 1];
  w[0] -= p * w[0];
  const out = new Float32Array(fftSize);
  for (let i = 0; i < win; i++) out[i] = w[i] * Math.pow(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (win - 1)), 0.85);
  return out;
}

/** Meyda's melBands (log(1+E)) and mfcc (unnormalised DCT-II, scale 2) on a prepared frame, with the Kaldi bank injected. */
function meydaOnFrame(frame: Float32Array, bank: number[][]): { melBands: number[]; mfcc: number[] } {
  Object.assign(Meyda, { bufferSize: 512, sampleRate: SR, melBands: bank.length, numberOfMFCCCoefficients: 13, windowingFunction: 'rect', melFilterBank: bank });
  // meyda's ESM typings miss the default export's methods under NodeNext resolution; the runtime object has them.
  return (Meyda as unknown as { extract: (f: string[], s: Float32Array) => unknown }).extract(['melBands', 'mfcc'], frame) as { melBands: number[]; mfcc: number[] };
}

describe('MFCC / log-mel against Meyda with the Kaldi conventions', () => {
  const x = tonesAndNoise(0.5);
  const bank = kaldiMelBankDense(40, 512);
  const frames = [0, 1, 17, numFrames(x.length, DEFAULT_FEATURE_CONFIG) - 1];

  it('log-mel energies equal ln(E) from Meyda (which returns ln(1+E))', () => {
    const lm = computeFeatures(x, { kind: 'logmel', deltas: false });
    expect(lm.cols).toBe(40);
    for (const f of frames) {
      const ref = meydaOnFrame(kaldiPreparedFrame(x, f * 160), bank).melBands;
      for (let j = 0; j < 40; j++) {
        const e = Math.expm1(ref[j]);
        expect(e).toBeGreaterThan(1e4); // the ln(1+E) vs ln(E) convention gap is then < 1e-4
        expect(lm.data[f * 40 + j]).toBeCloseTo(Math.log(e), 3);
      }
    }
  });

  it('MFCC = lifter · orthonormal-DCT scaling of Meyda’s DCT, c0 kept', () => {
    const mf = computeFeatures(x, { deltas: false });
    expect(mf.cols).toBe(13);
    for (const f of frames) {
      const ref = meydaOnFrame(kaldiPreparedFrame(x, f * 160), bank).mfcc;
      for (let k = 0; k < 13; k++) {
        // Meyda: 2·Σ ln(1+E_n) cos(π(n+½)k/N). Ours: orthonormal (√(1/N) for k=0, √(2/N) otherwise), lifted by 1 + 11·sin(πk/22).
        const expected = (ref[k] / 2) * (k === 0 ? Math.sqrt(1 / 40) : Math.sqrt(2 / 40)) * (1 + 11 * Math.sin((Math.PI * k) / 22));
        expect(Math.abs(mf.data[f * 13 + k] - expected)).toBeLessThan(2e-3 * Math.max(1, Math.abs(expected)));
      }
    }
  });

  it('with deltas: 39 columns, statics unchanged, frame count per the snip-edges rule', () => {
    const full = computeFeatures(x);
    const statics = computeFeatures(x, { deltas: false });
    expect(full.cols).toBe(39);
    expect(featureDim(DEFAULT_FEATURE_CONFIG)).toBe(39);
    expect(full.rows).toBe(1 + Math.floor((8000 - 400) / 160));
    for (let t = 0; t < full.rows; t++) for (let k = 0; k < 13; k++) expect(full.data[t * 39 + k]).toBe(statics.data[t * 13 + k]);
  });
});

describe('log-mel of a pure tone', () => {
  for (const hz of [300, 1000, 3500]) {
    it(`peaks in the mel band centred nearest ${hz} Hz`, () => {
      const x = new Float32Array(SR / 4);
      for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / SR);
      const lm = computeFeatures(x, { kind: 'logmel', deltas: false, numMel: 40 });
      const lo = mel(20), d = (mel(SR / 2) - lo) / 41;
      let nearest = 0;
      for (let j = 1; j < 40; j++) if (Math.abs(lo + (j + 1) * d - mel(hz)) < Math.abs(lo + (nearest + 1) * d - mel(hz))) nearest = j;
      for (const t of [0, Math.floor(lm.rows / 2), lm.rows - 1]) {
        const r = Array.from(lm.data.subarray(t * 40, t * 40 + 40));
        expect(r.indexOf(Math.max(...r))).toBe(nearest);
      }
    });
  }
});

describe('RealPowerSpectrum', () => {
  for (const [size, len] of [[8, 8], [8, 3], [512, 400], [64, 33], [1024, 1024]] as const) {
    it(`matches a direct O(N²) DFT (size ${size}, ${len} samples)`, () => {
      const rng = makeRng(size + len);
      const x = Float64Array.from({ length: len }, () => rng.normal());
      const out = new Float64Array(size / 2 + 1);
      new RealPowerSpectrum(size).compute(x, out);
      for (let k = 0; k <= size / 2; k++) {
        let re = 0, im = 0;
        for (let n = 0; n < len; n++) {
          re += x[n] * Math.cos((2 * Math.PI * k * n) / size);
          im -= x[n] * Math.sin((2 * Math.PI * k * n) / size);
        }
        expect(out[k]).toBeCloseTo(re * re + im * im, 8);
      }
    });
  }
});

describe('frame grid', () => {
  const cfg = DEFAULT_FEATURE_CONFIG;
  it('numFrames = 1 + floor((n - 400) / 160) for n ≥ 400, else 0', () => {
    expect(numFrames(0, cfg)).toBe(0);
    expect(numFrames(399, cfg)).toBe(0);
    expect(numFrames(400, cfg)).toBe(1);
    expect(numFrames(559, cfg)).toBe(1);
    expect(numFrames(560, cfg)).toBe(2);
    expect(numFrames(16000, cfg)).toBe(98);
    expect(numFrames(8000, { ...cfg, sampleRate: 8000 })).toBe(98);
  });
  it('audio shorter than one window gives an empty matrix of the right width', () => {
    const m = computeFeatures(new Float32Array(399));
    expect([m.rows, m.cols]).toEqual([0, 39]);
  });
  it('frame i is centred at i·hop + win/2', () => {
    expect(frameCenterTime(0, cfg)).toBeCloseTo(0.0125, 12);
    expect(frameCenterTime(10, cfg)).toBeCloseTo(0.1125, 12);
  });
});

describe('input and config errors', () => {
  it('digital silence sits at the log floor, not -Infinity', () => {
    const m = computeFeatures(new Float32Array(1000), { kind: 'logmel', deltas: false });
    for (const v of m.data) expect(v).toBeCloseTo(Math.log(1.1920928955078125e-7), 5);
  });
  it('rejects NaN samples with a bad-audio error', () => {
    const x = new Float32Array(2000);
    x[1234] = NaN;
    expect(() => computeFeatures(x)).toThrow(FieldphoneError);
    try {
      computeFeatures(x);
    } catch (e) {
      expect((e as FieldphoneError).code).toBe('bad-audio');
    }
  });
  it('rejects impossible configs', () => {
    expect(() => computeFeatures(new Float32Array(1000), { numCeps: 41 })).toThrow(UsageError);
    expect(() => computeFeatures(new Float32Array(1000), { preEmphasis: 1 })).toThrow(UsageError);
    expect(() => computeFeatures(new Float32Array(1000), { sampleRate: 8000, numMel: 128 })).toThrow(/covers no FFT bin/);
  });
});
