/**
 * One HMM training worker thread of a self-training round (round-train.ts): each task is a
 * chunk of utterances whose frames are in shared memory, with the model or transform to
 * apply to them.
 */
import { fromPlainModel } from '../hmm/acoustic-model.js';
import { chainStates } from '../hmm/topology.js';
import { accumulatePass, chainPath } from '../hmm/train.js';
import { serveTasks } from '../util/worker-pool.js';
import { transformInto, type TrainTask, type TrainTaskResult } from './round-train.js';

void serveTasks<TrainTask, TrainTaskResult>(
  async () => undefined,
  async (t) => {
    if (t.kind === 'transform') return { transformed: transformInto(t) };
    const model = fromPlainModel(t.model);
    const utts = t.utts.map((u) => ({ x: u.x, chain: chainStates(model.topology, u.labels) }));
    if (t.kind === 'pass') return { accum: accumulatePass(model, utts, t.reestimation, t.beam) };
    return { paths: utts.map((u) => chainPath(model, u.x, u.chain, t.beam) ?? null) };
  },
);
