/**
 * Where ONNX models (pretrained speech encoders) run: the ONNX Runtime
 * counterpart of index.ts's tensor backend choice.
 *
 * onnxruntime-node is imported only when an encoder is used, so the rest of
 * the tool starts without it. Its npm package bundles the CPU provider; the
 * CUDA provider's libraries are downloaded by its install script, which the
 * project's .npmrc skips (offline installs). So: CUDA when its provider
 * library is present next to the binding (and CUDA 12 + cuDNN 9 load),
 * otherwise CPU. FIELDPHONE_ONNX_PROVIDER=cpu|cuda forces one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { MissingToolError, UsageError, errorMessage } from '../util/errors.js';
import { log } from '../util/log.js';

export type Ort = typeof import('onnxruntime-node');
export const ONNX_PROVIDERS = ['cuda', 'cpu'] as const;
export type OnnxProvider = (typeof ONNX_PROVIDERS)[number];

let ort: Promise<Ort> | undefined;

export function loadOnnxRuntime(): Promise<Ort> {
  ort ??= import('onnxruntime-node').catch((e: unknown) => {
    ort = undefined;
    throw new MissingToolError(`running an ONNX encoder needs the npm package onnxruntime-node, which could not be loaded (${errorMessage(e)}); run npm install in the fieldphone folder`);
  });
  return ort;
}

/** The CUDA provider library sits next to the native binding when the GPU files were installed. */
function cudaLibraryPresent(o: Ort): boolean {
  if (!o.listSupportedBackends().some((b) => b.name === 'cuda')) return false;
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    return existsSync(join(pkg, 'bin', 'napi-v6', process.platform, process.arch, lib));
  } catch {
    return false;
  }
}

/** Providers to try, best first. */
export function onnxProviderOrder(o: Ort, forced = process.env.FIELDPHONE_ONNX_PROVIDER): OnnxProvider[] {
  if (forced) {
    if (!(ONNX_PROVIDERS as readonly string[]).includes(forced))
      throw new UsageError(`FIELDPHONE_ONNX_PROVIDER must be one of ${ONNX_PROVIDERS.join(', ')}, got '${forced}'`);
    return [forced as OnnxProvider];
  }
  return cudaLibraryPresent(o) ? ['cuda', 'cpu'] : ['cpu'];
}

/**
 * An inference session on the best provider that starts. A forced provider
 * must work; otherwise a CUDA failure (missing CUDA/cuDNN libraries, no GPU)
 * falls back to CPU with a warning.
 */
export async function createOnnxSession(model: string | Uint8Array): Promise<{ session: InferenceSession; provider: OnnxProvider }> {
  const o = await loadOnnxRuntime();
  const order = onnxProviderOrder(o);
  let lastError: unknown;
  for (const provider of order) {
    try {
      // Severity 3 = errors only: ORT's graph-optimisation warnings are noise for users.
      const options: InferenceSession.SessionOptions = { executionProviders: [provider], logSeverityLevel: 3 };
      const session = typeof model === 'string' ? await o.InferenceSession.create(model, options) : await o.InferenceSession.create(model, options);
      return { session, provider };
    } catch (e) {
      lastError = e;
      if (provider !== order[order.length - 1]) log.warn(`ONNX Runtime: the ${provider} provider did not start (${errorMessage(e)}); trying ${order[order.indexOf(provider) + 1]}`);
      else if (provider === 'cuda')
        throw new MissingToolError(`ONNX Runtime's cuda provider did not start (${errorMessage(e)}); it needs its provider files (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node) and CUDA 12 + cuDNN 9 (docs/encoders.md)`);
    }
  }
  throw lastError;
}
