/**
 * From model output steps to times in the original recording.
 *
 *   step → segments → frames → seconds in the processed (silence-removed)
 *   audio → seconds in the original file (through the VAD's kept intervals).
 *
 * Segments store their [startFrame, endFrame) spans (prepare-audio); a
 * generator that downsamples by a stride covers several segments per step,
 * which `strideSpans` folds into per-step spans, so everything after works on
 * steps alone whatever the model's rate.
 */
import type { Interval } from '../audio/index.js';
import { frameCenterTime, hopSamples, type FeatureConfig } from '../features/index.js';

/**
 * Frame spans of the output steps of a generator with the given stride over
 * segments: step k covers segments [k·stride, min((k+1)·stride, n)), so there
 * are ceil(n / stride) steps. Stride 1 (one step per segment, wav2vec-U 1.0)
 * returns a copy.
 */
export function strideSpans(segmentSpans: Int32Array, stride: number): Int32Array {
  if (!(Number.isInteger(stride) && stride >= 1)) throw new Error(`strideSpans: stride must be a positive integer, got ${stride}`);
  if (segmentSpans.length % 2 !== 0) throw new Error(`strideSpans: odd span array length ${segmentSpans.length}`);
  const n = segmentSpans.length / 2;
  const steps = Math.ceil(n / stride);
  const out = new Int32Array(2 * steps);
  for (let k = 0; k < steps; k++) {
    out[2 * k] = segmentSpans[2 * k * stride];
    out[2 * k + 1] = segmentSpans[2 * (Math.min((k + 1) * stride, n) - 1) + 1];
  }
  return out;
}

/**
 * Time (processed-audio seconds) of the boundary *before* frame f: halfway
 * between the centres of frames f−1 and f. Frame f thus owns
 * [centre − hop/2, centre + hop/2), and the spans of consecutive frames tile.
 * Frames overlap by design (25 ms windows every 10 ms), so any choice is a
 * convention; this one puts each boundary where the two frames' centres split
 * the difference. It applies to fractional f too.
 */
export function frameBoundaryTime(cfg: FeatureConfig): (frame: number) => number {
  const halfHopSec = hopSamples(cfg) / 2 / cfg.sampleRate;
  return (frame: number) => frameCenterTime(frame, cfg) - halfHopSec;
}

/**
 * Times that differ by less than this are the same instant: frame-grid times
 * and VAD joins are both whole samples (≥ 1/192000 s apart) computed in floating point.
 */
const SAME_TIME_SEC = 1e-7;

/**
 * Map a processed-audio time to the original file. `side` says which way a
 * time exactly on a join between two kept stretches goes: a 'start' belongs to
 * the later stretch, an 'end' to the earlier one, so a phone that ends where a
 * pause was cut out ends before the pause and the next one starts after it.
 * (audio/vad.ts's toOriginalTime is the 'start' side without the tolerance.)
 * No kept intervals means no VAD: the identity.
 */
export function mapToOriginal(kept: Interval[], t: number, side: 'start' | 'end'): number {
  if (kept.length === 0) return t;
  let acc = 0;
  for (const k of kept) {
    const d = k.end - k.start;
    const inside = side === 'end' ? t <= acc + d + SAME_TIME_SEC : t < acc + d - SAME_TIME_SEC;
    if (inside) return k.start + Math.min(d, Math.max(0, t - acc));
    acc += d;
  }
  return kept[kept.length - 1].end;
}

/**
 * Original-file times of decoded runs. Run [a, b) covers the frames from the
 * start of step a's span to the end of step b−1's span, i.e.
 * [stepSpans[2a], stepSpans[2(b−1)+1]), mapped to seconds by `frameToSec`
 * (a boundary time, e.g. frameBoundaryTime) and then through `kept`.
 *
 * Consecutive runs share their boundary frame, so inside a kept stretch the
 * phones tile without gaps or overlaps. A run whose frames straddle a cut
 * (the removed pause lies inside it in original time) starts in the earlier
 * stretch and ends in the later one: it is never split, and playing its
 * interval plays everything the model heard for it, plus the removed pause.
 */
export function stepsToTimes(runs: Int32Array, stepSpans: Int32Array, frameToSec: (frame: number) => number, kept: Interval[]): Interval[] {
  const steps = stepSpans.length / 2;
  const out: Interval[] = [];
  for (let r = 0; r < runs.length / 2; r++) {
    const a = runs[2 * r], b = runs[2 * r + 1];
    if (!(a >= 0 && a < b && b <= steps)) throw new Error(`stepsToTimes: run [${a}, ${b}) outside the ${steps} steps`);
    const startFrame = stepSpans[2 * a];
    const endFrame = stepSpans[2 * (b - 1) + 1];
    out.push({
      start: mapToOriginal(kept, frameToSec(startFrame), 'start'),
      end: mapToOriginal(kept, frameToSec(endFrame), 'end'),
    });
  }
  return out;
}
