/**
 * The neural stage's acoustic network: a stack of 1-D convolutions over the
 * prepared 39-d frames, one output per step of `stride` frames over the
 * model's units plus a CTC blank (the last index).
 *
 *   frames [B,T,D] → stacked by stride [B,T/stride,stride·D]
 *                  → conv (2·context+1 steps, the splicing) → GELU
 *                  → (layers−1) × [conv (kernel frames) → GELU] → linear → [B,T,V+1]
 *
 * Convolutions are conv1dMatmul's matrix products over spliced frames (wasm
 * has no kernel to train tf.conv1d's filter), centred, with zeros past both
 * ends. Stacking frames (20 ms steps at stride 2) halves the cost of every layer; a
 * phone lasts several steps still. A mask zeroes every hidden layer past an
 * utterance's end, so a padded batch computes exactly what each utterance alone would.
 */
import { tf } from '../backend/index.js';
import { conv1dMatmul, dropout, gelu } from '../model/index.js';
import { ParamModel, uniformInit } from '../model/params.js';
import { integerCheckFor } from '../util/config-check.js';
import { UsageError } from '../util/errors.js';

export interface CtcNetConfig {
  inputDim: number;
  /** Output units (the model's, <SIL> included); the blank is one more. */
  numUnits: number;
  /** Frames stacked into one step (the network's output rate is one per step). */
  stride: number;
  /** Steps of context on each side seen by the first layer. */
  context: number;
  hidden: number;
  /** Convolution layers before the output layer. */
  layers: number;
  /** Width of the convolutions after the first. */
  kernel: number;
  dropout: number;
}

export function validateCtcNetConfig(c: Omit<CtcNetConfig, 'inputDim' | 'numUnits'>): void {
  const int = integerCheckFor('neural');
  int('stride', c.stride, 1);
  int('context', c.context, 0);
  int('hidden size', c.hidden, 1);
  int('layers', c.layers, 1);
  int('kernel', c.kernel, 1);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new UsageError(`neural dropout must be in [0, 1), got ${c.dropout}`);
}

export class CtcNet extends ParamModel {
  readonly blank: number;
  private readonly convs: { w: tf.Variable; b: tf.Variable; k: number }[] = [];
  private readonly out: { w: tf.Variable; b: tf.Variable };

  constructor(
    readonly cfg: CtcNetConfig,
    seed: number,
  ) {
    super(seed, 'CTC network');
    this.blank = cfg.numUnits;
    let cin = cfg.stride * cfg.inputDim;
    for (let i = 0; i < cfg.layers; i++) {
      const k = i === 0 ? 2 * cfg.context + 1 : cfg.kernel;
      const fanIn = k * cin;
      this.convs.push({
        w: this.params.add(`conv${i}.w`, [fanIn, cfg.hidden], uniformInit(this.rng, fanIn * cfg.hidden, fanIn)),
        b: this.params.add(`conv${i}.b`, [cfg.hidden], uniformInit(this.rng, cfg.hidden, fanIn)),
        k,
      });
      cin = cfg.hidden;
    }
    const V = cfg.numUnits + 1;
    this.out = {
      w: this.params.add('out.w', [cin, V], uniformInit(this.rng, cin * V, cin)),
      b: this.params.add('out.b', [V], uniformInit(this.rng, V, cin)),
    };
  }

  /** Output steps for T frames (the last step zero-padded). */
  steps(T: number): number {
    return Math.ceil(T / this.cfg.stride);
  }

  /**
   * Logits [B,steps,V+1] of frames x [B,T,D] (T a multiple of the stride, zero-padded);
   * `mask` [B,steps] (1 inside an utterance) when the batch is padded.
   */
  apply(x: tf.Tensor3D, training: boolean, mask?: tf.Tensor2D): tf.Tensor3D {
    const s = this.cfg.stride;
    if (x.shape[1] % s !== 0) throw new Error(`CtcNet: ${x.shape[1]} frames is not a multiple of the stride ${s}`);
    const [B, T] = [x.shape[0], x.shape[1] / s];
    const m = mask ? tf.reshape(mask, [B, T, 1]) : undefined;
    let h: tf.Tensor3D = s === 1 ? x : tf.reshape(x, [B, T, s * x.shape[2]]);
    for (const c of this.convs) {
      h = gelu(conv1dMatmul(h, c.w as tf.Tensor2D, c.k, 'centred', c.b as tf.Tensor1D));
      if (m) h = tf.mul(h, m);
      if (training) h = dropout(h, this.cfg.dropout, this.rng);
    }
    const H = h.shape[2];
    const y = tf.add(tf.matMul(tf.reshape(h, [B * T, H]), this.out.w), this.out.b);
    return tf.reshape(y, [B, T, this.cfg.numUnits + 1]);
  }
}
