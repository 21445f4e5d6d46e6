/**
 * Phone-rate segmentation by spectral change, no k-means involved.
 *
 * MFCC k-means changes cluster almost every frame (~1.4 frames per run, several
 * segments per phone), so its segments are far shorter than phones. Here a
 * boundary is placed where the mean of the frames just before differs most
 * from the mean just after (a classic blind phone segmenter), keeping the
 * strongest peaks until the utterance has `ratePerSec` segments per second of
 * speech: the number of phones a speaker says per second (about 10–12 in
 * conversational speech across languages) is a prior, not something read off
 * transcripts. Each segment becomes one generator step: the mean of its frames,
 * the means of its first and second halves' static coefficients, and its log
 * duration, so the output rate is the phone rate.
 */
import type { Matrix } from '../util/matrix.js';

export interface ChangePointConfig {
  /** Segments per second of speech. */
  ratePerSec: number;
  /** Frames averaged on each side of a candidate boundary. */
  window: number;
  /** Shortest segment in frames. */
  minFrames: number;
  /** Leading coefficients compared for change (the static cepstra). */
  staticDims: number;
}

export const DEFAULT_CHANGE_POINTS: ChangePointConfig = { ratePerSec: 11, window: 2, minFrames: 2, staticDims: 13 };

/** Change strength before each frame t (index 1..T-1; [0] = 0). */
export function changeCurve(f: Matrix, window: number, dims: number): Float32Array {
  const T = f.rows;
  const D = Math.min(dims, f.cols);
  const d = new Float32Array(T);
  for (let t = 1; t < T; t++) {
    const w = Math.min(window, t, T - t);
    let s = 0;
    for (let k = 0; k < D; k++) {
      let a = 0;
      let b = 0;
      for (let j = 0; j < w; j++) {
        a += f.data[(t - 1 - j) * f.cols + k];
        b += f.data[(t + j) * f.cols + k];
      }
      const diff = (a - b) / w;
      s += diff * diff;
    }
    d[t] = Math.sqrt(s);
  }
  // Light smoothing so one noisy frame does not make two peaks.
  const sm = new Float32Array(T);
  for (let t = 1; t < T; t++) sm[t] = 0.25 * d[t - 1] + 0.5 * d[t] + 0.25 * (t + 1 < T ? d[t + 1] : d[t]);
  return sm;
}

/** Segment boundaries as [start, end) frame spans (2 × segments), tiling 0..T. */
export function changePointSpans(f: Matrix, cfg: ChangePointConfig, framesPerSec = 100): Int32Array {
  const T = f.rows;
  const want = Math.max(1, Math.round((T / framesPerSec) * cfg.ratePerSec));
  const d = changeCurve(f, cfg.window, cfg.staticDims);
  const peaks: number[] = [];
  for (let t = 1; t < T; t++) if (d[t] >= d[t - 1] && (t + 1 >= T || d[t] > d[t + 1])) peaks.push(t);
  peaks.sort((a, b) => d[b] - d[a] || a - b);
  const taken = new Uint8Array(T + 1);
  const cuts: number[] = [];
  for (const t of peaks) {
    if (cuts.length >= want - 1) break;
    if (t < cfg.minFrames || T - t < cfg.minFrames) continue;
    let ok = true;
    for (let j = Math.max(0, t - cfg.minFrames + 1); j <= Math.min(T, t + cfg.minFrames - 1); j++) if (taken[j]) ok = false;
    if (!ok) continue;
    taken[t] = 1;
    cuts.push(t);
  }
  cuts.sort((a, b) => a - b);
  const bounds = [0, ...cuts, T];
  const spans = new Int32Array(2 * (bounds.length - 1));
  for (let i = 0; i + 1 < bounds.length; i++) {
    spans[2 * i] = bounds[i];
    spans[2 * i + 1] = bounds[i + 1];
  }
  return spans;
}

/** Dimension of a change-point segment's features for frames of `cols` values. */
export function changeSegmentDim(cols: number, staticDims: number): number {
  return cols + 2 * Math.min(staticDims, cols) + 1;
}

/** One feature row per span: mean, first-half and second-half static means, log duration. */
export function poolChangeSegments(f: Matrix, spans: Int32Array, staticDims: number): Matrix {
  const n = spans.length / 2;
  const C = f.cols;
  const S = Math.min(staticDims, C);
  const dim = changeSegmentDim(C, staticDims);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const a = spans[2 * i];
    const b = spans[2 * i + 1];
    const mid = a + Math.max(1, (b - a) >> 1);
    const o = i * dim;
    for (let t = a; t < b; t++) {
      for (let k = 0; k < C; k++) out[o + k] += f.data[t * C + k] / (b - a);
      const half = t < mid ? 0 : 1;
      const hn = half === 0 ? mid - a : b - mid;
      if (hn > 0) for (let k = 0; k < S; k++) out[o + C + half * S + k] += f.data[t * C + k] / hn;
    }
    // A one-frame segment has no second half: repeat the first.
    if (b - mid <= 0) for (let k = 0; k < S; k++) out[o + C + S + k] = out[o + C + k];
    out[o + dim - 1] = Math.log(b - a) - 1.5;
  }
  return { data: out, rows: n, cols: dim };
}
