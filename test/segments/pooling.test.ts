import { describe, it, expect } from 'vitest';
import { mergeRuns, poolPairs } from '../../src/segments/index.js';
import { UsageError } from '../../src/util/errors.js';
import { matrix } from '../../src/util/matrix.js';

// Seven 2-D frames and their cluster IDs; the runs are [0,2) id 1, [2,5) id 2, [5,6) id 3, [6,7) id 1.
const frames = matrix(7, 2, Float32Array.from([1, 0, 3, 2, 0, 0, 3, 3, 6, 0, 5, 5, -1, 4]));
const ids = Int32Array.from([1, 1, 2, 2, 2, 3, 1]);

describe('mergeRuns', () => {
  it('makes one segment per run of identical IDs, with the mean of its frames', () => {
    const seg = mergeRuns(frames, ids);
    expect([seg.features.rows, seg.features.cols]).toEqual([4, 2]);
    // (1,0),(3,2) → (2,1); (0,0),(3,3),(6,0) → (3,1); (5,5); (-1,4).
    expect(Array.from(seg.features.data)).toEqual([2, 1, 3, 1, 5, 5, -1, 4]);
    expect(Array.from(seg.spans)).toEqual([0, 2, 2, 5, 5, 6, 6, 7]);
    // The last run has the same ID as the first but is a separate segment.
    expect(Array.from(seg.clusters)).toEqual([1, 2, 3, 1]);
  });

  it('gives no segments for no frames and refuses mismatched lengths', () => {
    const empty = mergeRuns(matrix(0, 3), new Int32Array(0));
    expect([empty.features.rows, empty.features.cols, empty.spans.length, empty.clusters.length]).toEqual([0, 3, 0, 0]);
    expect(() => mergeRuns(frames, ids.subarray(1))).toThrow(UsageError);
  });
});

describe('poolPairs', () => {
  it('averages adjacent segment pairs and merges their spans', () => {
    const pooled = poolPairs(mergeRuns(frames, ids));
    expect([pooled.features.rows, pooled.features.cols]).toEqual([2, 2]);
    // ((2,1)+(3,1))/2 = (2.5,1); ((5,5)+(-1,4))/2 = (2,4.5): unweighted by segment length.
    expect(Array.from(pooled.features.data)).toEqual([2.5, 1, 2, 4.5]);
    expect(Array.from(pooled.spans)).toEqual([0, 5, 5, 7]);
    // First pair: ID 2 covers 3 of its 5 frames. Second pair: 1 frame each, the first (3) wins the tie.
    expect(Array.from(pooled.clusters)).toEqual([2, 3]);
  });

  it('keeps an odd last segment alone', () => {
    const seg = mergeRuns(matrix(6, 2, frames.data.slice(0, 12)), ids.slice(0, 6));
    expect(seg.features.rows).toBe(3);
    const pooled = poolPairs(seg);
    expect(Array.from(pooled.features.data)).toEqual([2.5, 1, 5, 5]);
    expect(Array.from(pooled.spans)).toEqual([0, 5, 5, 6]);
    expect(Array.from(pooled.clusters)).toEqual([2, 3]);
    expect(poolPairs(mergeRuns(matrix(0, 2), new Int32Array(0))).features.rows).toBe(0);
  });
});
