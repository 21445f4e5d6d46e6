import { describe, it, expect, beforeAll } from 'vitest';
import { tf, initBackend } from '../../src/backend/index.js';
import { joinSegments } from '../../src/model/index.js';
import { makeRng } from '../../src/util/rng.js';

/**
 * V = 3. Sequence 0 (length 6) has argmax runs 0 0 | 1 1 1 | 2; sequence 1
 * (length 4, then 2 padded steps) has 2 2 2 | 0. Each row is (winner gets 10+t,
 * others t/10) so rows within a run differ and means are easy to work out.
 */
const argmaxes = [
  [0, 0, 1, 1, 1, 2],
  [2, 2, 2, 0, 0, 1],
];
function rowOf(b: number, t: number): number[] {
  return [0, 1, 2].map((v) => (v === argmaxes[b][t] ? 10 + t : t / 10));
}
const logits = () => tf.tensor3d(argmaxes.flatMap((_, b) => [0, 1, 2, 3, 4, 5].flatMap((t) => rowOf(b, t))), [2, 6, 3]);
const rowsOf = (x: tf.Tensor3D) => (x.arraySync() as number[][][]);

describe('joinSegments', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it("'mean' collapses argmax runs into their mean logits; padding stays zero", () => {
    const { joined, lengths } = joinSegments(logits(), [6, 4], 'mean', makeRng(1));
    expect(lengths).toEqual([3, 2]);
    expect(joined.shape).toEqual([2, 3, 3]);
    const want = [
      [
        [10.5, 0.05, 0.05], // mean of t=0 (10, 0, 0) and t=1 (11, .1, .1)
        [0.3, 13, 0.3], // t=2..4: (.2,12,.2) (.3,13,.3) (.4,14,.4)
        [0.5, 0.5, 15],
      ],
      [
        [0.1, 0.1, 11], // t=0..2
        [13, 0.3, 0.3], // t=3; steps 4 and 5 are padding
        [0, 0, 0],
      ],
    ];
    const got = rowsOf(joined);
    for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) for (let v = 0; v < 3; v++) expect(got[b][i][v]).toBeCloseTo(want[b][i][v], 5);
  });

  it("'sample' keeps one step from inside each run, reproducibly for a seed", () => {
    const runs = [
      [[0, 2], [2, 5], [5, 6]],
      [[0, 3], [3, 4]],
    ];
    const picks = (seed: number) => {
      const { joined, lengths } = joinSegments(logits(), [6, 4], 'sample', makeRng(seed));
      expect(lengths).toEqual([3, 2]);
      const got = rowsOf(joined);
      return runs.map((bRuns, b) =>
        bRuns.map(([start, end], i) => {
          // The kept row is exactly one of the run's rows: find which.
          const t = [0, 1, 2, 3, 4, 5].find((s) => rowOf(b, s).every((x, v) => Math.abs(x - got[b][i][v]) < 1e-5));
          expect(t).toBeDefined();
          expect(t!).toBeGreaterThanOrEqual(start);
          expect(t!).toBeLessThan(end);
          return t!;
        }),
      );
    };
    expect(picks(7)).toEqual(picks(7));
    // Over many seeds every step of the 3-long run [2,5) is picked about a third of the time.
    const counts = [0, 0, 0];
    const draws = 300;
    for (let seed = 0; seed < draws; seed++) counts[picks(seed)[0][1] - 2]++;
    for (const c of counts) expect(Math.abs(c / draws - 1 / 3)).toBeLessThan(0.1);
  });

  it('rejects lengths that do not fit the batch', () => {
    expect(() => joinSegments(logits(), [6], 'mean', makeRng(1))).toThrow(/lengths/);
    expect(() => joinSegments(logits(), [7, 4], 'mean', makeRng(1))).toThrow(/outside/);
    expect(() => joinSegments(logits(), [0, 4], 'mean', makeRng(1))).toThrow(/outside/);
  });
});
