/**
 * A round's decoding spread over worker threads gives exactly what one thread gives,
 * in utterance order, and a worker's failure names the utterances it was decoding.
 * The worker script is compiled JavaScript, so this test imports the build in dist/
 * (`npm test` compiles first), as the CLI runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityTransform } from '../../src/hmm/feature-transform.js';
import { phoneBigram } from '../../src/hmm/phone-loop.js';
import { makeTopology } from '../../src/hmm/topology.js';
import { DEFAULT_HMM_TRAIN, trainHmm } from '../../src/hmm/train.js';
import { trainNgram } from '../../src/lm/index.js';
import { openPreparedAudio } from '../../src/pipeline/prepare-audio.js';
import type { decodeAll as DecodeAll } from '../../src/selftrain/round-decode.js';
import type { Progress } from '../../src/util/progress.js';
import { makeTrainFixture, type TrainFixture } from '../train/fixture.js';

const BUILT = new URL('../../dist/src/selftrain/round-decode.js', import.meta.url).href;
const UNITS = ['a', 'b', 'c', '<SIL>'];

let tmp: string;
let fx: TrainFixture;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fp-round-decode-'));
  fx = makeTrainFixture(tmp);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function counter(): Progress & { n: number } {
  const p = { n: 0, tick: (k: number) => void (p.n += k), stop: () => undefined };
  return p as unknown as Progress & { n: number };
}

describe('decodeAll', () => {
  it('gives the same candidates in the same order with 1 thread and with 2 threads of 2-utterance tasks', async () => {
    const { decodeAll } = (await import(BUILT)) as { decodeAll: typeof DecodeAll };
    const prepared = openPreparedAudio(fx.audioDir);
    const utterances = prepared.utterances.map((u) => ({ id: u.id, frames: prepared.frames(u) }));
    expect(utterances.length).toBeGreaterThanOrEqual(5);
    // A small HMM from made-up labels: enough to give each recording a non-trivial decoding.
    const topology = makeTopology(UNITS, 3, 1);
    const D = utterances[0].frames.cols;
    const labelled = utterances.map((u, i) => ({ id: u.id, x: u.frames, labels: Int32Array.from([3, i % 3, (i + 1) % 3, (i + 2) % 3, 3]) }));
    const model = (await trainHmm(topology, identityTransform(D), labelled, { ...DEFAULT_HMM_TRAIN, passes: 2, maxGaussians: 2 })).model;
    const bigram = phoneBigram(trainNgram([['a', 'b', 'c'], ['b', 'a'], ['c', 'a', 'b']], { order: 2 }), UNITS);
    const grid = [{ lmWeight: 1, insertionPenalty: 0 }, { lmWeight: 4, insertionPenalty: 2 }];
    const models = [model, model];

    const oneBar = counter();
    const one = await decodeAll({ utterances, models, grid, bigram, workers: 1, bar: oneBar });
    const twoBar = counter();
    const two = await decodeAll({ utterances, models, grid, bigram, workers: 2, taskUtterances: 2, bar: twoBar });
    expect(one).toHaveLength(utterances.length);
    expect(oneBar.n).toBe(utterances.length);
    expect(twoBar.n).toBe(utterances.length);
    const plain = (x: typeof one) => x.map((stages) => stages.map((g) => g.map((d) => ({ units: Array.from(d.units), spans: Array.from(d.spans) }))));
    expect(plain(two)).toEqual(plain(one));
    // Every decoding covers its recording's frames, and they differ between recordings.
    one.forEach((stages, k) => {
      const s = stages[0][0].spans;
      expect(s[0]).toBe(0);
      expect(s[s.length - 1]).toBe(utterances[k].frames.rows);
    });
    expect(new Set(plain(one).map((x) => JSON.stringify(x[0][0].units))).size).toBeGreaterThan(1);
  });

  it('names the utterances of a task whose worker failed', async () => {
    const { decodeAll } = (await import(BUILT)) as { decodeAll: typeof DecodeAll };
    const prepared = openPreparedAudio(fx.audioDir);
    const u = prepared.utterances[0];
    const frames = prepared.frames(u);
    const topology = makeTopology(UNITS, 3, 1);
    const model = (await trainHmm(topology, identityTransform(frames.cols), [{ id: u.id, x: frames, labels: Int32Array.from([3, 0, 1, 3]) }], { ...DEFAULT_HMM_TRAIN, passes: 1, maxGaussians: 1 })).model;
    const bigram = phoneBigram(trainNgram([['a', 'b']], { order: 2 }), UNITS);
    // Frames of the wrong width make the model's transform throw in the worker.
    const utterances = [{ id: u.id, frames }, { id: 'too-narrow', frames: { rows: 1, cols: 3, data: new Float32Array(3) } }];
    await expect(decodeAll({ utterances, models: [model], grid: [{ lmWeight: 1, insertionPenalty: 0 }], bigram, workers: 2, taskUtterances: 1, bar: counter() })).rejects.toThrow(
      new RegExp(`decoding utterances too-narrow…too-narrow: worker crashed: .*expects ${frames.cols}-dimensional frames, got 3`),
    );
  });
});
