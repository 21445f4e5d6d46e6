/**
 * The pretrained encoder's folder, and frame features from it (feature kind 'ssl').
 *
 *   encoder.bin     weights (tensor file; its meta holds the encoder configuration)
 *   layers.json     label-free score of every hidden state and the chosen layer (layers.ts)
 *   manifest.json   stage 'pretrain': encoder and input-feature configuration, run, statistics
 *
 * A feature configuration of kind 'ssl' names the folder and the sha256 of
 * encoder.bin; extraction computes the folder's input features (MFCC / log-mel
 * at 10 ms) from the waveform, normalises them per recording, runs the encoder
 * and keeps hidden state `layer`, one row per `stack` input frames. Its grid in
 * config.ts terms is winMs = win + (stack−1)·hop, hopMs = stack·hop (35 / 20 for
 * MFCC pairs): numFrames() then equals the step count exactly and
 * frameCenterTime() is the mean of the stacked frames' centres.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend } from '../backend/index.js';
import { computeFeatures, resolveFeatureConfig, sha256File, type FeatureConfig } from '../features/index.js';
import { ArtifactError, UsageError } from '../util/errors.js';
import { readJson } from '../util/fsx.js';
import { readManifest, writeManifest } from '../util/manifest.js';
import type { Matrix } from '../util/matrix.js';
import { readTensorFile, writeTensorFile } from '../util/tensor-file.js';
import type { PretrainConfig } from './config.js';
import { encoderInput } from './data.js';
import { SslEncoder, type EncoderConfig } from './encoder.js';
import type { LayerReport } from './layers.js';

export const PRETRAIN_STAGE = 'pretrain';
export const PRETRAIN_FORMAT = 1;
export const ENCODER_FILES = { weights: 'encoder.bin', layers: 'layers.json' } as const;
const WEIGHTS_KIND = 'ssl-encoder';

/** What a feature configuration of kind 'ssl' records about its encoder. */
export interface SslEncoderRef {
  /** Absolute path of the encoder folder, and the sha256 of its encoder.bin. */
  path: string;
  sha256: string;
  layer: number;
  dim: number;
}

export interface EncoderFolderConfig {
  encoder: EncoderConfig;
  /** The 10 ms frames the encoder reads. */
  input: FeatureConfig;
  pretrain: PretrainConfig;
}

export function writeEncoderFolder(dir: string, cfg: EncoderFolderConfig, enc: SslEncoder, inputs: unknown, stats: Record<string, unknown>): void {
  writeEncoderWeights(join(dir, ENCODER_FILES.weights), enc, cfg.encoder);
  writeManifest(dir, { stage: PRETRAIN_STAGE, formatVersion: PRETRAIN_FORMAT, config: cfg, inputs, outputs: [ENCODER_FILES.weights, ENCODER_FILES.layers], stats });
}

/** An encoder's weights on their own (the folder's encoder.bin, or a run's iteration-N.bin). */
export function writeEncoderWeights(path: string, enc: SslEncoder, cfg: EncoderConfig): void {
  writeTensorFile(path, WEIGHTS_KIND, enc.getWeights(), { encoder: cfg });
}

export function loadEncoderWeights(path: string, cfg: EncoderConfig, seed = 0): SslEncoder {
  const { tensors } = readTensorFile(path, WEIGHTS_KIND, 'encoder weights');
  const enc = new SslEncoder(cfg, seed);
  enc.setWeights(tensors, path);
  return enc;
}

export interface LoadedEncoderFolder {
  dir: string;
  config: EncoderFolderConfig;
  encoder: SslEncoder;
  sha256: string;
  layers?: LayerReport;
}

/** Read an encoder folder; `sha256`, when given, must match encoder.bin (a configuration made with it). */
export async function loadEncoderFolder(dir: string, sha256?: string): Promise<LoadedEncoderFolder> {
  await initBackend();
  const m = readManifest<EncoderFolderConfig>(dir, PRETRAIN_STAGE, PRETRAIN_FORMAT);
  const path = join(dir, ENCODER_FILES.weights);
  if (!existsSync(path)) throw new ArtifactError(path, 'encoder weights are missing');
  const actual = await sha256File(path);
  if (sha256 !== undefined && actual !== sha256)
    // The path goes in the message too: per-recording errors are reported under the recording's name.
    throw new ArtifactError(path, `encoder ${path} is not the encoder these features were made with (its sha256 differs); use the encoder folder the audio was prepared with`);
  const layersPath = join(dir, ENCODER_FILES.layers);
  return {
    dir,
    config: m.config,
    encoder: loadEncoderWeights(path, m.config.encoder),
    sha256: actual,
    layers: existsSync(layersPath) ? readJson<LayerReport>(layersPath) : undefined,
  };
}

/** prepare-audio's `--features ssl --encoder DIR [--layer N]`: the feature configuration to record. */
export async function sslFeatureConfig(opts: { path: string; layer?: number }): Promise<FeatureConfig> {
  const dir = resolve(opts.path);
  const f = await loadEncoderFolder(dir);
  const L = f.config.encoder.blocks;
  const layer = opts.layer ?? f.layers?.chosen;
  if (layer === undefined) throw new UsageError(`${dir} has no ${ENCODER_FILES.layers} with a chosen layer; give --layer 0..${L}`);
  if (!(Number.isInteger(layer) && layer >= 0 && layer <= L)) throw new UsageError(`--layer ${layer} is out of range: ${dir} has hidden states 0..${L}`);
  const { input, encoder } = f.config;
  f.encoder.dispose();
  return resolveFeatureConfig({
    kind: 'ssl',
    sampleRate: input.sampleRate,
    winMs: input.winMs + (encoder.stack - 1) * input.hopMs,
    hopMs: encoder.stack * input.hopMs,
    deltas: false,
    ssl: { path: dir, sha256: f.sha256, layer, dim: encoder.width },
  });
}

// One loaded encoder per folder and content, shared by every recording of the process.
const cache = new Map<string, Promise<LoadedEncoderFolder>>();

/** Frames of kind 'ssl' for one recording's (voiced) samples. */
export async function sslFrames(samples: Float32Array, cfg: FeatureConfig): Promise<Matrix> {
  const ref = cfg.ssl;
  if (!ref) throw new UsageError("feature kind 'ssl' needs an encoder");
  const key = `${ref.path}\0${ref.sha256}`;
  let p = cache.get(key);
  if (!p) cache.set(key, (p = loadEncoderFolder(ref.path, ref.sha256)));
  const f = await p;
  const raw = computeFeatures(samples, f.config.input);
  return f.encoder.features(encoderInput(raw, f.config.encoder.stack), ref.layer);
}
