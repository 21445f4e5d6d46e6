import { describe, it, expect } from 'vitest';
import { changePointSpans, poolChangeSegments, changeSegmentDim, DEFAULT_CHANGE_POINTS } from '../../src/segments/index.js';
import { matrix, type Matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';

/** Piecewise-constant frames: one random mean per segment, plus noise. */
function piecewise(lengths: number[], cols: number, noise: number, seed: number): { f: Matrix; cuts: number[] } {
  const rng = makeRng(seed);
  const T = lengths.reduce((a, b) => a + b, 0);
  const f = matrix(T, cols);
  const cuts: number[] = [];
  let t = 0;
  for (const len of lengths) {
    const mean = Array.from({ length: cols }, () => 3 * rng.normal());
    for (let i = 0; i < len; i++, t++) for (let k = 0; k < cols; k++) f.data[t * cols + k] = mean[k] + noise * rng.normal();
    cuts.push(t);
  }
  return { f, cuts: cuts.slice(0, -1) };
}

describe('change-point segmentation', () => {
  it('finds the true boundaries of piecewise-constant frames when asked for their number', () => {
    const lengths = [7, 12, 4, 9, 15, 6, 8, 11, 5, 10];
    const { f, cuts } = piecewise(lengths, 13, 0.1, 3);
    // rate so that round(T/100 × rate) = number of segments
    const rate = (lengths.length * 100) / f.rows;
    const spans = changePointSpans(f, { ...DEFAULT_CHANGE_POINTS, ratePerSec: rate });
    expect(spans.length / 2).toBe(lengths.length);
    const found = [];
    for (let i = 1; i < spans.length / 2; i++) found.push(spans[2 * i]);
    expect(found).toEqual(cuts);
  });

  it('tiles the utterance, respects the shortest segment and the requested rate', () => {
    const rng = makeRng(5);
    const f = matrix(537, 39);
    for (let i = 0; i < f.data.length; i++) f.data[i] = rng.normal();
    const spans = changePointSpans(f, { ...DEFAULT_CHANGE_POINTS, ratePerSec: 11, minFrames: 3 });
    const n = spans.length / 2;
    expect(n).toBe(Math.round(5.37 * 11));
    expect(spans[0]).toBe(0);
    expect(spans[2 * n - 1]).toBe(537);
    for (let i = 0; i < n; i++) {
      expect(spans[2 * i + 1] - spans[2 * i]).toBeGreaterThanOrEqual(3);
      if (i > 0) expect(spans[2 * i]).toBe(spans[2 * i - 1]);
    }
  });

  it('gives one segment to an utterance too short to cut', () => {
    const f = matrix(3, 13);
    expect(Array.from(changePointSpans(f, DEFAULT_CHANGE_POINTS))).toEqual([0, 3]);
  });

  it('pools each span into its mean, half means of the static part and log duration', () => {
    // 2 columns, 1 static dimension: frames (1,10) (3,20) (5,30) | (7,40)
    const f = matrix(4, 2, Float32Array.from([1, 10, 3, 20, 5, 30, 7, 40]));
    const seg = poolChangeSegments(f, Int32Array.from([0, 3, 3, 4]), 1);
    expect(seg.cols).toBe(changeSegmentDim(2, 1));
    expect(seg.rows).toBe(2);
    const r0 = Array.from(seg.data.subarray(0, 5));
    // mean (3, 20); first half = frame 0 → 1; second half = frames 1..2 → 4; log 3 − 1.5
    expect(r0[0]).toBeCloseTo(3, 5);
    expect(r0[1]).toBeCloseTo(20, 5);
    expect(r0[2]).toBeCloseTo(1, 5);
    expect(r0[3]).toBeCloseTo(4, 5);
    expect(r0[4]).toBeCloseTo(Math.log(3) - 1.5, 5);
    // one frame: both halves are that frame
    expect(Array.from(seg.data.subarray(5, 10)).map((x) => Number(x.toFixed(4)))).toEqual([7, 40, 7, 7, Number((-1.5).toFixed(4))]);
  });
});
