/**
 * The discriminator (notes §4, fairseq's with linear embedding off): causal
 * conv |V|→H, dropout, (depth−1)×[conv H→H, dropout, GELU], conv H→1; one
 * logit per step, averaged over the valid steps. Every op is twice
 * differentiable on every backend, which the gradient penalty requires.
 *
 * Causality also makes padding harmless: a valid step never sees the steps
 * after it, so whatever fills the padded tail does not change the score.
 */
import { tf } from '../backend/index.js';
import './gradients.js';
import { UsageError } from '../util/errors.js';
import { conv1dMatmul } from './conv.js';
import { dropout, gelu } from './layers.js';
import { ParamModel, uniformInit } from './params.js';

export interface DiscriminatorConfig {
  numPhones: number;
  /** Channels of the hidden layers (384 in fairseq). */
  hidden: number;
  /** Convolution width (6 in wav2vec-U 1.0, 8 in 2.0). */
  kernel: number;
  /** Number of H→H-or-1 convolutions after the embedding one (2 in fairseq). */
  depth: number;
  dropout: number;
}

interface ConvParams {
  w: tf.Variable;
  b: tf.Variable;
}

export function validateDiscriminatorConfig(cfg: DiscriminatorConfig): void {
  for (const key of ['numPhones', 'hidden', 'kernel', 'depth'] as const) {
    const v = cfg[key];
    if (!(Number.isInteger(v) && v > 0)) throw new UsageError(`discriminator ${key} must be a positive integer, got ${v}`);
  }
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new UsageError(`discriminator dropout must be in [0, 1), got ${cfg.dropout}`);
}

export class Discriminator extends ParamModel {
  readonly cfg: DiscriminatorConfig;
  private readonly layers: ConvParams[] = [];

  constructor(cfg: DiscriminatorConfig, seed: number) {
    super(seed, 'discriminator');
    validateDiscriminatorConfig(cfg);
    this.cfg = cfg;
    const { numPhones: V, hidden: H, kernel: k, depth } = cfg;
    const conv = (name: string, cin: number, cout: number): ConvParams => ({
      w: this.params.add(`${name}.w`, [k * cin, cout], uniformInit(this.rng, k * cin * cout, k * cin)),
      b: this.params.add(`${name}.b`, [cout], uniformInit(this.rng, cout, k * cin)),
    });
    this.layers.push(conv('emb', V, H));
    for (let i = 1; i < depth; i++) this.layers.push(conv(`inner${i}`, H, H));
    this.layers.push(conv('out', H, 1));
  }

  /**
   * p: [B,T,|V|] phone distributions (generator softmax or one-hot text);
   * mask: [B,T], 1 at valid steps (every sequence needs at least one). Returns
   * the mean logit over valid steps, [B]; higher means "looks generated".
   */
  apply(p: tf.Tensor3D, mask?: tf.Tensor2D, training = false): tf.Tensor1D {
    const { cfg } = this;
    if (p.shape[2] !== cfg.numPhones) throw new Error(`discriminator expects ${cfg.numPhones} phone classes, got ${p.shape[2]}`);
    return tf.tidy(() => {
      const drop = (h: tf.Tensor3D) => (training ? dropout(h, cfg.dropout, this.rng) : h);
      const [emb, ...rest] = this.layers;
      const out = rest.pop()!;
      let h = drop(this.conv(p, emb));
      for (const layer of rest) h = gelu(drop(this.conv(h, layer)));
      const [B, T] = p.shape;
      const steps = tf.reshape(this.conv(h, out), [B, T]);
      if (!mask) return tf.mean(steps, 1) as tf.Tensor1D;
      return tf.div(tf.sum(tf.mul(steps, mask), 1), tf.sum(mask, 1)) as tf.Tensor1D;
    });
  }

  private conv(x: tf.Tensor3D, layer: ConvParams): tf.Tensor3D {
    return conv1dMatmul(x, layer.w as tf.Tensor2D, this.cfg.kernel, 'causal', layer.b as tf.Tensor1D);
  }

}
