/**
 * One transcription worker thread, started by transcribeBatch (batch.ts)
 * through worker-pool.ts. It starts its own tensor backend (tfjs backends are
 * per thread) and loads the model once, then transcribes the recordings it is
 * handed one at a time and writes their outputs itself, each atomically, so a
 * file is finished on disk before the pool hears of it.
 */
import { basename } from 'node:path';
import { workerData } from 'node:worker_threads';
import { initBackend } from '../backend/index.js';
import { loadModelFolder, type LoadedModel } from '../model/model-folder.js';
import { FieldphoneError, errorMessage } from '../util/errors.js';
import { setLogLevel, type LogLevel } from '../util/log.js';
import { writeTranscriptOutputs, type TranscriptFormat } from './outputs.js';
import { transcribeRecording } from './transcribe.js';
import { serveTasks } from '../util/worker-pool.js';
import type { WordDecoderOptions } from '../lexicon/index.js';

export interface TranscribeWorkerInit {
  modelDir: string;
  /** The tensor backend, the same in every worker so that outputs do not depend on which worker made them. */
  backend: string;
  formats: TranscriptFormat[];
  logLevel: LogLevel;
  /** Word decoding settings (plain data: it crosses the thread boundary). */
  wordOptions: Partial<WordDecoderOptions>;
}

export interface FileTask {
  /** Position in the batch's list of recordings. */
  index: number;
  path: string;
  id: string;
  /** Output file for each format, in the order of `formats`. */
  outputs: string[];
}

export type FileResult = { ok: true; durationSec: number } | { ok: false; reason: string };

/**
 * Test hook: the worker handed the recording whose file name is
 * FIELDPHONE_TEST_WORKER_OOM runs out of memory for real (run the CLI with a
 * small --max-old-space-size to make it quick), so tests can check that the
 * batch survives a crashed worker. Unset, it does nothing.
 */
function outOfMemoryHook(path: string): void {
  const name = process.env.FIELDPHONE_TEST_WORKER_OOM;
  if (!name || basename(path) !== name) return;
  const hoard: number[][] = [];
  for (;;) hoard.push(new Array(1 << 16).fill(0.5));
}

const init = workerData as TranscribeWorkerInit;
let model: LoadedModel;

void serveTasks<FileTask, FileResult>(
  async () => {
    // Quiet while starting: the batch logs the backend once, not once per worker.
    setLogLevel('quiet');
    const backend = await initBackend(init.backend);
    setLogLevel(init.logLevel);
    model = loadModelFolder(init.modelDir);
    return backend;
  },
  async (t) => {
    outOfMemoryHook(t.path);
    try {
      const tr = await transcribeRecording(model, t.path, t.id, init.wordOptions);
      writeTranscriptOutputs(tr, init.formats, t.outputs, { id: t.id, model: model.dir });
      return { ok: true, durationSec: tr.durationSec };
    } catch (e) {
      return { ok: false, reason: e instanceof FieldphoneError && e.file ? e.message.slice(e.file.length + 2) : errorMessage(e) };
    }
  },
);
