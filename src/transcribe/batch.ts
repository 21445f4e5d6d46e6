/**
 * Transcribing a corpus, up to archive size (100k files): recordings are
 * handed one at a time to a pool of worker threads (worker.ts), each holding
 * its own copy of the model, and each worker writes a recording's outputs as
 * soon as it is done. What stays in memory is the list of paths (with their
 * ids), a byte per recording and the failures.
 *
 * Reruns skip recordings whose outputs all exist; a recording that fails, or
 * whose worker crashes, is reported and the batch goes on. Ctrl-C lets the
 * recordings in progress finish (a second Ctrl-C, or SIGTERM, stops at once
 * and removes their partial temporary files); either way every output under
 * its final name is complete, and a rerun continues.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { listCorpus } from '../audio/index.js';
import type { BackendInfo } from '../backend/index.js';
import { utteranceIds } from '../pipeline/utterance-ids.js';
import { ArtifactError, UsageError } from '../util/errors.js';
import { assertNotInput } from '../util/fsx.js';
import { getLogLevel, log } from '../util/log.js';
import { startProgress } from '../util/progress.js';
import { transcriptOutputPath, type TranscriptFormat } from './outputs.js';
import type { FileResult, FileTask, TranscribeWorkerInit } from './worker.js';
import { WorkerPool } from '../util/worker-pool.js';
import type { WordDecoderOptions } from '../lexicon/index.js';

export interface TranscribeBatchOptions {
  modelDir: string;
  inputs: string[];
  outDir: string;
  formats: TranscriptFormat[];
  /** Redo recordings whose outputs already exist. */
  overwrite?: boolean;
  /** Worker threads (default: one per core); never more than there are recordings to do. */
  workers?: number;
  /** Word decoding settings (defaults: DEFAULT_WORD_DECODER_OPTIONS). */
  wordOptions?: Partial<WordDecoderOptions>;
}

export interface TranscribeSummary {
  ok: number;
  alreadyDone: number;
  failed: { path: string; reason: string }[];
  /** Duration of the recordings transcribed in this run. */
  audioHours: number;
  seconds: number;
  xRealTime: number;
  /** Worker threads used (0 when there was nothing to do). */
  workers: number;
  /** Stopped by Ctrl-C / SIGTERM before every recording was done. */
  interrupted: boolean;
}

/** The compiled worker next to this module (dist/src/transcribe/worker.js). */
const WORKER_URL = new URL('./worker.js', import.meta.url);

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Every worker must run the same backend, or outputs would depend on the
 * worker. tfjs-node's native addon loads in one thread of a process only
 * (tensorflow/tfjs#8388), so workers run wasm unless a backend is forced
 * (--backend / FIELDPHONE_BACKEND); a forced native one gets a single worker,
 * whose TensorFlow threads use the cores.
 */
function workerBackend(): { backend: string; maxWorkers: number } {
  const forced = process.env.FIELDPHONE_BACKEND;
  if (forced?.startsWith('tensorflow')) return { backend: forced, maxWorkers: 1 };
  return { backend: forced ?? 'wasm', maxWorkers: Infinity };
}

/**
 * Transcribe a corpus into outDir/<id>.<ext>, one file per format. Recordings whose outputs all
 * exist are skipped (so an interrupted batch continues), and a recording that
 * fails is reported without stopping the batch.
 */
export async function transcribeBatch(o: TranscribeBatchOptions): Promise<TranscribeSummary> {
  if (o.formats.length === 0) throw new UsageError('no output format given');
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 1))
    throw new UsageError(`--workers must be a positive integer, got ${o.workers}`);
  // Only a quick look before listing the corpus; each worker checks the whole model folder as it loads it.
  if (!existsSync(o.modelDir)) throw new ArtifactError(o.modelDir, 'model folder not found');
  const t0 = Date.now();
  const paths: string[] = [];
  // A loop, not push(...list): spreading 100k+ arguments overflows the stack.
  for (const inp of o.inputs) for (const p of await listCorpus(inp)) paths.push(p);
  const ids = utteranceIds(paths);
  const outDir = resolve(o.outDir);
  assertNotInput(outDir, paths);
  const outputsOf = (i: number) => o.formats.map((f) => transcriptOutputPath(outDir, ids[i], f));

  const summary: TranscribeSummary = { ok: 0, alreadyDone: 0, failed: [], audioHours: 0, seconds: 0, xRealTime: 0, workers: 0, interrupted: false };
  const skip = new Uint8Array(paths.length);
  if (!o.overwrite)
    for (let i = 0; i < paths.length; i++)
      if (outputsOf(i).every((p) => existsSync(p))) {
        skip[i] = 1;
        summary.alreadyDone++;
      }
  const todo = paths.length - summary.alreadyDone;
  const bar = startProgress('transcribing', paths.length);
  if (summary.alreadyDone > 0) bar.tick(summary.alreadyDone);

  if (todo > 0) {
    const { backend, maxWorkers } = workerBackend();
    const wanted = o.workers ?? defaultWorkers();
    if (wanted > maxWorkers) log.info(`backend ${backend} runs in one thread per process: 1 worker`);
    summary.workers = Math.min(wanted, maxWorkers, todo);
    try {
      await runPool(summary, {
        size: summary.workers,
        init: { modelDir: o.modelDir, backend, formats: o.formats, logLevel: getLogLevel(), wordOptions: o.wordOptions ?? {} },
        paths,
        ids,
        skip,
        outputsOf,
        tick: () => bar.tick(1),
      });
    } finally {
      bar.stop();
    }
  } else bar.stop();
  summary.seconds = (Date.now() - t0) / 1000;
  summary.xRealTime = summary.seconds > 0 ? (summary.audioHours * 3600) / summary.seconds : 0;
  logSummary(summary, outDir);
  return summary;
}

interface PoolRun {
  size: number;
  init: TranscribeWorkerInit;
  paths: string[];
  ids: string[];
  /** 1 = not to be transcribed in this run. */
  skip: Uint8Array;
  outputsOf(i: number): string[];
  tick(): void;
}

async function runPool(summary: TranscribeSummary, r: PoolRun): Promise<void> {
  const pool = new WorkerPool<FileTask, FileResult>({ url: WORKER_URL, size: r.size, workerData: r.init });
  const fail = (path: string, reason: string) => {
    summary.failed.push({ path, reason });
    log.warn(`failed: ${path}: ${reason}`);
  };
  let aborting: Promise<void> | undefined;
  const abort = () => {
    summary.interrupted = true;
    aborting ??= pool.abort().then((running) => {
      for (const t of running) removeTemporaryFiles(t.outputs);
      if (running.length) log.warn(`stopped: ${running.length} recording(s) in progress left for the next run`);
    });
  };
  const interrupt = () => {
    if (summary.interrupted) return abort();
    summary.interrupted = true;
    log.warn('interrupted: finishing the recordings in progress (Ctrl-C again to stop at once); a rerun continues with the rest');
    pool.stop();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', abort);
  try {
    try {
      const backend = (await pool.started()) as BackendInfo;
      log.info(`backend: ${backend.name}${backend.threads ? ` (${backend.threads} thread${backend.threads > 1 ? 's' : ''} each)` : ''}, ${r.size} worker${r.size > 1 ? 's' : ''}`);
    } catch (e) {
      if (!summary.interrupted) throw e;
    }
    let next = 0;
    await pool.run({
      next() {
        while (next < r.paths.length && r.skip[next]) next++;
        if (next >= r.paths.length) return undefined;
        const i = next++;
        return { index: i, path: r.paths[i], id: r.ids[i], outputs: r.outputsOf(i) };
      },
      result(t, res) {
        if (res.ok) {
          summary.ok++;
          summary.audioHours += res.durationSec / 3600;
        } else fail(t.path, res.reason);
        r.tick();
      },
      crashed(t, reason) {
        removeTemporaryFiles(t.outputs);
        fail(t.path, reason);
        r.tick();
      },
    });
    await aborting;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', abort);
    await pool.close();
  }
}

/**
 * Temporary files of outputs whose worker was stopped mid-write. Their names
 * are writeFileAtomic's (src/util/fsx.ts): `<output>.tmp-<pid>-<random>`, and
 * worker threads share the process id.
 */
function removeTemporaryFiles(outputs: string[]): void {
  const listings = new Map<string, string[]>();
  for (const out of outputs) {
    const dir = dirname(out);
    if (!listings.has(dir)) listings.set(dir, existsSync(dir) ? readdirSync(dir) : []);
    const prefix = `${basename(out)}.tmp-${process.pid}-`;
    for (const n of listings.get(dir)!) if (n.startsWith(prefix)) rmSync(join(dir, n), { force: true });
  }
}

function logSummary(s: TranscribeSummary, outDir: string): void {
  log.info(
    `transcribed ${s.ok} recordings (${s.audioHours.toFixed(2)} h, ${s.xRealTime.toFixed(s.xRealTime < 10 ? 1 : 0)}× real time, ${s.workers} worker${s.workers === 1 ? '' : 's'})` +
      `${s.alreadyDone ? `, ${s.alreadyDone} already done` : ''}${s.failed.length ? `, ${s.failed.length} failed` : ''}` +
      `${s.interrupted ? ', interrupted' : ''} → ${outDir}`,
  );
  if (s.failed.length === 0) return;
  // Each failure was warned about as it happened; here the reasons are counted, most common first.
  const counts = new Map<string, number>();
  for (const f of s.failed) counts.set(f.reason, (counts.get(f.reason) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = top.slice(0, 5).map(([reason, n]) => `${n}× ${reason}`);
  if (top.length > 5) shown.push(`${top.length - 5} other reasons`);
  log.info(`failures: ${shown.join('; ')}`);
}
