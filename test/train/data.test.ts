/**
 * Training data helpers: examples from prepared arrays (stacked frames and
 * segments), length-grouped batches, batch padding, and the text loader's errors.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lengthGroupedBatches, loadTextData, makeExample, padAudioBatch, stepTargets, type AudioExample } from '../../src/train/data.js';
import type { UtteranceInfo } from '../../src/pipeline/prepare-audio.js';
import { ArtifactError } from '../../src/util/errors.js';
import { makeRng } from '../../src/util/rng.js';

const utt = (id: string): UtteranceInfo => ({ id, path: `/corpus/${id}.wav`, speaker: 's', durationSec: 1, keptSec: 1, kept: [] });

/** rows × cols frames whose value encodes (row, col): 10·row + col. */
function frames(rows: number, cols: number) {
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = 10 * r + c;
  return { data, rows, cols };
}

describe('makeExample', () => {
  it("'frames': stacks 3 over 7 frames into 3 steps, repeating the last frame to fill the final stack", () => {
    const f = frames(7, 2);
    const clusters = Int32Array.from([10, 11, 12, 13, 14, 15, 16]);
    const ex = makeExample({ kind: 'frames', stack: 3 }, utt('u1'), { clusters, frames: f });
    expect(ex.id).toBe('u1');
    expect(ex.steps).toBe(3);
    expect(ex.x.length).toBe(3 * 3 * 2);
    expect(Array.from(ex.spans)).toEqual([0, 3, 3, 6, 6, 7]);
    // step s, slot j holds frame min(3s + j, 6)
    const expected: number[] = [];
    for (let s = 0; s < 3; s++) for (let j = 0; j < 3; j++) {
      const fr = Math.min(3 * s + j, 6);
      expected.push(10 * fr, 10 * fr + 1);
    }
    expect(Array.from(ex.x)).toEqual(expected);
    // the last step is frame 6 three times
    expect(Array.from(ex.x.subarray(12))).toEqual([60, 61, 60, 61, 60, 61]);
    // cluster of each step's middle frame: 1, 4, 6
    expect(Array.from(ex.clusters)).toEqual([11, 14, 16]);
  });

  it("'frames': an exact multiple needs no repetition, stack 1 is the frames themselves", () => {
    const f = frames(6, 1);
    const clusters = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const ex3 = makeExample({ kind: 'frames', stack: 3 }, utt('u'), { clusters, frames: f });
    expect(ex3.steps).toBe(2);
    expect(Array.from(ex3.x)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(Array.from(ex3.spans)).toEqual([0, 3, 3, 6]);
    const ex1 = makeExample({ kind: 'frames', stack: 1 }, utt('u'), { clusters, frames: f });
    expect(ex1.steps).toBe(6);
    expect(Array.from(ex1.x)).toEqual(Array.from(f.data));
    expect(Array.from(ex1.clusters)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("'segments': one step per segment, its spans, and the cluster of its middle frame", () => {
    const features = frames(3, 4);
    const spans = Int32Array.from([0, 4, 4, 5, 5, 9]);
    const clusters = Int32Array.from([7, 7, 3, 7, 2, 5, 5, 6, 6]);
    const ex = makeExample({ kind: 'segments', stack: 5 }, utt('seg'), { clusters, segments: { features, spans } });
    expect(ex.steps).toBe(3);
    expect(Array.from(ex.x)).toEqual(Array.from(features.data));
    expect(Array.from(ex.spans)).toEqual([0, 4, 4, 5, 5, 9]);
    // middle frames (lower middle for even lengths): (0+4-1)>>1 = 1, 4, (5+9-1)>>1 = 6
    expect(Array.from(ex.clusters)).toEqual([7, 2, 5]);
  });

  it('says which input is missing', () => {
    expect(() => makeExample({ kind: 'segments', stack: 1 }, utt('x'), { clusters: new Int32Array(1), frames: frames(1, 1) })).toThrow(/segments missing/);
    expect(() => makeExample({ kind: 'frames', stack: 1 }, utt('x'), { clusters: new Int32Array(1) })).toThrow(/frames missing/);
  });
});

describe('stepTargets', () => {
  it('gives each step the label that overlaps its frames most, <SIL> included, and -1 where no label reaches', () => {
    // Steps of 3 frames over 0..12; labels a [0,2) b [2,7) <SIL> [7,9) c [9,10), nothing after frame 10.
    const features = frames(4, 1);
    const ex = makeExample({ kind: 'segments', stack: 1 }, utt('u'), { clusters: new Int32Array(12), segments: { features, spans: Int32Array.from([0, 3, 3, 6, 6, 9, 10, 12]) } });
    const units = ['a', 'b', 'c', '<SIL>'];
    const index = new Map(units.map((u, i) => [u, i]));
    const t = stepTargets(ex, { units: ['a', 'b', '<SIL>', 'c'], spans: Int32Array.from([0, 2, 2, 7, 7, 9, 9, 10]) }, index);
    // step [0,3): a 2 frames, b 1 → a; [3,6): b; [6,9): b 1, <SIL> 2 → <SIL>; [10,12): nothing → -1.
    expect(Array.from(t)).toEqual([0, 1, 3, -1]);
    // Ties go to the earlier label: [0,3) against a [0,1) b [1,2) c [2,3).
    const tie = stepTargets(ex, { units: ['a', 'b', 'c'], spans: Int32Array.from([0, 1, 1, 2, 2, 3]) }, index);
    expect(tie[0]).toBe(0);
    expect(() => stepTargets(ex, { units: ['a'] }, index)).toThrow(/'u' have no frame spans/);
  });
});

describe('lengthGroupedBatches', () => {
  const lengths = [5, 17, 3, 9, 9, 12, 1, 30, 8, 8, 8, 22, 4, 15];

  it('puts every index in exactly one batch, in sorted-length groups of the batch size', () => {
    const batches = lengthGroupedBatches(lengths, 4, makeRng(3));
    const all = batches.flat();
    expect(all.slice().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    expect(batches.map((b) => b.length).sort()).toEqual([2, 4, 4, 4]);
    // The groups, ordered by length, are consecutive runs of the sorted lengths.
    const sortedLengths = lengths.slice().sort((a, b) => a - b);
    const groups = batches.map((b) => b.map((i) => lengths[i])).sort((a, b) => Math.min(...a) - Math.min(...b));
    let k = 0;
    for (const g of groups) {
      expect(g).toEqual(sortedLengths.slice(k, k + g.length));
      k += g.length;
    }
    // The short group is the longest lengths (the last cut).
    expect(groups[groups.length - 1]).toEqual([22, 30]);
  });

  it('is deterministic for a seed and shuffles the batch order between seeds', () => {
    const a = lengthGroupedBatches(lengths, 4, makeRng(3));
    expect(lengthGroupedBatches(lengths, 4, makeRng(3))).toEqual(a);
    const orders = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) orders.add(JSON.stringify(lengthGroupedBatches(lengths, 4, makeRng(seed)).map((b) => Math.min(...b.map((i) => lengths[i])))));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('handles a batch size larger than the data', () => {
    expect(lengthGroupedBatches([3, 1, 2], 8, makeRng(1))).toEqual([[1, 2, 0]]);
  });
});

describe('padAudioBatch', () => {
  const ex = (id: string, steps: number, dim: number): AudioExample => {
    const x = new Float32Array(steps * dim).map((_, i) => 100 * id.charCodeAt(0) + i + 1);
    const clusters = Int32Array.from({ length: steps }, (_, i) => i % 5);
    return { id, utterance: utt(id), x, steps, spans: new Int32Array(2 * steps), clusters };
  };

  it('pads to the longest, with a mask, zeros past each end and cluster −1 there', () => {
    const dim = 2;
    const [a, b] = [ex('a', 3, dim), ex('b', 5, dim)];
    const p = padAudioBatch([a, b], dim);
    expect(p.T).toBe(5);
    expect(p.lengths).toEqual([3, 5]);
    expect(Array.from(p.mask)).toEqual([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    expect(Array.from(p.clusters)).toEqual([0, 1, 2, -1, -1, 0, 1, 2, 3, 4]);
    expect(Array.from(p.x.subarray(0, 6))).toEqual(Array.from(a.x));
    expect(Array.from(p.x.subarray(6, 10))).toEqual([0, 0, 0, 0]);
    expect(Array.from(p.x.subarray(10))).toEqual(Array.from(b.x));
  });

  it('crops to maxSteps', () => {
    const dim = 1;
    const [a, b] = [ex('a', 3, dim), ex('b', 6, dim)];
    const p = padAudioBatch([a, b], dim, 4);
    expect(p.T).toBe(4);
    expect(p.lengths).toEqual([3, 4]);
    expect(Array.from(p.mask)).toEqual([1, 1, 1, 0, 1, 1, 1, 1]);
    expect(Array.from(p.clusters)).toEqual([0, 1, 2, -1, 0, 1, 2, 3]);
    expect(Array.from(p.x.subarray(4))).toEqual(Array.from(b.x.subarray(0, 4)));
  });
});

describe('loadTextData', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldphone-textdata-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, phones: string) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'inventory.json'), JSON.stringify({ units: ['a', 'b', 'k', '<SIL>'], counts: {}, dropped: {} }));
    writeFileSync(join(d, 'phones.txt'), phones);
    return d;
  };

  it('maps phones to unit ids over the inventory, skipping blank lines', () => {
    const d = write('ok', '<SIL> a b <SIL>\n\nk  a\n');
    const t = loadTextData(d);
    expect(t.units).toEqual(['a', 'b', 'k', '<SIL>']);
    expect(t.sentences.map((s) => Array.from(s))).toEqual([
      [3, 0, 1, 3],
      [2, 0],
    ]);
  });

  it('names the file and line of a unit that is not in the inventory', () => {
    const d = write('bad', 'a b\nk a\nb z a\n');
    let err: unknown;
    try {
      loadTextData(d);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ArtifactError);
    expect((err as ArtifactError).file).toBe(join(d, 'phones.txt'));
    expect((err as Error).message).toBe(`${join(d, 'phones.txt')}: line 3: unit 'z' is not in inventory.json`);
  });

  it('refuses a phones file without sentences', () => {
    const d = write('empty', '\n\n');
    expect(() => loadTextData(d)).toThrow(`${join(d, 'phones.txt')}: no sentences`);
  });
});
