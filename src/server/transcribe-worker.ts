/**
 * A transcription worker thread of the server's pool: loads the model folder
 * once, then transcribes the uploads it is handed, one at a time, with the
 * same transcribeRecording as `fieldphone transcribe`. Speaks the protocol of
 * serveTasks (src/transcribe/worker-pool.ts); nothing is written to disk.
 */
import { workerData } from 'node:worker_threads';
import { initBackend } from '../backend/index.js';
import { loadModelFolder, type LoadedModel } from '../model/model-folder.js';
import { toWireError, serveTasks } from '../util/worker-pool.js';
import { transcribeRecording } from '../transcribe/transcribe.js';
import { setLogLevel } from '../util/log.js';
import type { ServerTask, ServerTaskResult, ServerWorkerInit } from './pool.js';

const init = workerData as ServerWorkerInit;
let model: LoadedModel;

/**
 * Test hook: with FIELDPHONE_TEST_SLOW=1, an upload named slow-<ms>.<ext>
 * waits <ms> before it is transcribed, so tests can fill the queue and pass
 * the time limit on purpose. Unset, it does nothing.
 */
async function slowHook(id: string): Promise<void> {
  const m = process.env.FIELDPHONE_TEST_SLOW === '1' ? /^slow-(\d+)$/.exec(id) : null;
  if (m) await new Promise((resolve) => setTimeout(resolve, Number(m[1])));
}

void serveTasks<ServerTask, ServerTaskResult>(
  async () => {
    // Quiet while starting: the server reports the backend once, not once per worker.
    setLogLevel('quiet');
    const backend = await initBackend();
    setLogLevel(init.logLevel);
    model = loadModelFolder(init.modelDir);
    return backend.name;
  },
  async (t) => {
    try {
      await slowHook(t.id);
      return { ok: true, transcript: await transcribeRecording(model, t.path, t.id) };
    } catch (e) {
      return { ok: false, error: toWireError(e) };
    }
  },
);
