/**
 * Decoding a round's training utterances with every stage × LM weight × penalty of the
 * grid: the larger half of a round's time. Utterances are independent, so they are
 * spread over worker threads (round-decode-worker.ts) when more than one core is there;
 * the frames go to them in shared memory (inSharedMemory), not copied. The results are
 * the same, in the same order, whichever thread decoded them.
 */
import { availableParallelism } from 'node:os';
import { stateLogLiks, toPlainModel, transformFrames, type AcousticModel, type DecodeSettings, type PlainAcousticModel } from '../hmm/acoustic-model.js';
import { decodePhoneLoop, type PhoneBigram } from '../hmm/phone-loop.js';
import { inSharedMemory, type Matrix } from '../util/matrix.js';
import type { Progress } from '../util/progress.js';
import { runAllTasks } from '../util/worker-pool.js';

/** One utterance's decoding by one stage with one grid point: unit ids and their frame spans. */
export interface DecodedUnits {
  units: Int32Array;
  spans: Int32Array;
}

/** [stage][grid point] decodings of one utterance. */
export type CandidateDecodings = DecodedUnits[][];

export function decodeCandidates(models: AcousticModel[], frames: Matrix, bigram: PhoneBigram, grid: DecodeSettings[]): CandidateDecodings {
  return models.map((model) => {
    const em = stateLogLiks(model, transformFrames(model, frames));
    return grid.map((g) => {
      const d = decodePhoneLoop(model, em, bigram, g);
      return { units: d.units, spans: d.spans };
    });
  });
}

/** What a decoding worker starts from (workerData): the pool lives for one round, so its models and grid come once. */
export interface DecodeWorkerInit {
  bigram: PhoneBigram;
  models: PlainAcousticModel[];
  grid: DecodeSettings[];
}

export interface DecodeTask {
  ids: string[];
  /** The utterances' frames, in shared memory. */
  frames: Matrix[];
}

export interface DecodeTaskResult {
  decodings: CandidateDecodings[];
}

const WORKER_URL = new URL('./round-decode-worker.js', import.meta.url);

/** Utterances per task: small enough to balance the threads, large enough that messages are few. */
const TASK_UTTERANCES = 16;

/**
 * Every utterance's candidate decodings, in utterance order. With more than one worker, in
 * worker threads; otherwise in this thread.
 */
export async function decodeAll(o: {
  utterances: { id: string; frames: Matrix }[];
  models: AcousticModel[];
  grid: DecodeSettings[];
  bigram: PhoneBigram;
  workers?: number;
  /** Utterances per worker task (default 16). */
  taskUtterances?: number;
  bar: Progress;
}): Promise<CandidateDecodings[]> {
  const per = o.taskUtterances ?? TASK_UTTERANCES;
  const workers = Math.min(o.workers ?? availableParallelism(), Math.ceil(o.utterances.length / per));
  if (workers <= 1)
    return o.utterances.map((u) => {
      const d = decodeCandidates(o.models, u.frames, o.bigram, o.grid);
      o.bar.tick(1);
      return d;
    });
  const frames = inSharedMemory(o.utterances.map((u) => u.frames));
  const tasks: DecodeTask[] = [];
  for (let i = 0; i < o.utterances.length; i += per) tasks.push({ ids: o.utterances.slice(i, i + per).map((u) => u.id), frames: frames.slice(i, i + per) });
  const init: DecodeWorkerInit = { bigram: o.bigram, models: o.models.map(toPlainModel), grid: o.grid };
  const results = await runAllTasks<DecodeTask, DecodeTaskResult>({
    url: WORKER_URL,
    size: workers,
    workerData: init,
    tasks,
    describe: (t) => `decoding utterances ${t.ids[0]}…${t.ids[t.ids.length - 1]}`,
    onResult: (t) => o.bar.tick(t.ids.length),
  });
  return results.flatMap((r) => r.decodings);
}
