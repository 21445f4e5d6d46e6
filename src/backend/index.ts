/**
 * The one place that decides where tensors run. Everything else imports `tf`
 * from here and never names a backend.
 *
 * Order of preference: tfjs-node-gpu (CUDA) → tfjs-node (native CPU) → wasm
 * (ships its binary in the npm package, works offline) → cpu (pure JS, slow).
 * The native packages are optional dependencies: their install downloads
 * libtensorflow and fails offline, in which case npm simply leaves them out.
 */
import * as tf from '@tensorflow/tfjs-core';
import { log } from '../util/log.js';
import { UsageError } from '../util/errors.js';

export { tf };

export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendInfo {
  name: BackendName;
  /** The tfjs backend id actually active (tfjs-node-gpu registers as 'tensorflow' too). */
  tfBackend: string;
  threads?: number;
}

let active: BackendInfo | undefined;

async function tryNative(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
    return tf.findBackend('tensorflow') !== undefined;
  } catch {
    return false;
  }
}

async function activate(name: BackendName): Promise<BackendInfo | undefined> {
  switch (name) {
    case 'tensorflow-gpu':
      if (!(await tryNative('@tensorflow/tfjs-node-gpu'))) return undefined;
      await tf.setBackend('tensorflow');
      return { name, tfBackend: 'tensorflow' };
    case 'tensorflow':
      if (!(await tryNative('@tensorflow/tfjs-node'))) return undefined;
      await tf.setBackend('tensorflow');
      return { name, tfBackend: 'tensorflow' };
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const threads = Number(process.env.FIELDPHONE_THREADS ?? 0) || undefined;
      if (threads) wasm.setThreadsCount(threads);
      if (!(await tf.setBackend('wasm'))) return undefined;
      await tf.ready();
      return { name, tfBackend: 'wasm', threads: wasm.getThreadsCount?.() };
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      await tf.setBackend('cpu');
      await tf.ready();
      return { name, tfBackend: 'cpu' };
  }
}

/**
 * Pick and activate a backend. `forced` (from --backend or FIELDPHONE_BACKEND)
 * must work or this throws; otherwise the first that works wins. Idempotent.
 */
export async function initBackend(forced?: string): Promise<BackendInfo> {
  const want = forced ?? process.env.FIELDPHONE_BACKEND;
  if (active && (!want || want === active.name)) return active;
  if (want) {
    if (!(BACKENDS as readonly string[]).includes(want))
      throw new UsageError(`unknown backend '${want}'; choose one of: ${BACKENDS.join(', ')}`);
    const info = await activate(want as BackendName);
    if (!info)
      throw new UsageError(
        `backend '${want}' is not available: ${want.startsWith('tensorflow') ? 'install @tensorflow/tfjs-node' + (want === 'tensorflow-gpu' ? '-gpu (needs CUDA 11.2 + cuDNN 8.1)' : '') : 'it failed to start'}`,
      );
    active = info;
  } else {
    for (const name of BACKENDS) {
      const info = await activate(name);
      if (info) {
        active = info;
        break;
      }
    }
    if (!active) throw new Error('no tensor backend could be started');
  }
  log.info(`backend: ${active.name}${active.threads ? ` (${active.threads} threads)` : ''}`);
  return active;
}

export function activeBackend(): BackendInfo | undefined {
  return active;
}
