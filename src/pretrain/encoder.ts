/**
 * The self-supervised encoder (HuBERT-style, small enough to train on a CPU):
 *
 *   frames [B,T10,D] → stack 2 (20 ms steps) → conv (frontKernel) → layer norm  = layer 0
 *     → [masked steps replaced by a learned embedding, training only]
 *     → blocks × residual [layer norm → conv (kernel) → GELU → linear]         = layers 1..blocks
 *     → layer norm → linear over K cluster targets                             (training head)
 *
 * Convolutions are conv1dMatmul's matrix products (wasm cannot train tf.conv1d),
 * centred with zeros past both ends; a validity mask zeroes every layer past an
 * utterance's end, so a padded batch computes what each utterance alone would.
 */
import { tf } from '../backend/index.js';
import { conv1dMatmul, gelu } from '../model/index.js';
import { ParamModel, ParamSet, uniformInit } from '../model/params.js';
import { integerCheckFor } from '../util/config-check.js';
import { matrix, sliceRows, type Matrix } from '../util/matrix.js';
import type { Rng } from '../util/rng.js';

export interface EncoderConfig {
  /** Values per 10 ms input frame (39 for MFCC + Δ + ΔΔ). */
  inputDim: number;
  /** Input frames per encoder step (2: 10 ms → 20 ms). */
  stack: number;
  width: number;
  blocks: number;
  kernel: number;
  frontKernel: number;
}

export const DEFAULT_ENCODER: Omit<EncoderConfig, 'inputDim'> = { stack: 2, width: 256, blocks: 4, kernel: 5, frontKernel: 3 };

export function validateEncoderConfig(c: EncoderConfig): void {
  const int = integerCheckFor('encoder');
  int('input dimension', c.inputDim, 1);
  int('stack', c.stack, 1);
  int('width', c.width, 2);
  int('blocks', c.blocks, 1);
  int('kernel', c.kernel, 1);
  int('front kernel', c.frontKernel, 1);
}

interface Norm {
  g: tf.Variable;
  b: tf.Variable;
}

function layerNorm(x: tf.Tensor3D, n: Norm): tf.Tensor3D {
  const mean = tf.mean(x, -1, true);
  const d = tf.sub(x, mean);
  const v = tf.mean(tf.mul(d, d), -1, true);
  // sqrt and div rather than rsqrt: src/model/gradients.ts registers gradients for these.
  return tf.add(tf.mul(tf.div(d, tf.sqrt(tf.add(v, 1e-5))), n.g), n.b) as tf.Tensor3D;
}

/** Input frames → encoder steps: `stack` consecutive rows side by side; an incomplete last group is dropped. */
export function stackFrames(m: Matrix, stack: number): Matrix {
  const steps = Math.floor(m.rows / stack);
  return matrix(steps, m.cols * stack, m.data.slice(0, steps * stack * m.cols));
}

export class SslEncoder extends ParamModel {
  private readonly front: { w: tf.Variable; b: tf.Variable; norm: Norm };
  readonly maskEmbedding: tf.Variable;
  private readonly blocks: { norm: Norm; cw: tf.Variable; cb: tf.Variable; lw: tf.Variable; lb: tf.Variable }[] = [];

  constructor(
    readonly cfg: EncoderConfig,
    seed: number,
  ) {
    super(seed, 'encoder');
    validateEncoderConfig(cfg);
    const W = cfg.width;
    const fin = cfg.frontKernel * cfg.inputDim * cfg.stack;
    this.front = {
      w: this.params.add('front.w', [fin, W], uniformInit(this.rng, fin * W, fin)),
      b: this.params.add('front.b', [W], uniformInit(this.rng, W, fin)),
      norm: this.norm('front.norm', W),
    };
    this.maskEmbedding = this.params.add('mask', [W], Float32Array.from({ length: W }, () => this.rng.next() * 2 - 1));
    for (let i = 0; i < cfg.blocks; i++) {
      const cin = cfg.kernel * W;
      this.blocks.push({
        norm: this.norm(`block${i}.norm`, W),
        cw: this.params.add(`block${i}.conv.w`, [cin, W], uniformInit(this.rng, cin * W, cin)),
        cb: this.params.add(`block${i}.conv.b`, [W], uniformInit(this.rng, W, cin)),
        // Small output projection: each block starts close to the identity.
        lw: this.params.add(`block${i}.out.w`, [W, W], uniformInit(this.rng, W * W, W).map((v) => v * 0.1)),
        lb: this.params.add(`block${i}.out.b`, [W], new Float32Array(W)),
      });
    }
  }

  private norm(name: string, W: number): Norm {
    return { g: this.params.add(`${name}.g`, [W], new Float32Array(W).fill(1)), b: this.params.add(`${name}.b`, [W], new Float32Array(W)) };
  }

  /** Hidden states 0..blocks (see the file comment). */
  get numLayers(): number {
    return this.cfg.blocks + 1;
  }

  /**
   * Hidden states of layers 0..upTo for stacked steps x [B,T,stack·D]. `valid` [B,T]
   * is 1 inside an utterance; `masked` [B,T] is 1 where the mask embedding replaces
   * the front end's output (training).
   */
  forward(x: tf.Tensor3D, valid?: tf.Tensor2D, masked?: tf.Tensor2D, upTo = this.cfg.blocks): tf.Tensor3D[] {
    const [B, T] = x.shape;
    const v = valid ? tf.reshape(valid, [B, T, 1]) : undefined;
    const keepValid = (h: tf.Tensor3D) => (v ? (tf.mul(h, v) as tf.Tensor3D) : h);
    let h = keepValid(layerNorm(conv1dMatmul(x, this.front.w as tf.Tensor2D, this.cfg.frontKernel, 'centred', this.front.b as tf.Tensor1D), this.front.norm));
    const out = [h];
    if (masked) {
      const m = tf.reshape(masked, [B, T, 1]);
      h = keepValid(tf.add(tf.mul(h, tf.sub(1, m)), tf.mul(m, this.maskEmbedding)) as tf.Tensor3D);
    }
    const W = this.cfg.width;
    for (const blk of this.blocks.slice(0, upTo)) {
      const c = gelu(conv1dMatmul(layerNorm(h, blk.norm), blk.cw as tf.Tensor2D, this.cfg.kernel, 'centred', blk.cb as tf.Tensor1D));
      const y = tf.reshape(tf.add(tf.matMul(tf.reshape(c, [B * T, W]), blk.lw), blk.lb), [B, T, W]);
      h = keepValid(tf.add(h, y) as tf.Tensor3D);
      out.push(h);
    }
    return out;
  }

  /** Steps on each side that an output of hidden state `layer` depends on. */
  receptiveRadius(layer: number): number {
    return Math.floor(this.cfg.frontKernel / 2) + layer * Math.floor(this.cfg.kernel / 2);
  }

  /**
   * Layer `layer`'s features of one utterance's encoder input (stackFrames rows) →
   * one row per step. Long recordings go through in chunks of `chunk` steps, each
   * with the receptive radius of context either side, so memory stays bounded and
   * every row equals the unchunked result.
   */
  features(s: Matrix, layer: number, chunk = 3000): Matrix {
    if (s.rows <= chunk) return this.hiddenStates(s, layer)[layer];
    const r = this.receptiveRadius(layer);
    const out = matrix(s.rows, this.cfg.width);
    for (let start = 0; start < s.rows; start += chunk) {
      const from = Math.max(0, start - r), to = Math.min(s.rows, start + chunk + r);
      const h = this.hiddenStates(sliceRows(s, from, to), layer)[layer];
      const end = Math.min(s.rows, start + chunk);
      out.data.set(h.data.subarray((start - from) * h.cols, (end - from) * h.cols), start * h.cols);
    }
    return out;
  }

  /** Hidden states 0..upTo of one utterance's encoder input, as matrices. */
  hiddenStates(s: Matrix, upTo = this.cfg.blocks): Matrix[] {
    if (s.rows === 0) return Array.from({ length: upTo + 1 }, () => matrix(0, this.cfg.width));
    const hs = tf.tidy(() => this.forward(tf.tensor3d(s.data, [1, s.rows, s.cols]), undefined, undefined, upTo));
    const out = hs.map((h) => matrix(s.rows, this.cfg.width, h.dataSync() as Float32Array));
    tf.dispose(hs);
    return out;
  }
}

/** The prediction head over K cluster targets (replaced at each iteration). */
export class TargetHead {
  readonly params = new ParamSet();
  private readonly norm: Norm;
  private readonly w: tf.Variable;
  private readonly b: tf.Variable;

  constructor(width: number, readonly k: number, rng: Rng) {
    this.norm = { g: this.params.add('head.norm.g', [width], new Float32Array(width).fill(1)), b: this.params.add('head.norm.b', [width], new Float32Array(width)) };
    this.w = this.params.add('head.w', [width, k], uniformInit(rng, width * k, width));
    this.b = this.params.add('head.b', [k], new Float32Array(k));
  }

  logits(h: tf.Tensor3D): tf.Tensor2D {
    const [B, T, W] = h.shape;
    return tf.add(tf.matMul(tf.reshape(layerNorm(h, this.norm), [B * T, W]), this.w), this.b) as tf.Tensor2D;
  }
}
