/**
 * The server's transcribers: N worker threads, each with its own copy of the
 * model (one load per worker), fed from one FIFO queue. Transcription is CPU
 * work; in threads it uses N cores and leaves the event loop free to accept,
 * refuse and time out requests meanwhile.
 *
 * Admission is by reservation: a request takes a place (running or waiting)
 * when it arrives, before its upload, so at most `workers + queue` uploads
 * are ever on disk and a full server refuses at once (503) instead of after
 * the client has sent the whole file.
 */
import { Worker } from 'node:worker_threads';
import type { RecordingTranscript } from '../transcribe/transcribe.js';
import { fromWireError, type WireError } from '../util/worker-pool.js';
import { errorMessage } from '../util/errors.js';
import { log, type LogLevel } from '../util/log.js';

export interface PoolOptions {
  modelDir: string;
  /** Worker threads (transcriptions at the same time). */
  workers: number;
  /** Requests that may wait for a worker beyond those running. */
  queue: number;
  logLevel: LogLevel;
}

export interface ServerWorkerInit {
  modelDir: string;
  logLevel: LogLevel;
}
export interface ServerTask {
  path: string;
  id: string;
}
export type ServerTaskResult = { ok: true; transcript: RecordingTranscript } | { ok: false; error: WireError };

/** What a worker says, in the protocol of serveTasks (src/transcribe/worker-pool.ts). */
type FromWorker = { type: 'ready'; info: unknown } | { type: 'init-failed'; error: WireError } | { type: 'result'; result: ServerTaskResult };

export interface JobSignals {
  /** Stop the job wherever it is: dequeue it, or end the worker running it (a timeout). */
  stop: AbortSignal;
  /** The result is no longer wanted: dequeue it if it has not started, else let it finish. */
  abandon?: AbortSignal;
}

export interface Reservation {
  transcribe(path: string, id: string, signals: JobSignals): Promise<RecordingTranscript>;
  /** Give the place back (idempotent). */
  release(): void;
}

export interface PoolStatus {
  workers: number;
  ready: number;
  running: number;
  waiting: number;
  /** Places taken, including requests still uploading. */
  reserved: number;
  capacity: number;
}

interface Job {
  path: string;
  uttId: string;
  resolve(t: RecordingTranscript): void;
  reject(e: unknown): void;
  slot?: Slot;
  startedAt?: number;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
  /** Why this worker is being ended on purpose (its job's error), if it is. */
  stopping?: unknown;
}

const WORKER_URL = new URL('./transcribe-worker.js', import.meta.url);
/** Wait before starting a replacement for a worker that failed to start. */
const RESPAWN_DELAY_MS = 2000;

export class TranscriberPool {
  private readonly slots = new Set<Slot>();
  private readonly waiting: Job[] = [];
  private reserved = 0;
  /** Running mean of job seconds, for Retry-After. */
  private meanJobSec = 1;
  private closed = false;
  backend = '';

  private constructor(private readonly o: PoolOptions) {}

  /** Start every worker and wait until each has loaded the model; a model that cannot load rejects with its error. */
  static async start(o: PoolOptions): Promise<TranscriberPool> {
    const pool = new TranscriberPool(o);
    try {
      await Promise.all(Array.from({ length: o.workers }, () => pool.spawn()));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  reserve(): Reservation | undefined {
    if (this.closed || this.reserved >= this.o.workers + this.o.queue) return undefined;
    this.reserved++;
    let held = true;
    return {
      transcribe: (path, id, signals) => this.submit(path, id, signals),
      release: () => {
        if (held) this.reserved--;
        held = false;
      },
    };
  }

  status(): PoolStatus {
    const slots = [...this.slots];
    return {
      workers: this.o.workers,
      ready: slots.filter((s) => s.ready).length,
      running: slots.filter((s) => s.job).length,
      waiting: this.waiting.length,
      reserved: this.reserved,
      capacity: this.o.workers + this.o.queue,
    };
  }

  /** Seconds until a place is likely free: the places taken, worked off by all workers at the mean job time. */
  retryAfterSec(): number {
    return Math.min(300, Math.max(1, Math.ceil((this.meanJobSec * Math.max(1, this.reserved)) / this.o.workers)));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) job.reject(new Error('the server is shutting down'));
    await Promise.all([...this.slots].map((s) => this.stop(s, new Error('the server is shutting down'))));
  }

  private submit(path: string, uttId: string, signals: JobSignals): Promise<RecordingTranscript> {
    return new Promise<RecordingTranscript>((resolve, reject) => {
      const done = () => {
        signals.stop.removeEventListener('abort', onStop);
        signals.abandon?.removeEventListener('abort', onAbandon);
      };
      const job: Job = {
        path,
        uttId,
        resolve: (t) => (done(), resolve(t)),
        reject: (e) => (done(), reject(e)),
      };
      const dequeue = (why: unknown) => {
        const i = this.waiting.indexOf(job);
        if (i < 0) return false;
        this.waiting.splice(i, 1);
        job.reject(why);
        return true;
      };
      const onStop = () => {
        if (!dequeue(signals.stop.reason) && job.slot) void this.stop(job.slot, signals.stop.reason);
      };
      const onAbandon = () => dequeue(signals.abandon!.reason);
      if (this.closed) return reject(new Error('the server is shutting down'));
      if (signals.stop.aborted) return reject(signals.stop.reason);
      signals.stop.addEventListener('abort', onStop);
      signals.abandon?.addEventListener('abort', onAbandon);
      this.waiting.push(job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (!slot.ready || slot.job || slot.stopping !== undefined) continue;
      const job = this.waiting.shift()!;
      slot.job = job;
      job.slot = slot;
      job.startedAt = performance.now();
      const task: ServerTask = { path: job.path, id: job.uttId };
      slot.worker.postMessage({ type: 'task', task });
    }
  }

  /** Start one worker; resolves when its model is loaded. */
  private spawn(): Promise<void> {
    const init: ServerWorkerInit = { modelDir: this.o.modelDir, logLevel: this.o.logLevel };
    const worker = new Worker(WORKER_URL, { workerData: init });
    const slot: Slot = { worker, ready: false };
    this.slots.add(slot);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'ready':
            slot.ready = true;
            this.backend = String(m.info);
            resolve();
            this.dispatch();
            return;
          case 'init-failed':
            slot.stopping = fromWireError(m.error);
            void worker.terminate();
            return;
          case 'result': {
            const job = slot.job;
            if (!job) return;
            slot.job = undefined;
            const sec = (performance.now() - job.startedAt!) / 1000;
            this.meanJobSec = 0.8 * this.meanJobSec + 0.2 * sec;
            if (m.result.ok) job.resolve(m.result.transcript);
            else job.reject(fromWireError(m.result.error));
            this.dispatch();
          }
        }
      });
      worker.on('error', (e) => {
        if (slot.stopping === undefined) slot.stopping = new Error(`a transcription worker failed: ${errorMessage(e)}`);
      });
      worker.on('exit', (code) => {
        this.slots.delete(slot);
        const why = slot.stopping ?? new Error(`a transcription worker stopped unexpectedly (exit code ${code})`);
        slot.job?.reject(why);
        if (!slot.ready) return reject(why);
        if (this.closed) return;
        // Keep the pool at full strength: a replacement loads the model again.
        this.respawn();
      });
    });
  }

  private respawn(): void {
    this.spawn().catch((e: unknown) => {
      log.error(`a transcription worker could not restart: ${errorMessage(e)}; retrying`);
      setTimeout(() => this.closed || this.respawn(), RESPAWN_DELAY_MS).unref();
    });
  }

  private stop(slot: Slot, why: unknown): Promise<number> {
    if (slot.stopping === undefined) slot.stopping = why;
    return slot.worker.terminate();
  }
}
