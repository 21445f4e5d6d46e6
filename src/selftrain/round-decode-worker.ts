/**
 * One decoding worker thread of a self-training round (round-decode.ts): it rebuilds the
 * round's models once, then decodes the utterances of each task from their shared frames.
 */
import { workerData } from 'node:worker_threads';
import { fromPlainModel } from '../hmm/acoustic-model.js';
import { serveTasks } from '../util/worker-pool.js';
import { decodeCandidates, type DecodeTask, type DecodeTaskResult, type DecodeWorkerInit } from './round-decode.js';

const init = workerData as DecodeWorkerInit;
const models = init.models.map(fromPlainModel);

void serveTasks<DecodeTask, DecodeTaskResult>(
  async () => undefined,
  async (t) => ({ decodings: t.frames.map((x) => decodeCandidates(models, x, init.bigram, init.grid)) }),
);
