import { describe, it, expect } from 'vitest';
import {
  greedyDecode,
  strideSpans,
  frameBoundaryTime,
  mapToOriginal,
  stepsToTimes,
  toPhoneSegments,
  formatTranscriptText,
  formatTranscriptJson,
  type PhoneSegment,
} from '../../src/decode/index.js';
import { DEFAULT_FEATURE_CONFIG, frameCenterTime, resolveFeatureConfig } from '../../src/features/index.js';
import { FieldphoneError } from '../../src/util/errors.js';

const ln = Math.log;
const e = Math.exp;

describe('greedyDecode', () => {
  it('takes the per-step argmax, collapses runs and averages the winning log-softmax', () => {
    const logits = Float32Array.from([
      2, 0, 0, // t0 → 0
      1, 0, 1, // t1 → tie 0/2 → 0 (first)
      0, 3, 0, // t2 → 1
      0, 0, 0, // t3 → 0 (three-way tie)
      0, 0, 5, // t4 → 2
    ]);
    const d = greedyDecode(logits, 5, 3);
    expect(Array.from(d.units)).toEqual([0, 1, 0, 2]);
    expect(Array.from(d.runs)).toEqual([0, 2, 2, 3, 3, 4, 4, 5]);
    // log-softmax of the maximum = −ln Σ_j exp(x_j − max)
    const lp0 = -ln(1 + 2 * e(-2));
    const lp1 = -ln(2 + e(-1));
    const lp2 = -ln(1 + 2 * e(-3));
    const lp3 = -ln(3);
    const lp4 = -ln(1 + 2 * e(-5));
    const expected = [(lp0 + lp1) / 2, lp2, lp3, lp4];
    expected.forEach((v, i) => expect(d.scores[i]).toBeCloseTo(v, 6));
  });

  it('is stable for huge logits and handles zero steps', () => {
    const d = greedyDecode(Float32Array.from([1000, 0, -1000, 999]), 2, 2);
    expect(Array.from(d.units)).toEqual([0, 1]);
    expect(d.scores[0]).toBeCloseTo(0, 6);
    expect(d.scores[1]).toBeCloseTo(-ln(1 + e(-1999)), 6);
    const empty = greedyDecode(new Float32Array(0), 0, 4);
    expect(empty.units.length).toBe(0);
    expect(empty.runs.length).toBe(0);
  });

  it('refuses non-finite model output and wrong shapes', () => {
    const nan = () => greedyDecode(Float32Array.from([0, 1, NaN, 0]), 2, 2);
    expect(nan).toThrow(FieldphoneError);
    expect(nan).toThrow(/step 1/);
    expect(() => greedyDecode(Float32Array.from([Infinity, 0]), 1, 2)).toThrow(/not a finite number/);
    expect(() => greedyDecode(new Float32Array(5), 2, 3)).toThrow(/5 logits for 2 steps × 3 units/);
  });
});

describe('strideSpans', () => {
  const seg = Int32Array.from([0, 2, 2, 5, 5, 7, 7, 10, 10, 15]);
  it('folds segments into steps of a strided generator (ceil(n/stride) steps)', () => {
    expect(Array.from(strideSpans(seg, 1))).toEqual(Array.from(seg));
    expect(strideSpans(seg, 1)).not.toBe(seg);
    expect(Array.from(strideSpans(seg, 2))).toEqual([0, 5, 5, 10, 10, 15]);
    expect(Array.from(strideSpans(seg, 3))).toEqual([0, 7, 7, 15]);
    expect(Array.from(strideSpans(seg, 9))).toEqual([0, 15]);
    expect(() => strideSpans(seg, 0)).toThrow(/positive integer/);
  });
});

describe('frameBoundaryTime', () => {
  it('puts the boundary before frame f halfway between the centres of frames f−1 and f', () => {
    const cfg = resolveFeatureConfig(DEFAULT_FEATURE_CONFIG);
    const b = frameBoundaryTime(cfg);
    // 25 ms windows every 10 ms: frame f is centred at 10f + 12.5 ms.
    expect(b(0)).toBeCloseTo(0.0075, 12);
    expect(b(3)).toBeCloseTo(0.0375, 12);
    for (const f of [1, 7, 123]) expect((b(f) + b(f + 1)) / 2).toBeCloseTo(frameCenterTime(f, cfg), 12);
  });
});

describe('mapToOriginal', () => {
  const kept = [
    { start: 0.5, end: 1.0 },
    { start: 2.0, end: 3.0 },
  ];
  it('maps processed time through the kept intervals, a join going to the side the boundary belongs to', () => {
    expect(mapToOriginal(kept, 0, 'start')).toBeCloseTo(0.5, 12);
    expect(mapToOriginal(kept, 0.3, 'start')).toBeCloseTo(0.8, 12);
    expect(mapToOriginal(kept, 0.7, 'end')).toBeCloseTo(2.2, 12);
    expect(mapToOriginal(kept, 0.5, 'start')).toBeCloseTo(2.0, 12);
    expect(mapToOriginal(kept, 0.5, 'end')).toBeCloseTo(1.0, 12);
    // Floating-point noise at a join does not push an end across the pause.
    expect(mapToOriginal(kept, 0.5 + 1e-9, 'end')).toBeCloseTo(1.0, 12);
    expect(mapToOriginal(kept, 0.5 - 1e-9, 'start')).toBeCloseTo(2.0, 12);
    expect(mapToOriginal(kept, 1.5, 'end')).toBeCloseTo(3.0, 12);
    expect(mapToOriginal(kept, 9, 'end')).toBeCloseTo(3.0, 12);
    expect(mapToOriginal([], 1.25, 'start')).toBe(1.25);
  });
});

describe('stepsToTimes', () => {
  // Kept [0.5, 1.0] and [2.0, 3.0]: processed 0–0.5 s is original 0.5–1.0, processed 0.5–1.5 s is 2.0–3.0.
  const kept = [
    { start: 0.5, end: 1.0 },
    { start: 2.0, end: 3.0 },
  ];
  const frameToSec = (f: number) => f / 10;
  // Steps cover frames [0,2) [2,5) [5,7) [7,10) [10,15) → processed 0–0.2, 0.2–0.5, 0.5–0.7, 0.7–1.0, 1.0–1.5 s.
  const spans = Int32Array.from([0, 2, 2, 5, 5, 7, 7, 10, 10, 15]);

  it('ends a run that stops at the cut before the pause and starts the next after it', () => {
    const t = stepsToTimes(Int32Array.from([0, 2, 2, 3, 3, 5]), spans, frameToSec, kept);
    const want = [
      [0.5, 1.0],
      [2.0, 2.2],
      [2.2, 3.0],
    ];
    t.forEach((iv, i) => {
      expect(iv.start).toBeCloseTo(want[i][0], 9);
      expect(iv.end).toBeCloseTo(want[i][1], 9);
    });
    expect(t[2].start).toBe(t[1].end); // tiling inside a kept interval
  });

  it('lets a run that straddles the cut span the removed pause', () => {
    const t = stepsToTimes(Int32Array.from([0, 1, 1, 3, 3, 5]), spans, frameToSec, kept);
    expect(t[0].start).toBeCloseTo(0.5, 9);
    expect(t[0].end).toBeCloseTo(0.7, 9);
    expect(t[1].start).toBe(t[0].end);
    expect(t[1].end).toBeCloseTo(2.2, 9);
    expect(t[2].start).toBe(t[1].end);
    expect(t[2].end).toBeCloseTo(3.0, 9);
  });

  it('rejects runs outside the steps', () => {
    expect(() => stepsToTimes(Int32Array.from([3, 6]), spans, frameToSec, kept)).toThrow(/outside the 5 steps/);
  });
});

describe('toPhoneSegments', () => {
  it('decodes a strided model output into timed phones (stride 2 over five segments → three steps)', () => {
    const vocab = ['a', 'b', '<SIL>'];
    const stepSpans = strideSpans(Int32Array.from([0, 2, 2, 5, 5, 7, 7, 10, 10, 15]), 2);
    const logits = Float32Array.from([
      0, 0, 4, // step 0 (frames 0–5) → <SIL>
      3, 0, 0, // step 1 (frames 5–10) → a
      3, 1, 0, // step 2 (frames 10–15) → a (same run)
    ]);
    const segs = toPhoneSegments(logits, vocab, { stepSpans, frameToSec: (f) => f / 10, kept: [{ start: 0.5, end: 1.0 }, { start: 2.0, end: 3.0 }] });
    expect(segs.map((s) => s.phone)).toEqual(['<SIL>', 'a']);
    expect(segs[0].start).toBeCloseTo(0.5, 9);
    expect(segs[0].end).toBeCloseTo(1.0, 9);
    expect(segs[1].start).toBeCloseTo(2.0, 9);
    expect(segs[1].end).toBeCloseTo(3.0, 9);
    expect(segs[0].score).toBeCloseTo(-ln(1 + 2 * e(-4)), 6);
    expect(segs[1].score).toBeCloseTo((-ln(1 + 2 * e(-3)) - ln(1 + e(-2) + e(-3))) / 2, 6);
  });

  it('names a mismatch between model output and steps', () => {
    expect(() => toPhoneSegments(new Float32Array(7), ['a', 'b'], { stepSpans: Int32Array.from([0, 1, 1, 2]), frameToSec: (f) => f, kept: [] })).toThrow(
      /7 model outputs, expected 2 steps × 2 units/,
    );
  });
});

describe('transcript formats', () => {
  const segs: PhoneSegment[] = [
    { phone: '<SIL>', start: 0.5, end: 0.71234567, score: -0.012345678 },
    { phone: 'a', start: 0.71234567, end: 1.0 },
    { phone: '<SIL>', start: 2.0, end: 2.1 },
    { phone: 'a', start: 2.1, end: 2.3, score: -1 },
  ];

  it('writes phones space-separated, with or without silences', () => {
    expect(formatTranscriptText(segs, { dropSilence: false })).toBe('<SIL> a <SIL> a');
    expect(formatTranscriptText(segs, { dropSilence: true })).toBe('a a');
    expect(formatTranscriptText([], { dropSilence: true })).toBe('');
  });

  it('writes a JSON record with rounded times, metadata, and the silence-free phone string', () => {
    const j = formatTranscriptJson('/rec/x.wav', segs, { id: 'x', durationSec: 3.2, file: 'ignored' });
    expect(j.file).toBe('/rec/x.wav');
    expect(j.id).toBe('x');
    expect(j.phones).toBe('a a');
    expect(j.segments[0]).toEqual({ phone: '<SIL>', start: 0.5, end: 0.7123, score: -0.0123 });
    expect(j.segments[1]).toEqual({ phone: 'a', start: 0.7123, end: 1 });
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});
