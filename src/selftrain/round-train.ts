/**
 * The HMM training of a self-training round on worker threads. The passes (forced alignment
 * and statistics), the final alignment and the LDA projection of the frames are most of a
 * round's training time, and utterances are independent. The frames live in
 * SharedArrayBuffers (sharedMatrices), so every worker reads them without a copy; a task is
 * one PASS_CHUNK-utterance chunk with the current model. The chunks' statistics are summed in
 * chunk order (trainHmm's contract), so the model is the same as in one thread.
 */
import { toPlainModel, type AcousticModel, type PlainAcousticModel } from '../hmm/acoustic-model.js';
import { applyTransform, outputDim, type FeatureTransform } from '../hmm/feature-transform.js';
import { PASS_CHUNK, passChunks, addPassAccum, emptyPassAccum, type HmmTrainConfig, type PassAccum, type PassRunner } from '../hmm/train.js';
import { inSharedMemory, sharedMatrices, type Matrix } from '../util/matrix.js';
import { WorkerPool, runTasks } from '../util/worker-pool.js';

export type TrainTask =
  | {
      kind: 'pass' | 'align';
      model: PlainAcousticModel;
      reestimation: HmmTrainConfig['reestimation'];
      beam: number;
      /** Frames after the model's transform (shared), and label unit ids. */
      utts: { id: string; x: Matrix; labels: Int32Array }[];
    }
  | { kind: 'transform'; transform: FeatureTransform; ids: string[]; inputs: Matrix[]; outputs: Matrix[] };

export type TrainTaskResult = { accum: PassAccum } | { paths: (Int32Array | null)[] } | { transformed: number };

const WORKER_URL = new URL('./round-train-worker.js', import.meta.url);

/** Worker threads for one round's HMM training; close() when the round's training is done. */
export class RoundTrainingPool {
  private constructor(private readonly pool: WorkerPool<TrainTask, TrainTaskResult>) {}

  static async start(workers: number): Promise<RoundTrainingPool> {
    const pool = new WorkerPool<TrainTask, TrainTaskResult>({ url: WORKER_URL, size: workers, workerData: null });
    await pool.started();
    return new RoundTrainingPool(pool);
  }

  /** The utterances' frames through `transform`, computed by the workers into shared memory. */
  async transform(transform: FeatureTransform, utts: { id: string; x: Matrix }[], chunk = PASS_CHUNK): Promise<Matrix[]> {
    const inputs = inSharedMemory(utts.map((u) => u.x));
    const outputs = sharedMatrices(utts.map((u) => ({ rows: u.x.rows, cols: outputDim(transform) })));
    const tasks: TrainTask[] = passChunks(utts.length, chunk).map(([a, b]) => ({
      kind: 'transform',
      transform,
      ids: utts.slice(a, b).map((u) => u.id),
      inputs: inputs.slice(a, b),
      outputs: outputs.slice(a, b),
    }));
    await runTasks(this.pool, tasks, describe);
    return outputs;
  }

  /** A runner for trainHmm over `utts` (frames after the stage's transform); `chunk` as inThreadRunner's, for the same sums. */
  runner(utts: { id: string; x: Matrix; labels: Int32Array }[], chunk = PASS_CHUNK): PassRunner {
    const frames = inSharedMemory(utts.map((u) => u.x));
    const chunks = passChunks(utts.length, chunk).map(([a, b]) => utts.slice(a, b).map((u, i) => ({ id: u.id, x: frames[a + i], labels: u.labels })));
    const tasks = (kind: 'pass' | 'align', model: AcousticModel, reestimation: HmmTrainConfig['reestimation'], beam: number): TrainTask[] => {
      const plain = toPlainModel(model);
      return chunks.map((c) => ({ kind, model: plain, reestimation, beam, utts: c }));
    };
    return {
      pass: async (model, reestimation, beam) => {
        const results = await runTasks(this.pool, tasks('pass', model, reestimation, beam), describe);
        const total = emptyPassAccum(model);
        for (const r of results) addPassAccum(total, (r as { accum: PassAccum }).accum);
        return total;
      },
      align: async (model, beam) => {
        const results = await runTasks(this.pool, tasks('align', model, 'viterbi', beam), describe);
        return results.flatMap((r) => (r as { paths: (Int32Array | null)[] }).paths.map((p) => p ?? undefined));
      },
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function describe(t: TrainTask): string {
  const ids = t.kind === 'transform' ? t.ids : t.utts.map((u) => u.id);
  return `HMM training (${t.kind}), utterances ${ids[0]}…${ids[ids.length - 1]}`;
}

/** What a worker does with a 'transform' task (here so that the worker script stays a thin shell). */
export function transformInto(t: Extract<TrainTask, { kind: 'transform' }>): number {
  t.inputs.forEach((x, i) => t.outputs[i].data.set(applyTransform(t.transform, x).data));
  return t.inputs.length;
}
