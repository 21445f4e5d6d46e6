/**
 * One decoding worker thread of a self-training round (round-decode.ts): it opens the
 * prepared audio and rebuilds the round's models once, then decodes the utterances of
 * each task.
 */
import { workerData } from 'node:worker_threads';
import { openPreparedAudio, type UtteranceInfo } from '../pipeline/prepare-audio.js';
import { fromPlainModel, type AcousticModel } from '../hmm/acoustic-model.js';
import { serveTasks } from '../util/worker-pool.js';
import { decodeCandidates, type DecodeTask, type DecodeTaskResult, type DecodeWorkerInit } from './round-decode.js';

const init = workerData as DecodeWorkerInit;
let prepared: ReturnType<typeof openPreparedAudio>;
let byId: Map<string, UtteranceInfo>;
let models: AcousticModel[];

void serveTasks<DecodeTask, DecodeTaskResult>(
  async () => {
    prepared = openPreparedAudio(init.audioDir);
    byId = new Map(prepared.utterances.map((u) => [u.id, u]));
    models = init.models.map(fromPlainModel);
    return undefined;
  },
  async (t) => ({
    decodings: t.ids.map((id) => {
      const u = byId.get(id);
      if (!u) throw new Error(`${init.audioDir} has no utterance '${id}'`);
      return decodeCandidates(models, prepared.frames(u), init.bigram, init.grid);
    }),
  }),
);
