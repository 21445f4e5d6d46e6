/**
 * Kaldi-style triangular mel filterbank (mel-computations.cc): centres equally
 * spaced on mel = 1127·ln(1 + f/700) between lowHz and highHz, each triangle
 * linear *in mel* and evaluated at FFT bin frequencies k·sr/N for
 * k < N/2 (the Nyquist bin gets no weight, as in Kaldi). Weights are kept as
 * one contiguous bin range per filter, since each triangle touches only a few
 * bins.
 */
import { UsageError } from '../util/errors.js';

export function hzToMel(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

export interface MelBank {
  numMel: number;
  /** First FFT bin of filter j. */
  start: Int32Array;
  /** Weights of filter j are weights[offset[j] .. offset[j+1]), for bins start[j].. */
  offset: Int32Array;
  weights: Float64Array;
}

export function createMelBank(numMel: number, sampleRate: number, fftSize: number, lowHz: number, highHz: number): MelBank {
  const nyquist = sampleRate / 2;
  if (!(lowHz >= 0 && highHz > lowHz && highHz <= nyquist))
    throw new UsageError(`mel filterbank range ${lowHz}–${highHz} Hz is not inside 0–${nyquist} Hz`);
  const melLow = hzToMel(lowHz), melHigh = hzToMel(highHz);
  const delta = (melHigh - melLow) / (numMel + 1);
  const binHz = sampleRate / fftSize;
  const numBins = fftSize / 2;
  const start = new Int32Array(numMel);
  const offset = new Int32Array(numMel + 1);
  const weights: number[] = [];
  for (let j = 0; j < numMel; j++) {
    const left = melLow + j * delta, centre = left + delta, right = centre + delta;
    let first = -1;
    for (let k = 0; k < numBins; k++) {
      const mel = hzToMel(k * binHz);
      if (mel > left && mel < right) {
        if (first < 0) first = k;
        weights.push(mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre));
      }
    }
    if (first < 0)
      throw new UsageError(
        `mel filter ${j} of ${numMel} covers no FFT bin (${fftSize}-point FFT at ${sampleRate} Hz); use fewer mel filters or a longer window`,
      );
    start[j] = first;
    offset[j + 1] = weights.length;
  }
  return { numMel, start, offset, weights: Float64Array.from(weights) };
}

/** Filter energies: out[j] = Σ_k w_j[k]·power[k]. */
export function applyMelBank(bank: MelBank, power: Float64Array, out: Float64Array): void {
  const { start, offset, weights } = bank;
  for (let j = 0; j < bank.numMel; j++) {
    let s = 0;
    const base = start[j] - offset[j];
    for (let w = offset[j]; w < offset[j + 1]; w++) s += weights[w] * power[base + w];
    out[j] = s;
  }
}
