/**
 * One iteration of masked prediction: Adam on the cross-entropy between the
 * head's prediction at masked steps and those steps' cluster targets (HuBERT's
 * masked loss; unmasked steps carry no loss).
 *
 * Update u of an iteration is a pure function of (seed, iteration, u) and the
 * weights: its batch comes from the order of epoch ⌊(u−1)/batches⌋, its
 * crops and masks from a generator seeded by u. So a run resumed from a
 * checkpoint replays exactly what an uninterrupted one does.
 */
import { tf } from '../backend/index.js';
import type { ModelWeights } from '../model/params.js';
import { optimizerState, setOptimizerState, updateSeed, type OptimizerState } from '../model/optimizer-state.js';
import { makeRng } from '../util/rng.js';
import type { PretrainConfig } from './config.js';
import type { PretrainUtterance } from './data.js';
import { lengthBatches } from './data.js';
import { SslEncoder, TargetHead } from './encoder.js';
import { spanMask } from './masking.js';

export interface StepResult {
  loss: number;
  /** Share of masked steps whose target is the head's top prediction. */
  accuracy: number;
  learningRate: number;
}

export interface TrainerState {
  head: ModelWeights;
  opt: OptimizerState;
}

export class IterationTrainer {
  readonly head: TargetHead;
  private readonly opt: tf.AdamOptimizer;
  private readonly seed: number;
  private readonly epochs = new Map<number, number[][]>();
  private readonly numBatches: number;

  constructor(
    private readonly cfg: PretrainConfig,
    readonly encoder: SslEncoder,
    private readonly data: PretrainUtterance[],
    private readonly targets: Int32Array[],
    iteration: number,
  ) {
    this.seed = updateSeed(cfg.seed, 1000 + iteration);
    this.head = new TargetHead(cfg.encoder.width, cfg.clusters, makeRng(updateSeed(this.seed, -1)));
    this.opt = tf.train.adam(cfg.learningRate, 0.9, 0.98, 1e-6);
    this.numBatches = this.batchesOf(0).length;
  }

  private batchesOf(epoch: number): number[][] {
    let b = this.epochs.get(epoch);
    if (!b) {
      this.epochs.clear();
      b = lengthBatches(this.data.map((u) => Math.min(u.x.rows, this.cfg.maxSteps)), this.cfg.batchSteps, makeRng(updateSeed(this.seed, -2 - epoch)));
      this.epochs.set(epoch, b);
    }
    return b;
  }

  /** Linear warm-up, then linear decay to a tenth of the peak at the last update. */
  learningRateAt(u: number): number {
    const { updates, warmup, learningRate } = this.cfg;
    const w = Math.max(1, Math.round(warmup * updates));
    if (u <= w) return (learningRate * u) / w;
    return learningRate * (1 - (0.9 * (u - w)) / Math.max(1, updates - w));
  }

  step(u: number): StepResult {
    const rng = makeRng(updateSeed(this.seed, u));
    const batch = this.batchesOf(Math.floor((u - 1) / this.numBatches))[(u - 1) % this.numBatches];
    const D = this.data[0].x.cols;
    const K = this.cfg.clusters;
    const crops = batch.map((i) => {
      const n = this.data[i].x.rows;
      const len = Math.min(n, this.cfg.maxSteps);
      return { i, start: n > len ? rng.int(n - len + 1) : 0, len };
    });
    const B = crops.length;
    const T = Math.max(...crops.map((c) => c.len));
    const x = new Float32Array(B * T * D);
    const valid = new Float32Array(B * T);
    const masked = new Float32Array(B * T);
    const target = new Float32Array(B * T * K);
    const targetIds = new Int32Array(B * T).fill(-1);
    let numMasked = 0;
    crops.forEach(({ i, start, len }, b) => {
      x.set(this.data[i].x.data.subarray(start * D, (start + len) * D), b * T * D);
      valid.fill(1, b * T, b * T + len);
      const m = spanMask(len, this.cfg.mask, rng);
      for (let t = 0; t < len; t++) {
        if (!m[t]) continue;
        const row = b * T + t;
        masked[row] = 1;
        targetIds[row] = this.targets[i][start + t];
        target[row * K + targetIds[row]] = 1;
        numMasked++;
      }
    });
    const lr = this.learningRateAt(u);
    (this.opt as unknown as { learningRate: number }).learningRate = lr;
    let logits: tf.Tensor2D | undefined;
    const vars = [...this.encoder.variables, ...this.head.params.variables];
    const result = tf.tidy(() => {
      const xt = tf.tensor3d(x, [B, T, D]);
      const vt = tf.tensor2d(valid, [B, T]);
      const mt = tf.tensor2d(masked, [B, T]);
      const tt = tf.tensor2d(target, [B * T, K]);
      const { value, grads } = tf.variableGrads(() => {
        const hs = this.encoder.forward(xt, vt, mt);
        const l = this.head.logits(hs[hs.length - 1]);
        logits = tf.keep(l);
        return tf.div(tf.neg(tf.sum(tf.mul(tt, tf.logSoftmax(l)))), numMasked) as tf.Scalar;
      }, vars);
      (this.opt as tf.Optimizer).applyGradients(grads);
      return value.dataSync()[0];
    });
    const pred = tf.tidy(() => tf.argMax(logits!, 1).dataSync() as Int32Array);
    logits!.dispose();
    let hits = 0;
    for (let r = 0; r < targetIds.length; r++) if (targetIds[r] >= 0 && pred[r] === targetIds[r]) hits++;
    return { loss: result, accuracy: hits / Math.max(1, numMasked), learningRate: lr };
  }

  async getState(): Promise<TrainerState> {
    return { head: this.head.params.getWeights(), opt: await optimizerState(this.opt) };
  }

  async setState(s: TrainerState, origin: string): Promise<void> {
    this.head.params.setWeights(s.head, origin);
    await setOptimizerState(this.opt, s.opt);
  }

  dispose(): void {
    this.head.params.dispose();
    this.opt.dispose();
  }
}
