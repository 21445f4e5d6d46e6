/**
 * One adversarial training run's models, optimisers and update steps
 * (notes §5): odd updates train the discriminator (GAN loss + gradient
 * penalty + weight decay), even updates the generator (GAN loss + smoothness
 * + phone diversity + auxiliary cluster loss). All randomness of update u
 * (batch choice, dropout, JOIN sampling, penalty mixing) comes from a seed
 * derived from (config seed, u), so a run resumed from a checkpoint replays
 * exactly what an uninterrupted run would have done.
 */
import { tf } from '../backend/index.js';
import {
  Discriminator,
  Generator,
  auxClusterLoss,
  ngramMatchingLoss,
  diversityLoss,
  discriminatorLoss,
  generatorAdversarialLoss,
  gradientPenalty,
  joinSegments,
  lengthMask,
  oneHotBatch,
  smoothnessLoss,
  type ModelWeights,
} from '../model/index.js';
import { optimizerState, setOptimizerState, updateSeed, type OptimizerState } from '../model/optimizer-state.js';
import { makeRng, type Rng } from '../util/rng.js';
import type { GanConfig } from './config.js';
import { lengthGroupedBatches, padAudioBatch, type AudioData, type TextData } from './data.js';
import { ngramTable, ngramTensors } from './ngram-table.js';

/** Most frequent n-grams matched (all bigrams of ~50 units fit; trigrams beyond this are rare). */
const NGRAM_TABLE_SIZE = 4000;

export interface StepLosses {
  [name: string]: number;
}

export class GanTrainer {
  readonly cfg: GanConfig;
  readonly G: Generator;
  readonly D: Discriminator;
  private readonly optG: tf.AdamOptimizer;
  private readonly optD: tf.AdamOptimizer;
  private readonly batches: number[][];
  /** The text's phone n-gram tables (orders 2 and 3) for the matching terms. */
  private readonly textNgrams: { order: number; weight: number; selectors: tf.Tensor2D[]; q: tf.Tensor1D }[];

  constructor(
    cfg: GanConfig,
    readonly audio: AudioData,
    readonly text: TextData,
  ) {
    this.cfg = cfg;
    const V = text.units.length;
    const g = cfg.generator;
    this.G = new Generator(
      {
        inputDim: audio.dim,
        numPhones: V,
        kind: g.kind,
        kernel: g.kernel,
        hidden: g.hidden,
        kernel2: g.kernel2,
        inputDropout: g.inputDropout,
        dropout: g.dropout,
        ...(g.aux ? { auxClusters: audio.numClusters } : {}),
      },
      updateSeed(cfg.seed, -1),
    );
    this.D = new Discriminator({ numPhones: V, ...cfg.discriminator }, updateSeed(cfg.seed, -2));
    const o = cfg.optim;
    this.optG = tf.train.adam(o.lrG, o.beta1, o.beta2, o.eps);
    this.optD = tf.train.adam(o.lrD, o.beta1, o.beta2, o.eps);
    this.textNgrams = [
      { order: 2, weight: cfg.loss.bigram },
      { order: 3, weight: cfg.loss.trigram },
    ]
      .filter((m) => m.weight > 0)
      .map((m) => ({ ...m, ...ngramTensors(ngramTable(text.sentences, m.order, NGRAM_TABLE_SIZE), text.units.length) }));
    this.batches = lengthGroupedBatches(
      audio.examples.map((e) => Math.min(e.steps, cfg.maxSteps)),
      cfg.batchSize,
      makeRng(updateSeed(cfg.seed, -3)),
    );
  }

  /** Whether update u (1-based) trains the discriminator: dSteps of them, then one generator update (1:1 → odd/even). */
  isDiscriminatorUpdate(u: number): boolean {
    // Without the adversarial term (matching losses only) there is nothing for the discriminator to do.
    if (this.cfg.loss.adversarial === 0) return false;
    return u % (this.cfg.dSteps + 1) !== 0;
  }

  /** Run update number `u` (1-based): a discriminator or a generator update (see isDiscriminatorUpdate). */
  step(u: number): StepLosses {
    const rng = makeRng(updateSeed(this.cfg.seed, u));
    this.G.reseed(rng.int(2 ** 31));
    this.D.reseed(rng.int(2 ** 31));
    const batch = this.batches[rng.int(this.batches.length)].map((i) => this.audio.examples[i]);
    const padded = padAudioBatch(batch, this.audio.dim, this.cfg.maxSteps);
    const B = batch.length;
    const V = this.text.units.length;
    const x = tf.tensor3d(padded.x, [B, padded.T, this.audio.dim]);
    const mask = tf.tensor2d(padded.mask, [B, padded.T]);
    try {
      if (!this.isDiscriminatorUpdate(u)) return this.generatorStep(x, mask, padded, rng);
      // Each audio sample is paired with a random text sentence (fairseq's RandomInputDataset).
      const real = oneHotBatch(Array.from({ length: B }, () => Array.from(this.text.sentences[rng.int(this.text.sentences.length)])), V);
      const realMask = lengthMask(real.lengths, real.x.shape[1]);
      try {
        return this.discriminatorStep(x, mask, padded.lengths, real.x, realMask, rng);
      } finally {
        tf.dispose([real.x, realMask]);
      }
    } finally {
      tf.dispose([x, mask]);
    }
  }

  private fake(x: tf.Tensor3D, mask: tf.Tensor2D, lengths: number[], rng: Rng) {
    const out = this.G.apply(x, true, mask);
    const joined = joinSegments(out.logits, lengths, 'sample', rng);
    const jMask = lengthMask(joined.lengths, joined.joined.shape[1]);
    return { out, joined: joined.joined, jMask };
  }

  private discriminatorStep(x: tf.Tensor3D, mask: tf.Tensor2D, lengths: number[], real: tf.Tensor3D, realMask: tf.Tensor2D, rng: Rng): StepLosses {
    const { out, joined, jMask } = this.fake(x, mask, lengths, rng);
    const fakeProbs = tf.tidy(() => tf.softmax(joined, 2)) as tf.Tensor3D;
    tf.dispose([out.logits, out.aux, joined]);
    const alpha = tf.tensor1d(Array.from({ length: Math.min(real.shape[0], fakeProbs.shape[0]) }, () => rng.next()));
    const l = this.cfg.loss;
    const wd = this.cfg.optim.weightDecayD;
    const parts: Record<string, tf.Scalar> = {};
    const vars = this.D.variables;
    const { value, grads } = tf.variableGrads(() => {
      const adv = discriminatorLoss(this.D.apply(fakeProbs, jMask, true), this.D.apply(real, realMask, true));
      const gp = gradientPenalty(this.D, real, fakeProbs, alpha, l.gradientPenaltyNorm);
      const decay = tf.mul(0.5 * wd, tf.addN(vars.map((v) => tf.sum(tf.square(v)))));
      parts.d_adv = tf.keep(adv.clone());
      parts.d_gp = tf.keep(gp.clone());
      return tf.addN([adv, tf.mul(l.gradientPenalty, gp), decay]) as tf.Scalar;
    }, vars);
    const gradNorm = this.apply(this.optD, grads);
    const losses = { d_loss: value.dataSync()[0], d_adv: parts.d_adv.dataSync()[0], d_gp: parts.d_gp.dataSync()[0], d_grad_norm: gradNorm };
    tf.dispose([value, fakeProbs, jMask, alpha, ...Object.values(parts)]);
    return losses;
  }

  private generatorStep(x: tf.Tensor3D, mask: tf.Tensor2D, padded: ReturnType<typeof padAudioBatch>, rng: Rng): StepLosses {
    const l = this.cfg.loss;
    const B = padded.lengths.length;
    const targets = tf.tensor2d(Int32Array.from(padded.clusters, (c) => Math.max(0, c)), [B, padded.T], 'int32');
    // Decipherment labels only when they are learned from: this runs on every generator update.
    const teacher = l.teacher > 0 ? tf.tensor2d(Int32Array.from(padded.teacher, (c) => Math.max(0, c)), [B, padded.T], 'int32') : undefined;
    const teacherMask = l.teacher > 0 ? tf.tensor2d(Float32Array.from(padded.teacher, (c, i) => (c >= 0 ? padded.mask[i] : 0)), [B, padded.T]) : undefined;
    const parts: Record<string, tf.Scalar> = {};
    const vars = this.G.variables;
    // The JOIN's argmax must be taken on the same forward pass the gradient flows through.
    const { value, grads } = tf.variableGrads(() => {
      const { out, joined, jMask } = this.fake(x, mask, padded.lengths, rng);
      const probs = tf.softmax(joined, 2) as tf.Tensor3D;
      const terms: tf.Scalar[] = [];
      if (l.adversarial > 0) {
        const adv = generatorAdversarialLoss(this.D.apply(probs, jMask, true));
        parts.g_adv = tf.keep(adv.clone());
        terms.push(l.adversarial === 1 ? adv : tf.mul(l.adversarial, adv));
      }
      if (l.smoothness > 0) {
        const s = smoothnessLoss(joined, jMask);
        parts.g_smooth = tf.keep(s.clone());
        terms.push(tf.mul(l.smoothness, s));
      }
      if (l.diversity > 0) {
        const d = diversityLoss(probs, jMask);
        parts.g_diversity = tf.keep(d.clone());
        terms.push(tf.mul(l.diversity, d));
      }
      for (const m of this.textNgrams) {
        const b = ngramMatchingLoss(probs, jMask, m.selectors, m.q);
        parts[m.order === 2 ? 'g_bigram' : 'g_trigram'] = tf.keep(b.clone());
        terms.push(tf.mul(m.weight, b));
      }
      if (teacher && teacherMask) {
        // Per step, before the JOIN: the decipherment labelled every segment.
        const t = auxClusterLoss(out.logits, teacher, teacherMask);
        parts.g_teacher = tf.keep(t.clone());
        terms.push(tf.mul(l.teacher, t));
      }
      if (l.aux > 0 && out.aux) {
        const a = auxClusterLoss(out.aux, targets, mask);
        parts.g_aux = tf.keep(a.clone());
        terms.push(tf.mul(l.aux, a));
      }
      return tf.addN(terms) as tf.Scalar;
    }, vars);
    const gradNorm = this.apply(this.optG, grads);
    const losses: StepLosses = { g_loss: value.dataSync()[0], g_grad_norm: gradNorm };
    for (const [k, v] of Object.entries(parts)) losses[k] = v.dataSync()[0];
    tf.dispose([value, targets, ...(teacher && teacherMask ? [teacher, teacherMask] : []), ...Object.values(parts)]);
    return losses;
  }

  /** Clip the gradients' global norm to cfg.optim.clip, apply them, return the norm before clipping. */
  private apply(opt: tf.Optimizer, grads: tf.NamedTensorMap): number {
    const names = Object.keys(grads);
    const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))))).dataSync()[0];
    const clip = this.cfg.optim.clip;
    const scale = clip > 0 && norm > clip ? clip / (norm + 1e-6) : 1;
    const scaled: tf.NamedTensorMap = {};
    for (const n of names) scaled[n] = scale === 1 ? grads[n] : tf.mul(grads[n], scale);
    opt.applyGradients(scaled);
    tf.dispose(Object.values(grads));
    if (scale !== 1) tf.dispose(Object.values(scaled));
    return norm;
  }

  /** Generator logits for whole utterances (eval mode, no dropout): one Float32Array (steps × units) each. */
  logitsFor(examples: AudioData['examples'], batchSize = 32): Float32Array[] {
    const out: Float32Array[] = [];
    const V = this.text.units.length;
    for (let i = 0; i < examples.length; i += batchSize) {
      const batch = examples.slice(i, i + batchSize);
      const padded = padAudioBatch(batch, this.audio.dim);
      const logits = tf.tidy(() => {
        const x = tf.tensor3d(padded.x, [batch.length, padded.T, this.audio.dim]);
        const mask = tf.tensor2d(padded.mask, [batch.length, padded.T]);
        return this.G.apply(x, false, mask).logits;
      });
      const data = logits.dataSync() as Float32Array;
      logits.dispose();
      batch.forEach((e, b) => out.push(data.slice(b * padded.T * V, (b * padded.T + e.steps) * V)));
    }
    return out;
  }

  async getState(): Promise<{ G: ModelWeights; D: ModelWeights; optG: OptimizerState; optD: OptimizerState }> {
    return { G: this.G.getWeights(), D: this.D.getWeights(), optG: await optimizerState(this.optG), optD: await optimizerState(this.optD) };
  }

  async setState(s: { G: ModelWeights; D: ModelWeights; optG: OptimizerState; optD: OptimizerState }, origin: string): Promise<void> {
    this.G.setWeights(s.G, origin);
    this.D.setWeights(s.D, origin);
    await setOptimizerState(this.optG, s.optG);
    await setOptimizerState(this.optD, s.optD);
  }

  dispose(): void {
    for (const m of this.textNgrams) tf.dispose([...m.selectors, m.q]);
    this.G.dispose();
    this.D.dispose();
    this.optG.dispose();
    this.optD.dispose();
  }
}
