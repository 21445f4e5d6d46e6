/**
 * A round's HMM training on worker threads gives exactly the model and alignment of one
 * thread: the chunks' statistics are summed in the same order whichever thread computed
 * them. The worker script is compiled JavaScript, so this test imports the build in dist/
 * (`npm test` compiles first), as the CLI runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyTransform, identityTransform, type FeatureTransform } from '../../src/hmm/feature-transform.js';
import { makeTopology } from '../../src/hmm/topology.js';
import { DEFAULT_HMM_TRAIN, inThreadRunner, trainHmm, type LabelledUtterance, type TrainedHmm } from '../../src/hmm/train.js';
import { chainStates } from '../../src/hmm/topology.js';
import { openPreparedAudio } from '../../src/pipeline/prepare-audio.js';
import type { RoundTrainingPool as Pool } from '../../src/selftrain/round-train.js';
import { makeTrainFixture, type TrainFixture } from '../train/fixture.js';

const BUILT = new URL('../../dist/src/selftrain/round-train.js', import.meta.url).href;
const UNITS = ['a', 'b', 'c', '<SIL>'];

let tmp: string;
let fx: TrainFixture;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fp-round-train-'));
  fx = makeTrainFixture(tmp);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function plain(t: TrainedHmm) {
  return {
    gmms: t.model.gmms.map((g) => [Array.from(g.weights), Array.from(g.means), Array.from(g.vars)]),
    self: Array.from(t.model.logSelf),
    alignments: t.alignments.map((a) => a && Array.from(a)),
    passes: t.passes,
  };
}

describe('RoundTrainingPool', () => {
  for (const reestimation of ['viterbi', 'baum-welch'] as const)
    it(`trains the same HMM (${reestimation}, monophone and spliced stage) on 2 threads of 2-utterance chunks as in this thread`, async () => {
      const { RoundTrainingPool } = (await import(BUILT)) as { RoundTrainingPool: typeof Pool };
      const prepared = openPreparedAudio(fx.audioDir);
      const topology = makeTopology(UNITS, 3, 1);
      const frames = prepared.utterances.map((u) => ({ id: u.id, x: prepared.frames(u) }));
      expect(frames.length).toBeGreaterThanOrEqual(5);
      const D = frames[0].x.cols;
      const cfg = { ...DEFAULT_HMM_TRAIN, passes: 4, maxGaussians: 4, reestimation };
      // Spliced frames stand in for the LDA stage, whose frames the workers transform.
      const stages: FeatureTransform[] = [identityTransform(D), { inputDim: D, splice: 1 }];
      const pool = await RoundTrainingPool.start(2);
      try {
        for (const transform of stages) {
          const local = frames.map((u) => applyTransform(transform, u.x));
          const threads = await pool.transform(transform, frames, 2);
          expect(threads.map((m) => [m.rows, m.cols, Array.from(m.data)])).toEqual(local.map((m) => [m.rows, m.cols, Array.from(m.data)]));
          // Made-up labels: enough for a non-trivial model.
          const labels = frames.map((_, i) => Int32Array.from([3, i % 3, (i + 1) % 3, (i + 2) % 3, 3]));
          const here: LabelledUtterance[] = frames.map((u, i) => ({ id: u.id, x: local[i], labels: labels[i] }));
          const there: LabelledUtterance[] = frames.map((u, i) => ({ id: u.id, x: threads[i], labels: labels[i] }));
          const one = await trainHmm(topology, transform, here, cfg, { runner: inThreadRunner(here.map((u) => ({ x: u.x, chain: chainStates(topology, u.labels) })), 2) });
          const two = await trainHmm(topology, transform, there, cfg, { runner: pool.runner(there, 2) });
          expect(one.passes.every((p) => p.aligned === frames.length)).toBe(true);
          expect(one.model.gmms.some((g) => g.numComponents > 1)).toBe(true);
          expect(plain(two)).toEqual(plain(one));
        }
      } finally {
        await pool.close();
      }
    });

  it('names the utterances of a chunk whose worker failed', async () => {
    const { RoundTrainingPool } = (await import(BUILT)) as { RoundTrainingPool: typeof Pool };
    const prepared = openPreparedAudio(fx.audioDir);
    const utts = prepared.utterances.slice(0, 3).map((u) => ({ id: u.id, x: prepared.frames(u) }));
    const last = utts[2];
    // Frames of the wrong width make the transform throw in the worker.
    utts[2] = { id: last.id, x: { rows: 1, cols: 3, data: new Float32Array(3) } };
    const pool = await RoundTrainingPool.start(2);
    try {
      await expect(pool.transform(identityTransform(utts[0].x.cols), utts, 1)).rejects.toThrow(
        new RegExp(`HMM training \\(transform\\), utterances ${last.id}…${last.id}: .*expects ${utts[0].x.cols}-dimensional frames, got 3`),
      );
    } finally {
      await pool.close();
    }
  });
});
