import { describe, it, expect } from 'vitest';
import { DEFAULT_VAD_OPTIONS, removeSilence, toOriginalTime, type Interval } from '../../src/audio/index.js';
import { makeRng } from '../../src/util/rng.js';

const SR = 16000;

/** Background noise at `noiseDb` dBFS (RMS) with bursts (a tone plus noise, about -12 dBFS) over the given spans. */
function scene(totalSec: number, bursts: Interval[], noiseDb = -60, seed = 1): Float32Array {
  const rng = makeRng(seed);
  const x = new Float32Array(Math.round(totalSec * SR));
  const noise = 10 ** (noiseDb / 20);
  for (let i = 0; i < x.length; i++) x[i] = noise * rng.normal();
  for (const b of bursts) {
    for (let i = Math.round(b.start * SR); i < Math.round(b.end * SR); i++) {
      x[i] += 0.3 * Math.sin((2 * Math.PI * 220 * i) / SR) + 0.05 * rng.normal();
    }
  }
  return x;
}

const BURSTS: Interval[] = [
  { start: 0.5, end: 1.5 },
  { start: 2.2, end: 2.7 },
];
const TOTAL = 0.5 + 1 + 0.7 + 0.5 + 0.6;

function expectIntervals(kept: Interval[], expected: Interval[], tol: number): void {
  expect(kept.length).toBe(expected.length);
  kept.forEach((k, i) => {
    expect(Math.abs(k.start - expected[i].start)).toBeLessThanOrEqual(tol);
    expect(Math.abs(k.end - expected[i].end)).toBeLessThanOrEqual(tol);
  });
}

describe('removeSilence', () => {
  it('keeps the two bursts (within 0.12 s) and drops the silences around them', () => {
    const x = scene(TOTAL, BURSTS);
    const r = removeSilence({ samples: x, sampleRate: SR });
    expect(r.allSilent).toBe(false);
    expectIntervals(r.kept, BURSTS, 0.12);
    // Padding lies on the outside of each burst, never inside it.
    expect(r.kept[0].start).toBeLessThanOrEqual(0.5);
    expect(r.kept[1].end).toBeGreaterThanOrEqual(2.7);
  });

  it('returns exactly the kept samples, concatenated, and maps joins back to the original timeline', () => {
    const x = scene(TOTAL, BURSTS);
    const r = removeSilence({ samples: x, sampleRate: SR });
    const pieces = r.kept.map((k) => x.subarray(Math.round(k.start * SR), Math.round(k.end * SR)));
    expect(r.samples.length).toBe(pieces.reduce((n, p) => n + p.length, 0));
    expect(Array.from(r.samples.subarray(0, pieces[0].length))).toEqual(Array.from(pieces[0]));
    expect(Array.from(r.samples.subarray(pieces[0].length))).toEqual(Array.from(pieces[1]));
    const secondStart = pieces[0].length / SR;
    expect(toOriginalTime(r.kept, secondStart)).toBe(r.kept[1].start);
    expect(Math.abs(toOriginalTime(r.kept, secondStart) - 2.2)).toBeLessThanOrEqual(0.12);
    expect(toOriginalTime(r.kept, secondStart + 0.25)).toBeCloseTo(r.kept[1].start + 0.25, 9);
  });

  it('works the same between stretches of digital silence (exact zeros)', () => {
    const x = scene(TOTAL, BURSTS);
    for (let i = 0; i < x.length; i++) if (!BURSTS.some((b) => i >= b.start * SR && i < b.end * SR)) x[i] = 0;
    expectIntervals(removeSilence({ samples: x, sampleRate: SR }).kept, BURSTS, 0.12);
  });

  it('ignores digital silence when estimating the noise floor', () => {
    // A recorder's zero-filled start must not drag the floor below the room noise (-50 dB here).
    const x = scene(TOTAL, BURSTS, -50);
    x.fill(0, 0, Math.round(0.3 * SR));
    expectIntervals(removeSilence({ samples: x, sampleRate: SR }).kept, BURSTS, 0.12);
  });

  it('adapts to the recording level and ignores a DC offset', () => {
    const quiet = scene(TOTAL, BURSTS).map((v) => v * 0.01 + 0.2);
    expectIntervals(removeSilence({ samples: quiet, sampleRate: SR }).kept, BURSTS, 0.12);
  });

  it('keeps pauses shorter than minGapSec inside the speech', () => {
    const bursts = [
      { start: 0.5, end: 1.0 },
      { start: 1.2, end: 1.7 }, // 0.2 s pause < 0.3 s
    ];
    const r = removeSilence({ samples: scene(2.3, bursts), sampleRate: SR });
    expectIntervals(r.kept, [{ start: 0.5, end: 1.7 }], 0.12);
    // With a smaller minGapSec the pause is cut.
    expect(removeSilence({ samples: scene(2.3, bursts), sampleRate: SR }, { minGapSec: 0.1, hangoverSec: 0.02, padSec: 0.02 }).kept.length).toBe(2);
  });

  it('drops an isolated click shorter than minSpeechSec', () => {
    const x = scene(TOTAL, [...BURSTS, { start: 3.1, end: 3.12 }]);
    expectIntervals(removeSilence({ samples: x, sampleRate: SR }).kept, BURSTS, 0.12);
    expect(removeSilence({ samples: x, sampleRate: SR }, { minSpeechSec: 0 }).kept.length).toBe(3);
  });

  it('pads by padSec before and hangoverSec after each run', () => {
    const x = scene(TOTAL, BURSTS);
    const r = removeSilence({ samples: x, sampleRate: SR }, { padSec: 0, hangoverSec: 0 });
    const padded = removeSilence({ samples: x, sampleRate: SR }, { padSec: 0.05, hangoverSec: 0.15 });
    expect(padded.kept[0].start).toBeCloseTo(r.kept[0].start - 0.05, 3);
    expect(padded.kept[0].end).toBeCloseTo(r.kept[0].end + 0.15, 3);
    // Without padding, the kept run hugs the burst to within a frame.
    expectIntervals(r.kept, BURSTS, DEFAULT_VAD_OPTIONS.frameSec);
  });

  it('keeps the whole file, flagged allSilent, when nothing stands out', () => {
    for (const samples of [new Float32Array(SR), scene(1, [], -40)]) {
      const r = removeSilence({ samples, sampleRate: SR });
      expect(r.allSilent).toBe(true);
      expect(r.samples).toEqual(samples);
      expect(r.kept).toEqual([{ start: 0, end: 1 }]);
    }
  });

  it('keeps a recording that is speech from start to end whole', () => {
    const r = removeSilence({ samples: scene(1.5, [{ start: 0, end: 1.5 }]), sampleRate: SR });
    expect(r.kept).toEqual([{ start: 0, end: 1.5 }]);
  });

  it('handles audio shorter than one frame', () => {
    const r = removeSilence({ samples: new Float32Array(100).fill(0.1), sampleRate: SR });
    expect(r.samples.length).toBe(100);
  });
});

describe('toOriginalTime', () => {
  const kept = [
    { start: 1, end: 2 },
    { start: 3, end: 3.5 },
    { start: 5, end: 6 },
  ];
  it('maps times inside each kept stretch', () => {
    expect(toOriginalTime(kept, 0)).toBe(1);
    expect(toOriginalTime(kept, 0.5)).toBe(1.5);
    expect(toOriginalTime(kept, 1.25)).toBe(3.25);
    expect(toOriginalTime(kept, 2.4)).toBeCloseTo(5.9, 12);
  });
  it('maps a join to the start of the later stretch', () => {
    expect(toOriginalTime(kept, 1)).toBe(3);
    expect(toOriginalTime(kept, 1.5)).toBe(5);
  });
  it('clamps outside the signal, and is the identity with nothing removed', () => {
    expect(toOriginalTime(kept, -1)).toBe(1);
    expect(toOriginalTime(kept, 2.5)).toBe(6);
    expect(toOriginalTime(kept, 99)).toBe(6);
    expect(toOriginalTime([], 1.234)).toBe(1.234);
  });
});
