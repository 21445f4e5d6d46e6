/**
 * Configuration of adversarial training. Defaults follow wav2vec-U 1.0
 * (notes §5) scaled for a CPU and weak MFCC input (notes §10): a 2-layer
 * convolutional generator with a nonlinearity, a smaller discriminator, and
 * stacked frames so the output rate is near the phone rate.
 */
import { UsageError } from '../util/errors.js';
import type { GradientPenaltyNorm } from '../model/index.js';
import type { InputConfig } from './data.js';
import { DEFAULT_DECIPHER, validateDecipherConfig, type DecipherConfig } from '../decipher/config.js';

export interface GanConfig {
  input: InputConfig;
  generator: {
    kind: 'linear' | 'conv2';
    kernel: number;
    hidden: number;
    kernel2: number;
    inputDropout: number;
    dropout: number;
    /** Predict each step's k-means cluster from the hidden layer (wav2vec-U 2.0's auxiliary loss). */
    aux: boolean;
  };
  discriminator: { hidden: number; kernel: number; depth: number; dropout: number };
  loss: {
    /** Weight of the generator's adversarial term; 0 trains with the matching losses alone (no discriminator). */
    adversarial: number;
    /** λ: gradient penalty. */
    gradientPenalty: number;
    /** The norm the penalty constrains (fairseq: per phone along time). */
    gradientPenaltyNorm: GradientPenaltyNorm;
    /** γ: smoothness of consecutive logits. */
    smoothness: number;
    /** η: phone diversity. */
    diversity: number;
    /** δ: auxiliary cluster prediction (needs generator.aux). */
    aux: number;
    /** Weight of matching the text's phone-bigram distribution (0 = off; not in wav2vec-U). */
    bigram: number;
    /** Weight of matching the text's most frequent phone trigrams (0 = off). */
    trigram: number;
    /** Weight of cross-entropy against each step's teacher label: the decipherment's, or labels given to trainGan. */
    teacher: number;
  };
  /** Label the training segments by decipherment first (src/decipher) and learn from those labels (loss.teacher); null = off. */
  decipher: DecipherConfig | null;
  optim: { lrG: number; lrD: number; beta1: number; beta2: number; eps: number; weightDecayD: number; clip: number };
  batchSize: number;
  /** Total updates; odd ones train the discriminator, even ones the generator (1:1). */
  updates: number;
  /** Discriminator updates per generator update (fairseq: 1). */
  dSteps: number;
  /** Validate (unsupervised metric) and checkpoint every this many updates. */
  validEvery: number;
  /** Longer utterances are cropped to this many steps while training (memory and speed). */
  maxSteps: number;
  seed: number;
}

export const DEFAULT_GAN_CONFIG: GanConfig = {
  input: { kind: 'frames', stack: 5 },
  generator: { kind: 'conv2', kernel: 5, hidden: 256, kernel2: 3, inputDropout: 0.1, dropout: 0.1, aux: true },
  discriminator: { hidden: 256, kernel: 6, depth: 2, dropout: 0 },
  loss: { adversarial: 1, gradientPenalty: 1.5, gradientPenaltyNorm: 'per-phone', smoothness: 0.5, diversity: 4, aux: 0.5, bigram: 0, trigram: 0, teacher: 0 },
  decipher: null,
  optim: { lrG: 4e-4, lrD: 5e-4, beta1: 0.5, beta2: 0.98, eps: 1e-6, weightDecayD: 1e-4, clip: 5 },
  batchSize: 64,
  updates: 6000,
  dSteps: 1,
  validEvery: 250,
  maxSteps: 200,
  seed: 1,
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type GanConfigOverrides = DeepPartial<GanConfig>;

export function resolveGanConfig(o: GanConfigOverrides = {}): GanConfig {
  const d = DEFAULT_GAN_CONFIG;
  const c: GanConfig = {
    ...d,
    ...o,
    input: { ...d.input, ...o.input },
    generator: { ...d.generator, ...o.generator },
    discriminator: { ...d.discriminator, ...o.discriminator },
    loss: { ...d.loss, ...o.loss },
    optim: { ...d.optim, ...o.optim },
    decipher: o.decipher ? { ...DEFAULT_DECIPHER, ...o.decipher } : null,
  } as GanConfig;
  const posInt = (name: string, v: number) => {
    if (!(Number.isInteger(v) && v > 0)) throw new UsageError(`${name} must be a positive integer, got ${v}`);
  };
  posInt('batch size', c.batchSize);
  posInt('updates', c.updates);
  posInt('discriminator steps per generator step', c.dSteps);
  if (!['per-phone', 'sequence'].includes(c.loss.gradientPenaltyNorm)) throw new UsageError(`gradient penalty norm must be per-phone or sequence, got '${c.loss.gradientPenaltyNorm}'`);
  posInt('validation interval', c.validEvery);
  posInt('max steps', c.maxSteps);
  if (c.loss.aux > 0 && !c.generator.aux) throw new UsageError('the auxiliary loss weight is > 0 but the generator has no auxiliary head (generator.aux)');
  if (c.generator.aux && c.generator.kind !== 'conv2') throw new UsageError("the auxiliary head needs generator kind 'conv2'");
  if (c.decipher) {
    validateDecipherConfig(c.decipher);
    if (c.input.kind !== 'change') throw new UsageError(`decipherment labels change-point segments: use it with --input change (got --input ${c.input.kind})`);
  }
  for (const [k, v] of Object.entries(c.loss)) if (typeof v === 'number' && !(v >= 0)) throw new UsageError(`loss weight ${k} must be ≥ 0, got ${v}`);
  return c;
}
