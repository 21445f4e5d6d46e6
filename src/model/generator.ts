/**
 * The generator: audio feature frames [B,T,D] → phone logits [B,T,|V|].
 *
 * 'linear' is wav2vec-U 1.0's (notes §4): input dropout, then one width-k
 * convolution without bias or nonlinearity. 'conv2' is the deeper variant the
 * notes (§10) recommend for weak MFCC input: conv(k)+bias → GELU → dropout →
 * conv(k2) without bias, with an optional auxiliary head predicting k-means
 * cluster ids from the hidden layer (wav2vec-U 2.0's input-tied loss).
 *
 * Convolutions are centred, so every frame keeps its own output. In a padded
 * batch, frames past an utterance's end must be zero (they act as the
 * convolution's zero padding) and, for 'conv2', the mask must be passed so the
 * hidden layer is zeroed there too; an utterance then gets the same logits in a
 * batch as alone.
 */
import { tf } from '../backend/index.js';
import './gradients.js';
import { UsageError } from '../util/errors.js';
import { conv1dMatmul } from './conv.js';
import { dropout, gelu } from './layers.js';
import { ParamModel, uniformInit } from './params.js';

export interface GeneratorConfig {
  inputDim: number;
  /** Output classes, including <SIL>. */
  numPhones: number;
  kind: 'linear' | 'conv2';
  /** Width of the (first) convolution; 4 in wav2vec-U 1.0. */
  kernel: number;
  /** Hidden channels of 'conv2' (unused by 'linear'). */
  hidden: number;
  /** Width of the second convolution of 'conv2'; defaults to `kernel`. */
  kernel2?: number;
  /** Dropout on the input features during training (0.1 in fairseq). */
  inputDropout: number;
  /** Dropout on the hidden layer of 'conv2' during training. */
  dropout: number;
  /** Number of k-means clusters predicted by the auxiliary head ('conv2' only). */
  auxClusters?: number;
}

export interface GeneratorOutput {
  /** [B,T,numPhones] */
  logits: tf.Tensor3D;
  /** [B,T,auxClusters], when the auxiliary head exists. */
  aux?: tf.Tensor3D;
}

function checkPositiveInt(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new UsageError(`${name} must be a positive integer, got ${v}`);
}

function checkRate(name: string, v: number): void {
  if (!(v >= 0 && v < 1)) throw new UsageError(`${name} must be in [0, 1), got ${v}`);
}

export function validateGeneratorConfig(cfg: GeneratorConfig): void {
  if (cfg.kind !== 'linear' && cfg.kind !== 'conv2') throw new UsageError(`generator kind must be 'linear' or 'conv2', got '${cfg.kind}'`);
  checkPositiveInt('generator inputDim', cfg.inputDim);
  checkPositiveInt('generator numPhones', cfg.numPhones);
  checkPositiveInt('generator kernel', cfg.kernel);
  checkRate('generator inputDropout', cfg.inputDropout);
  checkRate('generator dropout', cfg.dropout);
  if (cfg.kind === 'conv2') {
    checkPositiveInt('generator hidden', cfg.hidden);
    checkPositiveInt('generator kernel2', cfg.kernel2);
    checkPositiveInt('generator auxClusters', cfg.auxClusters);
  } else if (cfg.auxClusters !== undefined) {
    throw new UsageError(`the auxiliary cluster head needs a hidden layer: use generator kind 'conv2', not 'linear'`);
  }
}

export class Generator extends ParamModel {
  readonly cfg: GeneratorConfig;
  /** Dropout masks; seeded so that a run is reproducible. */
  private readonly proj: tf.Variable;
  private readonly hiddenConv?: { w: tf.Variable; b: tf.Variable };
  private readonly auxHead?: { w: tf.Variable; b: tf.Variable };

  constructor(cfg: GeneratorConfig, seed: number) {
    super(seed, 'generator');
    validateGeneratorConfig(cfg);
    this.cfg = cfg;
    const { inputDim: D, numPhones: V, kernel: k, hidden: H } = cfg;
    if (cfg.kind === 'linear') {
      this.proj = this.params.add('proj', [k * D, V], uniformInit(this.rng, k * D * V, k * D));
    } else {
      const k2 = cfg.kernel2 ?? k;
      this.hiddenConv = {
        w: this.params.add('conv1.w', [k * D, H], uniformInit(this.rng, k * D * H, k * D)),
        b: this.params.add('conv1.b', [H], uniformInit(this.rng, H, k * D)),
      };
      this.proj = this.params.add('proj', [k2 * H, V], uniformInit(this.rng, k2 * H * V, k2 * H));
      if (cfg.auxClusters) {
        const K = cfg.auxClusters;
        this.auxHead = {
          w: this.params.add('aux.w', [H, K], uniformInit(this.rng, H * K, H)),
          b: this.params.add('aux.b', [K], uniformInit(this.rng, K, H)),
        };
      }
    }
  }

  /**
   * x: [B,T,inputDim] → logits [B,T,numPhones] (and aux logits). Dropout only
   * when `training`. mask: [B,T], 1 at real frames (needed for padded batches).
   */
  apply(x: tf.Tensor3D, training: boolean, mask?: tf.Tensor2D): GeneratorOutput {
    const { cfg } = this;
    if (x.shape[2] !== cfg.inputDim) throw new Error(`generator expects ${cfg.inputDim}-d input frames, got ${x.shape[2]}`);
    return tf.tidy(() => {
      const input = training ? dropout(x, cfg.inputDropout, this.rng) : x;
      if (!this.hiddenConv) {
        return { logits: conv1dMatmul(input, this.proj as tf.Tensor2D, cfg.kernel, 'centred') };
      }
      const [B, T] = x.shape;
      const pre = gelu(conv1dMatmul(input, this.hiddenConv.w as tf.Tensor2D, cfg.kernel, 'centred', this.hiddenConv.b as tf.Tensor1D));
      // gelu(bias) ≠ 0 at padded frames; the second convolution must see zeros there.
      const h = mask ? (tf.mul(pre, tf.expandDims(mask, 2)) as tf.Tensor3D) : pre;
      const hd = training ? dropout(h, cfg.dropout, this.rng) : h;
      const logits = conv1dMatmul(hd, this.proj as tf.Tensor2D, cfg.kernel2 ?? cfg.kernel, 'centred');
      if (!this.auxHead) return { logits };
      const aux = tf.add(tf.matMul(tf.reshape(h, [B * T, cfg.hidden]), this.auxHead.w as tf.Tensor2D), this.auxHead.b);
      return { logits, aux: tf.reshape(aux, [B, T, this.auxHead.b.shape[0]]) as tf.Tensor3D };
    });
  }

}
