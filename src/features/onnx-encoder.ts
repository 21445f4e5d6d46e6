/**
 * Frame features from a pretrained speech encoder (wav2vec 2.0, XLS-R, HuBERT,
 * MMS …) exported to ONNX, run with ONNX Runtime (src/backend/onnx.ts picks
 * CUDA or CPU).
 *
 * Interface expected of the export (docs/encoders.md shows how to make one):
 * one float32 waveform input [batch, samples] at 16 kHz (`input_values`; an
 * `attention_mask` input, if any, is fed ones), and frames on wav2vec 2.0's
 * grid, 400-sample receptive field every 320 samples, i.e. winMs 25 / hopMs 20
 * in config.ts terms, so numFrames() and frame times hold unchanged. The
 * frames come from one of:
 *  - a stacked `hidden_states` output [layers, batch, frames, dim] (or
 *    [batch, layers, …]), with `layer` picking one;
 *  - per-layer outputs `hidden_states.N` / `hidden_states_N` / `hidden_state_N`;
 *  - `last_hidden_state` or any named [batch, frames, dim] output.
 * Layer numbers follow Hugging Face: 0 is the input of the first transformer
 * block, N the output of block N (fairseq's `--layer L` is our L+1).
 *
 * Long recordings are encoded in chunks of `chunkSec`, each fed `contextSec`
 * of audio either side whose frames are dropped, so memory stays bounded and
 * frames near chunk edges still see context. Chunk starts are multiples of the
 * hop, so every chunk's frames lie on the recording's frame grid.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { createOnnxSession, loadOnnxRuntime, type OnnxProvider } from '../backend/onnx.js';
import { ArtifactError, FieldphoneError, InputFileError, UsageError, errorMessage } from '../util/errors.js';
import { log } from '../util/log.js';
import { matrix, type Matrix } from '../util/matrix.js';
import { makeRng } from '../util/rng.js';
import { type FeatureConfig, hopSamples, numFrames, resolveFeatureConfig, windowSamples } from './config.js';

export interface OnnxEncoderConfig {
  /** Absolute path of the .onnx file and its sha256, checked before the encoder is used. */
  path: string;
  sha256: string;
  /** Waveform input name. */
  input: string;
  /** Output read. */
  output: string;
  /** Hidden-state index (Hugging Face numbering); null for last_hidden_state or a named output. */
  layer: number | null;
  /** `output` holds all layers stacked (rank 4) and `layer` indexes it. */
  stacked: boolean;
  dim: number;
  /** Zero-mean, unit-variance waveform per recording (Hugging Face's do_normalize; XLS-R, MMS, large models). */
  normalize: boolean;
  chunkSec: number;
  contextSec: number;
}

export interface OnnxEncoderOptions {
  path: string;
  layer?: number;
  output?: string;
  normalize?: boolean;
  chunkSec?: number;
  contextSec?: number;
}

export const ONNX_FRAME_GRID = { sampleRate: 16000, winMs: 25, hopMs: 20 } as const;
export const DEFAULT_CHUNK_SEC = 20;
export const DEFAULT_CONTEXT_SEC = 1;
const ATTENTION_MASK = 'attention_mask';
const PER_LAYER_OUTPUT = /^hidden_states?[._]?(\d+)$/;

interface LoadedEncoder {
  session: InferenceSession;
  provider: OnnxProvider;
  input: string;
  feedMask: boolean;
}

// One session per encoder file and content, shared by every recording of the process.
const sessions = new Map<string, Promise<LoadedEncoder>>();

/** sha256 of a file, streamed (real encoders are 0.4–4 GB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Inspect an encoder, check it against the expected interface and return the
 * feature configuration to record (prepare-audio's `--features onnx`).
 */
export async function onnxFeatureConfig(opts: OnnxEncoderOptions): Promise<FeatureConfig> {
  const path = resolve(opts.path);
  if (!existsSync(path)) throw new InputFileError(path, 'ONNX encoder not found');
  if (!statSync(path).isFile()) throw new InputFileError(path, 'is a folder, not an .onnx file');
  if (opts.layer !== undefined && !(Number.isInteger(opts.layer) && opts.layer >= 0)) throw new UsageError(`--layer must be a non-negative integer, got ${opts.layer}`);
  const chunkSec = opts.chunkSec ?? DEFAULT_CHUNK_SEC, contextSec = opts.contextSec ?? DEFAULT_CONTEXT_SEC;
  if (!(chunkSec >= 1)) throw new UsageError(`encoder chunk length must be at least 1 s, got ${chunkSec}`);
  if (!(contextSec >= 0)) throw new UsageError(`encoder chunk context must be ≥ 0 s, got ${contextSec}`);
  const sha256 = await sha256File(path);
  const enc = await loadEncoder(path, sha256);
  const outputs = enc.session.outputNames;
  const output = chooseOutput(path, outputs, opts);
  // Two lengths that only the 400/320 grid maps to these frame counts.
  const grid = resolveFeatureConfig({ ...ONNX_FRAME_GRID, kind: 'logmel', deltas: false });
  const rng = makeRng(1);
  let shape: readonly number[] = [];
  for (const n of [ONNX_FRAME_GRID.sampleRate, ONNX_FRAME_GRID.sampleRate + 2 * hopSamples(grid) + 100]) {
    const wave = Float32Array.from({ length: n }, () => rng.normal() * 0.1);
    const t = await runOnce(enc, path, wave, output);
    shape = t.dims;
    const frames = shape[shape.length - 2];
    if (frames !== numFrames(n, grid))
      throw new InputFileError(path, `gives ${frames} frames for ${n} samples; fieldphone expects wav2vec 2.0's frame grid (400-sample window every 320 samples at 16 kHz: ${numFrames(n, grid)} frames)`);
  }
  const stacked = shape.length === 4;
  const layers = stacked ? shape[0] * shape[1] : 1;
  let layer: number | null = opts.layer ?? null;
  if (stacked) {
    if (layer === null) throw new UsageError(`${path}: output '${output}' holds ${layers} hidden states; choose one with --layer 0..${layers - 1}`);
    if (layer >= layers) throw new UsageError(`--layer ${layer} is out of range: ${path} has hidden states 0..${layers - 1} (0 = before the first transformer block)`);
  } else {
    const named = PER_LAYER_OUTPUT.exec(output);
    const namedLayer = named ? Number(named[1]) : null;
    if (layer !== null && layer !== namedLayer)
      throw new UsageError(`${path}: output '${output}' holds ${namedLayer === null ? "one layer's frames" : `hidden state ${namedLayer}`}, not ${layer}; leave out --layer or choose a stacked hidden_states output`);
    layer = namedLayer;
  }
  const encoder: OnnxEncoderConfig = {
    path,
    sha256,
    input: enc.input,
    output,
    layer,
    stacked,
    dim: shape[shape.length - 1],
    normalize: opts.normalize ?? true,
    chunkSec,
    contextSec,
  };
  log.info(`encoder: ${path} (${stacked ? `hidden state ${layer} of ${layers}` : `output '${output}'`}, ${encoder.dim}-dim, ONNX Runtime on ${enc.provider})`);
  return resolveFeatureConfig({ ...ONNX_FRAME_GRID, kind: 'onnx', deltas: false, encoder });
}

function chooseOutput(path: string, outputs: readonly string[], opts: OnnxEncoderOptions): string {
  const list = outputs.join(', ');
  if (opts.output !== undefined) {
    if (!outputs.includes(opts.output)) throw new UsageError(`${path} has no output '${opts.output}'; its outputs are: ${list}`);
    return opts.output;
  }
  if (opts.layer !== undefined) {
    if (outputs.includes('hidden_states')) return 'hidden_states';
    const perLayer = outputs.find((o) => Number(PER_LAYER_OUTPUT.exec(o)?.[1] ?? -1) === opts.layer);
    if (perLayer) return perLayer;
    throw new UsageError(`${path} has no output for hidden state ${opts.layer} (outputs: ${list}); export it with output_hidden_states (docs/encoders.md) or name the output with --encoder-output`);
  }
  if (outputs.includes('last_hidden_state')) return 'last_hidden_state';
  if (outputs.length === 1) return outputs[0];
  throw new UsageError(`${path} has several outputs (${list}); choose one with --layer N or --encoder-output NAME`);
}

/** Load (once per process) an encoder whose content must hash to sha256. */
function loadEncoder(path: string, sha256: string): Promise<LoadedEncoder> {
  const key = `${path}\n${sha256}`;
  let p = sessions.get(key);
  if (!p) {
    p = openEncoder(path);
    sessions.set(key, p);
    p.catch(() => sessions.delete(key));
  }
  return p;
}

async function openEncoder(path: string): Promise<LoadedEncoder> {
  let session: InferenceSession, provider: OnnxProvider;
  try {
    ({ session, provider } = await createOnnxSession(path));
  } catch (e) {
    if (e instanceof FieldphoneError) throw e;
    throw new InputFileError(path, `ONNX Runtime cannot load this model: ${errorMessage(e)}`);
  }
  const inputs = session.inputNames;
  const waveform = inputs.includes('input_values') ? ['input_values'] : inputs.filter((n) => n !== ATTENTION_MASK);
  const others = inputs.filter((n) => n !== waveform[0] && n !== ATTENTION_MASK);
  if (waveform.length !== 1 || others.length > 0)
    throw new InputFileError(path, `has inputs ${inputs.join(', ')}; fieldphone feeds one waveform input (input_values) and optionally attention_mask`);
  const meta = session.inputMetadata.find((m) => m.name === waveform[0]);
  if (meta?.isTensor && meta.type !== 'float32') throw new InputFileError(path, `input '${waveform[0]}' is ${meta.type}; expected a float32 waveform`);
  return { session, provider, input: waveform[0], feedMask: inputs.includes(ATTENTION_MASK) };
}

async function runOnce(enc: LoadedEncoder, path: string, wave: Float32Array, output: string): Promise<Tensor> {
  const { Tensor } = await loadOnnxRuntime();
  const feeds: Record<string, Tensor> = { [enc.input]: new Tensor('float32', wave, [1, wave.length]) };
  if (enc.feedMask) feeds[ATTENTION_MASK] = new Tensor('int64', new BigInt64Array(wave.length).fill(1n), [1, wave.length]);
  let res: InferenceSession.ReturnType;
  try {
    res = await enc.session.run(feeds, [output]);
  } catch (e) {
    throw new InputFileError(path, `running the encoder on ${wave.length} samples failed: ${errorMessage(e)}`);
  }
  const t = res[output];
  if (t.type !== 'float32') throw new InputFileError(path, `output '${output}' is ${t.type}; fieldphone reads float32 (export the model in float32)`);
  const d = t.dims;
  const batchOne = d.length === 3 ? d[0] === 1 : d.length === 4 && (d[0] === 1 || d[1] === 1);
  if (!batchOne)
    throw new InputFileError(path, `output '${output}' has shape [${d.join(', ')}]; expected [batch, frames, dim] or stacked layers [layers, batch, frames, dim]`);
  return t;
}

/** Frames [frames, dim] of one run: the chosen layer's slab (batch 1, so [L,1,T,D] and [1,L,T,D] agree). */
function framesOf(t: Tensor, cfg: OnnxEncoderConfig): Matrix {
  const d = t.dims;
  const rows = d[d.length - 2], cols = d[d.length - 1];
  const data = t.data as Float32Array;
  const start = cfg.stacked ? (cfg.layer ?? 0) * rows * cols : 0;
  return matrix(rows, cols, data.slice(start, start + rows * cols));
}

function normalised(x: Float32Array): Float32Array {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - mean) ** 2;
  // Hugging Face's Wav2Vec2FeatureExtractor: (x - mean) / sqrt(var + 1e-7).
  const scale = 1 / Math.sqrt(v / x.length + 1e-7);
  return Float32Array.from(x, (s) => (s - mean) * scale);
}

/** Encoder frames of a 16 kHz mono recording: numFrames(samples.length, cfg) × encoder.dim. */
export async function encodeWaveform(samples: Float32Array, cfg: FeatureConfig): Promise<Matrix> {
  const e = cfg.encoder;
  if (cfg.kind !== 'onnx' || !e) throw new Error('encodeWaveform needs an onnx feature config');
  await checkEncoderFile(e);
  const enc = await loadEncoder(e.path, e.sha256);
  const total = numFrames(samples.length, cfg);
  const out = matrix(total, e.dim);
  if (total === 0) return out;
  const x = e.normalize ? normalised(samples) : samples;
  const hop = hopSamples(cfg), win = windowSamples(cfg);
  const chunk = Math.max(1, Math.round((e.chunkSec * 1000) / cfg.hopMs));
  const context = Math.round((e.contextSec * 1000) / cfg.hopMs);
  for (let a = 0; a < total; a += chunk) {
    const b = Math.min(total, a + chunk);
    const a2 = Math.max(0, a - context), b2 = Math.min(total, b + context);
    const piece = x.slice(a2 * hop, (b2 - 1) * hop + win);
    const frames = framesOf(await runOnce(enc, e.path, piece, e.output), e);
    if (frames.rows !== b2 - a2 || frames.cols !== e.dim)
      throw new ArtifactError(e.path, `gave ${frames.rows} × ${frames.cols} frames for ${piece.length} samples; ${b2 - a2} × ${e.dim} were expected`);
    out.data.set(frames.data.subarray((a - a2) * e.dim, (b - a2) * e.dim), a * e.dim);
  }
  return out;
}

// Hashing a multi-GB model once per process is enough: later files reuse the verdict.
// The errors name the encoder in the message, not as `file`: callers report them against the recording.
const verified = new Map<string, Promise<void>>();

function checkEncoderFile(e: OnnxEncoderConfig): Promise<void> {
  const key = `${e.path}\n${e.sha256}`;
  let p = verified.get(key);
  if (!p) {
    p = (async () => {
      if (!existsSync(e.path))
        throw new FieldphoneError('missing-encoder', `ONNX encoder ${e.path} not found: these features were made with it (sha256 ${e.sha256}); put the same file back at that path`);
      const actual = await sha256File(e.path);
      if (actual !== e.sha256)
        throw new FieldphoneError('changed-encoder', `ONNX encoder ${e.path} has changed since the features were made (sha256 ${actual}, expected ${e.sha256}); frames from another encoder would not fit the k-means, PCA and model`);
    })();
    verified.set(key, p);
    p.catch(() => verified.delete(key));
  }
  return p;
}
