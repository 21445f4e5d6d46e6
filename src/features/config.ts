/**
 * Feature configuration, its validation, and the frame-grid conventions every
 * later stage relies on.
 *
 * Frame grid (Kaldi `--snip-edges=true`): frame i covers samples
 * [i*hop, i*hop + win); only whole frames are kept, so
 *   numFrames = 1 + floor((n - win) / hop)  for n >= win, else 0,
 * and frame i is centred at time (i*hop + win/2) / sampleRate.
 * win and hop are winMs/hopMs in samples, rounded to the nearest integer
 * (Kaldi truncates; rounding avoids 399.999… → 399 surprises).
 */
import { UsageError } from '../util/errors.js';
import type { OnnxEncoderConfig } from './onnx-encoder.js';
import type { SslEncoderRef } from '../pretrain/model-folder.js';

export interface FeatureConfig {
  /** 'onnx': frames of a pretrained encoder (onnx-encoder.ts); its grid is winMs 25 / hopMs 20. */
  kind: 'mfcc' | 'logmel' | 'onnx' | 'ssl';
  sampleRate: number;
  winMs: number;
  hopMs: number;
  /** Mel filterbank size; MFCC is computed from it too. */
  numMel: number;
  /** Cepstra kept (c0..c{numCeps-1}); MFCC only. */
  numCeps: number;
  /** Append Δ and ΔΔ (tripling the dimension). */
  deltas: boolean;
  /** N of the delta regression window (frames each side). */
  deltaWindow: number;
  preEmphasis: number;
  /** The encoder, for kind 'onnx' only. */
  encoder?: OnnxEncoderConfig;
  /** 'ssl': a hidden state of an encoder made by `fieldphone pretrain` (src/pretrain/model-folder.ts). */
  ssl?: SslEncoderRef;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = Object.freeze({
  kind: 'mfcc',
  sampleRate: 16000,
  winMs: 25,
  hopMs: 10,
  numMel: 40,
  numCeps: 13,
  deltas: true,
  deltaWindow: 2,
  preEmphasis: 0.97,
});

/**
 * The kinds whose frames come from an encoder (no deltas are added to them): the
 * field that names the encoder, whether it must name a layer, and its words in messages.
 */
const ENCODER_KINDS = {
  onnx: { field: 'encoder', needsLayer: false, what: 'an encoder', needs: 'an encoder (path, sha256, output, dim)' },
  ssl: { field: 'ssl', needsLayer: true, what: 'a pretrained encoder folder', needs: 'an encoder folder (path, sha256, layer, dim)' },
} as const;
type EncoderKind = keyof typeof ENCODER_KINDS;

function isEncoderKind(kind: FeatureConfig['kind']): kind is EncoderKind {
  return Object.hasOwn(ENCODER_KINDS, kind);
}

/** Fill defaults and reject values that would give meaningless features. */
export function resolveFeatureConfig(cfg: Partial<FeatureConfig> = {}): FeatureConfig {
  const c: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, ...cfg };
  const bad = (msg: string): never => {
    throw new UsageError(`feature config: ${msg}`);
  };
  if (c.kind !== 'mfcc' && c.kind !== 'logmel' && c.kind !== 'onnx' && c.kind !== 'ssl') bad(`kind must be 'mfcc', 'logmel', 'onnx' or 'ssl', got '${String(c.kind)}'`);
  for (const kind of Object.keys(ENCODER_KINDS) as EncoderKind[]) {
    const { field, what } = ENCODER_KINDS[kind];
    if (c.kind !== kind && c[field] !== undefined) bad(`${what} is only used with kind '${kind}', not '${c.kind}'`);
  }
  if (isEncoderKind(c.kind)) {
    const e = ENCODER_KINDS[c.kind];
    const ref = c[e.field];
    if (!(ref && Number.isInteger(ref.dim) && ref.dim > 0 && typeof ref.path === 'string' && (!e.needsLayer || Number.isInteger(ref.layer)))) bad(`kind '${c.kind}' needs ${e.needs}`);
    if (c.deltas) bad('deltas are not added to encoder frames (set deltas: false)');
  }
  if (!Number.isInteger(c.sampleRate) || c.sampleRate <= 0) bad(`sampleRate must be a positive integer, got ${c.sampleRate}`);
  if (!(c.winMs > 0) || !(c.hopMs > 0)) bad(`winMs and hopMs must be positive, got ${c.winMs} / ${c.hopMs}`);
  if (windowSamples(c) < 2) bad(`winMs ${c.winMs} gives fewer than 2 samples at ${c.sampleRate} Hz`);
  if (hopSamples(c) < 1) bad(`hopMs ${c.hopMs} gives less than 1 sample at ${c.sampleRate} Hz`);
  if (!Number.isInteger(c.numMel) || c.numMel < 1) bad(`numMel must be a positive integer, got ${c.numMel}`);
  if (c.kind === 'mfcc' && (!Number.isInteger(c.numCeps) || c.numCeps < 1 || c.numCeps > c.numMel))
    bad(`numCeps must be an integer in 1..numMel (${c.numMel}), got ${c.numCeps}`);
  if (!Number.isInteger(c.deltaWindow) || c.deltaWindow < 1) bad(`deltaWindow must be a positive integer, got ${c.deltaWindow}`);
  if (!(c.preEmphasis >= 0 && c.preEmphasis < 1)) bad(`preEmphasis must be in [0, 1), got ${c.preEmphasis}`);
  return c;
}

export function windowSamples(cfg: FeatureConfig): number {
  return Math.round((cfg.sampleRate * cfg.winMs) / 1000);
}

export function hopSamples(cfg: FeatureConfig): number {
  return Math.round((cfg.sampleRate * cfg.hopMs) / 1000);
}

export function numFrames(numSamples: number, cfg: FeatureConfig): number {
  const win = windowSamples(cfg);
  if (numSamples < win) return 0;
  return 1 + Math.floor((numSamples - win) / hopSamples(cfg));
}

/** Time in seconds of the centre of frame i. */
export function frameCenterTime(i: number, cfg: FeatureConfig): number {
  return (i * hopSamples(cfg) + windowSamples(cfg) / 2) / cfg.sampleRate;
}

/** Columns of computeFeatures' output for this config. */
export function featureDim(cfg: FeatureConfig): number {
  const base = isEncoderKind(cfg.kind) ? (cfg[ENCODER_KINDS[cfg.kind].field]?.dim ?? 0) : cfg.kind === 'mfcc' ? cfg.numCeps : cfg.numMel;
  return cfg.deltas ? 3 * base : base;
}
