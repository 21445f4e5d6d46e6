/**
 * Energy-based silence removal, applied identically to training and
 * transcription audio (wav2vec-U found that skipping it at test time ruins
 * recognition). Per 25 ms frame every 10 ms, the log energy of the
 * mean-removed samples is compared with a threshold placed between the
 * file's noise floor and its speech level (percentiles of the frame
 * energies), so it adapts to each recording's gain and background. Voiced
 * runs separated by short pauses are merged, isolated clicks dropped, and
 * each run is widened so weak onsets and decaying offsets are kept.
 */
import type { Audio, Interval } from './types.js';

export interface VadOptions {
  /** Analysis frame length, seconds. */
  frameSec: number;
  /** Frame step, seconds. */
  hopSec: number;
  /** Percentile of frame energies taken as the noise floor. */
  noisePercentile: number;
  /** Percentile of frame energies taken as the speech level. */
  speechPercentile: number;
  /** Threshold position between floor and speech level, in dB (0 = floor, 1 = speech level). */
  thresholdFraction: number;
  /** The threshold is at least this many dB above the floor. */
  minMarginDb: number;
  /** When speech level − floor is below this, nothing stands out: the whole file is kept (allSilent). */
  minContrastDb: number;
  /** Kept before each voiced run so weak onsets are not clipped, seconds. */
  padSec: number;
  /** Kept after each voiced run (decaying offsets, final fricatives), seconds. */
  hangoverSec: number;
  /** Voiced runs shorter than this (clicks, bumps) are dropped, seconds. */
  minSpeechSec: number;
  /** Pauses shorter than this are kept inside the speech, seconds. */
  minGapSec: number;
}

export const DEFAULT_VAD_OPTIONS: Readonly<VadOptions> = {
  frameSec: 0.025,
  hopSec: 0.01,
  noisePercentile: 10,
  speechPercentile: 95,
  thresholdFraction: 0.3,
  minMarginDb: 6,
  minContrastDb: 10,
  padSec: 0.08,
  hangoverSec: 0.1,
  minSpeechSec: 0.08,
  minGapSec: 0.3,
};

export interface VadResult {
  /** The kept stretches, concatenated. */
  samples: Float32Array;
  /** Kept stretches in the ORIGINAL file's seconds, in order, non-overlapping. */
  kept: Interval[];
  /** True when no speech stood out from the background; then the whole file is kept. */
  allSilent: boolean;
}

/** Below this mean-removed power (-100 dBFS) a frame is digital silence: always unvoiced, and left out of the statistics. */
const DIGITAL_SILENCE = 1e-10;

export function removeSilence(audio: Audio, opts: Partial<VadOptions> = {}): VadResult {
  const o: VadOptions = { ...DEFAULT_VAD_OPTIONS, ...opts };
  const { samples: x, sampleRate: sr } = audio;
  const durationSec = x.length / sr;
  const keepAll = (): VadResult => ({ samples: x.slice(), kept: [{ start: 0, end: durationSec }], allSilent: true });
  if (x.length === 0) return { samples: new Float32Array(0), kept: [], allSilent: true };

  const frameLen = Math.max(1, Math.round(o.frameSec * sr));
  const hop = Math.max(1, Math.round(o.hopSec * sr));
  const energies = frameEnergies(x, frameLen, hop);

  const audible = energies.filter((e) => e > DIGITAL_SILENCE).map((e) => 10 * Math.log10(e));
  if (audible.length === 0) return keepAll();
  audible.sort();
  const floorDb = percentile(audible, o.noisePercentile);
  const speechDb = percentile(audible, o.speechPercentile);
  let threshold: number;
  if (speechDb - floorDb >= o.minContrastDb) {
    threshold = 10 ** ((floorDb + Math.max(o.minMarginDb, o.thresholdFraction * (speechDb - floorDb))) / 10);
  } else if (audible.length < energies.length) {
    // Everything audible is alike, but there is digital silence (pauses zeroed in an editor): that is the silence.
    threshold = DIGITAL_SILENCE;
  } else {
    return keepAll();
  }

  const hopSec = hop / sr;
  const runs = voicedRuns(energies, threshold, Math.round(o.minGapSec / hopSec), Math.round(o.minSpeechSec / hopSec));
  if (runs.length === 0) return keepAll();

  // Frame i stands for hopSec around its centre; widen, clip, merge overlaps; snap to whole samples.
  const centre = (i: number) => (i * hop + frameLen / 2) / sr;
  const kept: Interval[] = [];
  for (const [first, last] of runs) {
    const s = Math.max(0, Math.round((centre(first) - hopSec / 2 - o.padSec) * sr)) / sr;
    const e = Math.min(x.length, Math.round((centre(last) + hopSec / 2 + o.hangoverSec) * sr)) / sr;
    const prev = kept[kept.length - 1];
    if (prev && s <= prev.end) prev.end = Math.max(prev.end, e);
    else kept.push({ start: s, end: e });
  }

  let total = 0;
  for (const k of kept) total += Math.round(k.end * sr) - Math.round(k.start * sr);
  const out = new Float32Array(total);
  let off = 0;
  for (const k of kept) {
    const piece = x.subarray(Math.round(k.start * sr), Math.round(k.end * sr));
    out.set(piece, off);
    off += piece.length;
  }
  return { samples: out, kept, allSilent: false };
}

/** Mean-removed power per frame (a DC offset from a cheap recorder must not look like sound). */
function frameEnergies(x: Float32Array, frameLen: number, hop: number): Float64Array {
  const len = Math.min(frameLen, x.length);
  const n = Math.floor((x.length - len) / hop) + 1;
  const e = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    const start = f * hop;
    let s = 0;
    let s2 = 0;
    for (let i = start; i < start + len; i++) {
      s += x[i];
      s2 += x[i] * x[i];
    }
    const mean = s / len;
    e[f] = Math.max(0, s2 / len - mean * mean);
  }
  return e;
}

/** Inclusive [first, last] frame runs above threshold, after closing short gaps and dropping short runs. */
function voicedRuns(energies: Float64Array, threshold: number, minGapFrames: number, minSpeechFrames: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= energies.length; i++) {
    const on = i < energies.length && energies[i] > threshold;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      const prev = runs[runs.length - 1];
      if (prev && start - prev[1] - 1 < minGapFrames) prev[1] = i - 1;
      else runs.push([start, i - 1]);
      start = -1;
    }
  }
  return runs.filter(([a, b]) => b - a + 1 >= minSpeechFrames);
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/**
 * Map a time in the silence-removed signal back to the original file.
 * Times before 0 map to the first kept start, times past the end to the last
 * kept end; a time exactly on a join maps to the start of the later stretch.
 */
export function toOriginalTime(kept: Interval[], t: number): number {
  if (kept.length === 0) return t;
  let acc = 0;
  for (const k of kept) {
    const d = k.end - k.start;
    if (t < acc + d) return k.start + Math.max(0, t - acc);
    acc += d;
  }
  return kept[kept.length - 1].end;
}
