/**
 * The reference map (src/decipher/ceiling.ts): PER of a mapped sequence worked
 * by hand, and recovery of a known homophonic key, with pause clusters that
 * belong to no phone and with noisy segments.
 */
import { describe, expect, it } from 'vitest';
import { mappedPer, referenceMap } from '../../src/decipher/ceiling.js';
import { makeRng } from '../../src/util/rng.js';

describe('mappedPer', () => {
  it('drops clusters on no phone and joins repeats before scoring', () => {
    // Clusters 0 1 1 2 under map [0, 1, -1] read "0 1"; against "0 1 2" that is one deletion in three.
    expect(mappedPer([Int32Array.of(0, 1, 1, 2)], [Int32Array.of(0, 1, 2)], Int32Array.of(0, 1, -1))).toBeCloseTo(1 / 3, 12);
    // Two recordings pooled: 1 error in 3 + 0 in 2.
    expect(mappedPer([Int32Array.of(0, 1, 1, 2), Int32Array.of(2, 0)], [Int32Array.of(0, 1, 2), Int32Array.of(0)], Int32Array.of(0, 1, -1))).toBeCloseTo(1 / 4, 12);
  });
});

describe('referenceMap', () => {
  const V = 4;
  const PAUSE = 2 * V; // the cluster of pauses: no reference phone
  /** Recordings of phones without immediate repeats; phone p written by cluster 2p or 2p+1, pauses between some phones. */
  function corpus(noise: number, seed: number) {
    const rng = makeRng(seed);
    const sequences: Int32Array[] = [];
    const refs: Int32Array[] = [];
    for (let r = 0; r < 300; r++) {
      const n = 5 + rng.int(8);
      const ref: number[] = [];
      const seq: number[] = [];
      for (let i = 0; i < n; i++) {
        let p = rng.int(V);
        while (ref.length > 0 && p === ref[ref.length - 1]) p = rng.int(V);
        ref.push(p);
        seq.push(rng.next() < noise ? rng.int(2 * V) : 2 * p + rng.int(2));
        if (rng.next() < 0.2) seq.push(PAUSE);
      }
      sequences.push(Int32Array.from(seq));
      refs.push(Int32Array.from(ref));
    }
    return { sequences, refs };
  }
  const truth = Int32Array.from({ length: 2 * V + 1 }, (_, k) => (k === PAUSE ? -1 : k >> 1));

  it('recovers the key of clean clusters, the pause cluster on no phone', () => {
    const { sequences, refs } = corpus(0, 1);
    const r = referenceMap(sequences, refs, 2 * V + 1, V);
    expect(Array.from(r.map)).toEqual(Array.from(truth));
    expect(r.per).toBe(0);
    // Forced onto a phone, the pause cluster inserts phones (or joins with a neighbour).
    expect(r.phonesOnly[PAUSE]).toBeGreaterThanOrEqual(0);
    expect(r.perPhonesOnly).toBeGreaterThan(0);
    expect(Array.from(r.phonesOnly.subarray(0, PAUSE))).toEqual(Array.from(truth.subarray(0, PAUSE)));
  });

  it('keeps the key when 15 % of the segments are noise, and its PER measures the noise', () => {
    const { sequences, refs } = corpus(0.15, 2);
    const r = referenceMap(sequences, refs, 2 * V + 1, V);
    expect(Array.from(r.map)).toEqual(Array.from(truth));
    // Random clusters are wrong 3/4 of the time: about 11 % errors, some joined away with a neighbour.
    expect(r.per).toBeGreaterThan(0.05);
    expect(r.per).toBeLessThan(0.2);
    expect(r.per).toBeCloseTo(mappedPer(sequences, refs, truth), 12);
  });

  it('refuses references that do not pair with the sequences', () => {
    expect(() => referenceMap([Int32Array.of(0)], [], 1, 1)).toThrow(/1 cluster sequences but 0 references/);
  });
});
