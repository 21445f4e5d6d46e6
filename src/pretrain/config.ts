/** Settings of a pretraining run (recorded in run.json; a resumed run must match). */
import { integerCheckFor } from '../util/config-check.js';
import { UsageError } from '../util/errors.js';
import { DEFAULT_ENCODER, type EncoderConfig } from './encoder.js';
import { DEFAULT_MASK, type MaskConfig } from './masking.js';

export interface PretrainConfig {
  encoder: Omit<EncoderConfig, 'inputDim'>;
  mask: MaskConfig;
  /** HuBERT iterations: 1 predicts k-means clusters of the input frames, each later one those of the previous encoder's targetLayer. */
  iterations: number;
  /** Updates per iteration. */
  updates: number;
  /** K of the target k-means. */
  clusters: number;
  /** Hidden state clustered for the next iteration's targets (default: the middle block). */
  targetLayer: number;
  /** Most padded steps (20 ms) per batch. */
  batchSteps: number;
  /** Longer utterances are cut to a random window of this many steps. */
  maxSteps: number;
  learningRate: number;
  /** Share of each iteration's updates over which the learning rate rises linearly from 0. */
  warmup: number;
  /** Save checkpoint.bin (and a metrics line) every this many updates. */
  checkpointEvery: number;
  seed: number;
}

export const DEFAULT_PRETRAIN: PretrainConfig = {
  encoder: DEFAULT_ENCODER,
  mask: DEFAULT_MASK,
  iterations: 2,
  updates: 250,
  clusters: 100,
  targetLayer: Math.ceil(DEFAULT_ENCODER.blocks / 2),
  batchSteps: 4000,
  maxSteps: 500,
  learningRate: 2e-3,
  warmup: 0.08,
  checkpointEvery: 25,
  seed: 1,
};

export type PretrainOverrides = Partial<Omit<PretrainConfig, 'encoder' | 'mask'>> & { encoder?: Partial<PretrainConfig['encoder']>; mask?: Partial<MaskConfig> };

export function resolvePretrainConfig(o: PretrainOverrides = {}): PretrainConfig {
  const encoder = { ...DEFAULT_PRETRAIN.encoder, ...o.encoder };
  const c: PretrainConfig = {
    ...DEFAULT_PRETRAIN,
    targetLayer: Math.ceil(encoder.blocks / 2),
    ...o,
    encoder,
    mask: { ...DEFAULT_PRETRAIN.mask, ...o.mask },
  };
  const int = integerCheckFor('pretrain');
  int('iterations', c.iterations, 1);
  int('updates', c.updates, 1);
  int('clusters', c.clusters, 2);
  int('batch steps', c.batchSteps, 1);
  int('max steps', c.maxSteps, c.mask.span);
  int('checkpoint interval', c.checkpointEvery, 1);
  int('seed', c.seed, 0);
  int('mask span', c.mask.span, 1);
  int('target layer', c.targetLayer, 0);
  if (c.targetLayer > c.encoder.blocks) throw new UsageError(`target layer ${c.targetLayer} does not exist: the encoder has layers 0..${c.encoder.blocks}`);
  if (!(c.mask.prob > 0 && c.mask.prob <= 1)) throw new UsageError(`mask probability must be in (0, 1], got ${c.mask.prob}`);
  if (!(c.learningRate > 0 && Number.isFinite(c.learningRate))) throw new UsageError(`learning rate must be a positive number, got ${c.learningRate}`);
  if (!(c.warmup >= 0 && c.warmup < 1)) throw new UsageError(`warmup share must be in [0, 1), got ${c.warmup}`);
  return c;
}
