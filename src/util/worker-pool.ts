/**
 * A pool of worker threads for batches of independent tasks. Each worker
 * starts once (loads what it needs), then takes tasks one at a time as it
 * becomes free: dynamic scheduling, so one long task never holds up the
 * others. A worker that dies mid-task (out of memory, a crash in native or
 * wasm code) fails only that task and is replaced; a worker that cannot start
 * is an error for the whole pool when it is one of the first, since the others
 * would fail the same way.
 *
 * Protocol (the worker side is serveTasks below):
 *   worker → pool  { type: 'ready', info }  once started, or { type: 'init-failed', error }
 *   pool → worker  { type: 'task', task }   only when the worker is idle
 *   worker → pool  { type: 'result', result }
 */
import { Worker, parentPort, type ResourceLimits } from 'node:worker_threads';
import { ArtifactError, FieldphoneError, InputFileError, MissingToolError, UsageError, errorMessage } from './errors.js';
import { log } from './log.js';

/** An error as it crosses the thread boundary (structured cloning keeps neither the class nor `file`). */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  file?: string;
}

type WorkerMessage<R> = { type: 'ready'; info: unknown } | { type: 'init-failed'; error: WireError } | { type: 'result'; result: R };
interface TaskMessage<T> {
  type: 'task';
  task: T;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof FieldphoneError) return { name: e.name, message: e.message, code: e.code, file: e.file };
  return { name: e instanceof Error ? e.name : 'Error', message: errorMessage(e) };
}

/** The error again, as the class it was thrown as, so the CLI reports it the same way as in one thread. */
export function fromWireError(w: WireError): Error {
  if (w.code !== undefined) {
    const msg = w.file ? w.message.slice(w.file.length + 2) : w.message;
    if (w.name === 'ArtifactError' && w.file) return new ArtifactError(w.file, msg);
    if (w.name === 'InputFileError' && w.file) return new InputFileError(w.file, msg, w.code);
    if (w.name === 'UsageError') return new UsageError(msg);
    if (w.name === 'MissingToolError') return new MissingToolError(msg);
    return new FieldphoneError(w.code, msg, w.file);
  }
  const e = new Error(w.message);
  e.name = w.name;
  return e;
}

/** Worker side: start once, then answer each task with handle(task). */
export async function serveTasks<T, R>(start: () => Promise<unknown>, handle: (task: T) => Promise<R>): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serveTasks runs inside a worker thread');
  let info: unknown;
  try {
    info = await start();
  } catch (e) {
    // The pool terminates this worker when it reads the message.
    port.postMessage({ type: 'init-failed', error: toWireError(e) } satisfies WorkerMessage<R>);
    return;
  }
  port.on('message', (m: TaskMessage<T>) => {
    handle(m.task).then(
      (result) => port.postMessage({ type: 'result', result } satisfies WorkerMessage<R>),
      // handle() reports expected failures in its result; anything else is a crash of this worker.
      (e) =>
        setImmediate(() => {
          throw e;
        }),
    );
  });
  port.postMessage({ type: 'ready', info } satisfies WorkerMessage<R>);
}

export interface PoolOptions {
  /** The worker script (compiled JS: resolve it relative to import.meta.url so it is found from dist/). */
  url: URL;
  size: number;
  workerData: unknown;
  resourceLimits?: ResourceLimits;
}

export interface PoolHandlers<T, R> {
  /** The next task, or undefined when there are no more. */
  next(): T | undefined;
  result(task: T, result: R): void;
  /** The worker running `task` died; `reason` says how. */
  crashed(task: T, reason: string): void;
}

interface Slot<T> {
  worker: Worker;
  ready: boolean;
  busy?: T;
  /** Set when the pool itself ends the worker, so its exit is not a crash. */
  closing?: boolean;
  error?: Error;
  initError?: Error;
}

export class WorkerPool<T, R> {
  private readonly slots = new Set<Slot<T>>();
  private readonly firstStart: Promise<unknown>;
  private handlers?: PoolHandlers<T, R>;
  private stopping = false;
  private closed = false;
  private running?: { resolve(): void; reject(e: Error): void };

  /** Starts `size` workers at once; started() says when they are ready. */
  constructor(private readonly o: PoolOptions) {
    const starts = Array.from({ length: Math.max(1, o.size) }, () => this.spawn());
    // Every start is awaited, so a second failure is not an unhandled rejection.
    this.firstStart = Promise.allSettled(starts).then((r) => {
      const failed = r.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failed) throw failed.reason;
      return (r[0] as PromiseFulfilledResult<unknown>).value;
    });
  }

  /** Resolves with the first worker's `info` once all have started; rejects with the first start error (the pool is then closed). */
  async started(): Promise<unknown> {
    try {
      return await this.firstStart;
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  /**
   * Hand out tasks until handlers.next() has none left (or stop() is called) and every running
   * task has finished. The pool can run again afterwards, with new handlers, until it is closed.
   */
  run(handlers: PoolHandlers<T, R>): Promise<void> {
    if (this.closed) throw new Error('the worker pool is closed');
    if (this.slots.size === 0) return Promise.reject(new Error('no worker thread is left in the pool'));
    this.handlers = handlers;
    this.stopping = false;
    const done = new Promise<void>((resolve, reject) => (this.running = { resolve, reject }));
    for (const s of this.slots) this.dispatch(s);
    this.settle();
    return done;
  }

  /** No new tasks; run() resolves once the running ones have finished. */
  stop(): void {
    this.stopping = true;
    this.settle();
  }

  /** End every worker now; returns the tasks that were running (their results never come). */
  async abort(): Promise<T[]> {
    this.stopping = true;
    const running = [...this.slots].flatMap((s) => (s.busy === undefined ? [] : [s.busy]));
    await this.close();
    this.running?.resolve();
    return running;
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.closed = true;
    await Promise.all(
      [...this.slots].map((s) => {
        s.closing = true;
        return s.worker.terminate();
      }),
    );
  }

  private spawn(): Promise<unknown> {
    const worker = new Worker(this.o.url, { workerData: this.o.workerData, resourceLimits: this.o.resourceLimits });
    const slot: Slot<T> = { worker, ready: false };
    this.slots.add(slot);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: WorkerMessage<R>) => {
        if (m.type === 'ready') {
          slot.ready = true;
          resolve(m.info);
          this.dispatch(slot);
        } else if (m.type === 'init-failed') {
          slot.initError = fromWireError(m.error);
          void worker.terminate();
        } else {
          const task = slot.busy as T;
          slot.busy = undefined;
          this.handlers?.result(task, m.result);
          this.dispatch(slot);
          this.settle();
        }
      });
      worker.on('error', (e) => (slot.error = e));
      worker.on('exit', (code) => {
        this.slots.delete(slot);
        if (!slot.ready) {
          reject(slot.initError ?? slot.error ?? new Error(`worker thread stopped while starting (exit code ${code})`));
          return;
        }
        if (slot.closing) return;
        const reason = slot.error ? `worker crashed: ${slot.error.message}` : `worker thread stopped (exit code ${code})`;
        if (slot.busy !== undefined) {
          const task = slot.busy;
          slot.busy = undefined;
          this.handlers?.crashed(task, reason);
        }
        if (!this.stopping) this.replace(reason);
        this.settle();
      });
    });
  }

  private replace(why: string): void {
    log.warn(`${why}; starting a new worker`);
    this.spawn().then(
      () => undefined,
      (e: Error) => {
        if (this.closed) return; // closed by the pool while starting
        log.warn(`a replacement worker could not start: ${errorMessage(e)}`);
        if (this.slots.size === 0) this.running?.reject(e);
      },
    );
  }

  private dispatch(slot: Slot<T>): void {
    if (!this.handlers || this.stopping || !slot.ready || slot.busy !== undefined || slot.closing) return;
    const task = this.handlers.next();
    if (task === undefined) {
      this.stopping = true;
      this.settle();
      return;
    }
    slot.busy = task;
    slot.worker.postMessage({ type: 'task', task } satisfies TaskMessage<T>);
  }

  private settle(): void {
    if (!this.running || !this.stopping) return;
    if ([...this.slots].some((s) => s.busy !== undefined)) return;
    this.running.resolve();
  }
}

/**
 * Every task on a pool of `size` workers started for them, the results in task order
 * (runTasks); the pool is closed afterwards.
 */
export async function runAllTasks<T, R>(o: {
  url: URL;
  size: number;
  workerData: unknown;
  tasks: T[];
  describe: (task: T) => string;
  onResult?: (task: T, done: number) => void;
}): Promise<R[]> {
  const pool = new WorkerPool<T, R>({ url: o.url, size: o.size, workerData: o.workerData });
  try {
    await pool.started();
    return await runTasks(pool, o.tasks, o.describe, o.onResult);
  } finally {
    await pool.close();
  }
}

/**
 * Every task on a started pool, the results in task order. The first task whose worker
 * dies stops the handing out of tasks, and its error is thrown once the running ones have
 * finished; `describe` names the task in that error.
 */
export async function runTasks<T, R>(pool: WorkerPool<T, R>, tasks: T[], describe: (task: T) => string, onResult?: (task: T, done: number) => void): Promise<R[]> {
  const results: R[] = new Array(tasks.length);
  const position = new Map(tasks.map((t, i) => [t, i]));
  let failure: Error | undefined;
  let next = 0;
  let done = 0;
  await pool.run({
    next: () => (failure ? undefined : tasks[next++]),
    result: (t, r) => {
      results[position.get(t) as number] = r;
      onResult?.(t, ++done);
    },
    crashed: (t, reason) => {
      failure ??= new Error(`${describe(t)}: ${reason}`);
      pool.stop();
    },
  });
  if (failure) throw failure;
  return results;
}
