/**
 * Training the neural stage's CTC network on pseudo-labels: Adam over
 * batches of utterances of similar length, a held-out share of the labelled
 * utterances for early stopping on the CTC loss against their (pseudo-)labels
 * (no reference transcript is involved), and the epoch with the lowest
 * held-out loss kept.
 *
 * Every random choice of epoch e (batch grouping and order, dropout) comes from
 * a seed derived from (seed, e). After each epoch the weights, the best
 * weights so far and Adam's state go to a checkpoint, so an interrupted run
 * continues from the last finished epoch and ends exactly where an
 * uninterrupted one would.
 */
import { existsSync, rmSync } from 'node:fs';
import { tf } from '../backend/index.js';
import { ctcFeasible, ctcLoss } from '../model/ctc-loss.js';
import type { ModelWeights } from '../model/params.js';
import { lengthGroupedBatches } from '../train/data.js';
import { optimizerState, setOptimizerState, updateSeed } from '../model/optimizer-state.js';
import { UsageError } from '../util/errors.js';
import { integerCheckFor } from '../util/config-check.js';
import { log } from '../util/log.js';
import type { Matrix } from '../util/matrix.js';
import { formatDuration, startProgress } from '../util/progress.js';
import { makeRng, shuffleInPlace } from '../util/rng.js';
import { prefixed, readTensorFile, stripPrefix, writeTensorFile, type TensorMap } from '../util/tensor-file.js';
import { CtcNet, validateCtcNetConfig, type CtcNetConfig } from './ctc-model.js';

export interface CtcTrainConfig {
  net: Omit<CtcNetConfig, 'inputDim' | 'numUnits'>;
  learningRate: number;
  /** At most this many passes over the training utterances. */
  maxEpochs: number;
  /** Stop after this many epochs without a lower held-out loss. */
  patience: number;
  /** Utterances per batch (grouped by length). */
  batchSize: number;
  /** Share of the labelled utterances held out for early stopping. */
  heldOut: number;
  seed: number;
}

export const DEFAULT_CTC_TRAIN: CtcTrainConfig = {
  net: { stride: 2, context: 2, hidden: 256, layers: 2, kernel: 5, dropout: 0.1 },
  learningRate: 1e-3,
  maxEpochs: 20,
  patience: 3,
  batchSize: 8,
  heldOut: 0.1,
  seed: 1,
};

export function validateCtcTrainConfig(c: CtcTrainConfig): void {
  validateCtcNetConfig(c.net);
  const int = integerCheckFor('neural');
  int('epochs', c.maxEpochs, 1);
  int('patience', c.patience, 1);
  int('batch size', c.batchSize, 1);
  if (!(c.learningRate > 0 && Number.isFinite(c.learningRate))) throw new UsageError(`neural learning rate must be a positive number, got ${c.learningRate}`);
  if (!(c.heldOut >= 0 && c.heldOut < 1)) throw new UsageError(`neural held-out share must be in [0, 1), got ${c.heldOut}`);
}

export interface CtcExample {
  id: string;
  frames: Matrix;
  /** Unit indices (the blank is numUnits). */
  labels: Int32Array;
}

export interface EpochStats {
  epoch: number;
  /** CTC loss per output step (nats): training batches (with dropout) and held-out utterances. */
  trainLoss: number;
  heldOutLoss: number;
  seconds: number;
}

export interface CtcTrainOutcome {
  net: CtcNet;
  epochs: EpochStats[];
  /** The epoch whose weights were kept. */
  bestEpoch: number;
  trainedOn: number;
  heldOut: number;
  /** Utterances with fewer frames than their labels need (left out). */
  infeasible: number;
}

const CHECKPOINT_KIND = 'ctc-checkpoint';

interface CheckpointMeta {
  key: unknown;
  epoch: number;
  bestEpoch: number;
  bestLoss: number;
  epochs: EpochStats[];
}

/**
 * Train on `examples`. `checkpoint` (a file path) makes the run resumable; a
 * checkpoint made with another `key` (settings, labels) is discarded.
 */
export async function trainCtc(
  examples: CtcExample[],
  dims: { inputDim: number; numUnits: number },
  cfg: CtcTrainConfig,
  o: { checkpoint?: string; key?: unknown } = {},
): Promise<CtcTrainOutcome> {
  validateCtcTrainConfig(cfg);
  const stride = cfg.net.stride;
  const usable = examples.filter((e) => ctcFeasible(Math.ceil(e.frames.rows / stride), e.labels));
  const infeasible = examples.length - usable.length;
  if (infeasible > 0) log.warn(`neural stage: ${infeasible} utterance(s) have fewer frames than their labels need; left out`);
  if (usable.length === 0) throw new UsageError('neural stage: no labelled utterance to train on');
  const order = shuffleInPlace(usable.map((_, i) => i), makeRng(updateSeed(cfg.seed, -1)));
  const nHeld = usable.length >= 2 && cfg.heldOut > 0 ? Math.max(1, Math.round(cfg.heldOut * usable.length)) : 0;
  const held = order.slice(0, nHeld).sort((a, b) => a - b).map((i) => usable[i]);
  const train = order.slice(nHeld).sort((a, b) => a - b).map((i) => usable[i]);

  const net = new CtcNet({ ...cfg.net, ...dims }, updateSeed(cfg.seed, -2));
  const opt: tf.Optimizer = tf.train.adam(cfg.learningRate);
  let epochs: EpochStats[] = [];
  let best = { epoch: 0, loss: Infinity, weights: undefined as ModelWeights | undefined };
  if (o.checkpoint && existsSync(o.checkpoint)) {
    const { tensors, meta } = readTensorFile(o.checkpoint, CHECKPOINT_KIND, 'neural-stage checkpoint');
    const m = meta as CheckpointMeta;
    if (JSON.stringify(m.key) === JSON.stringify(o.key ?? null)) {
      net.setWeights(stripPrefix('w', tensors), o.checkpoint);
      await setOptimizerState(opt, stripPrefix('opt', tensors));
      best = { epoch: m.bestEpoch, loss: m.bestLoss, weights: stripPrefix('best', tensors) };
      epochs = m.epochs;
      log.info(`neural stage: continuing after epoch ${m.epoch} (${o.checkpoint})`);
    } else {
      log.info(`neural stage: ${o.checkpoint} was made with other settings or labels; starting afresh`);
      rmSync(o.checkpoint, { force: true });
    }
  }
  log.info(`neural stage: ${net.paramCount} weights; ${train.length} utterances to train on, ${held.length} held out for early stopping`);

  for (let e = epochs.length + 1; e <= cfg.maxEpochs && e - best.epoch <= cfg.patience; e++) {
    const t0 = Date.now();
    const rng = makeRng(updateSeed(cfg.seed, e));
    net.reseed(rng.int(2 ** 31));
    const batches = lengthGroupedBatches(train.map((x) => x.frames.rows), cfg.batchSize, rng);
    const bar = startProgress(`neural epoch ${e}`, batches.length);
    let sum = 0, frames = 0;
    for (const idx of batches) {
      const batch = idx.map((i) => train[i]);
      const p = padBatch(batch, stride);
      tf.tidy(() => {
        const x = tf.tensor3d(p.x, [p.B, p.T, p.D]);
        const mask = tf.tensor2d(p.mask, [p.B, p.T / stride]);
        let r: ReturnType<typeof ctcLoss> | undefined;
        const { grads } = tf.variableGrads(() => {
          r = ctcLoss(net.apply(x, true, mask), batch.map((b) => b.labels), p.lengths, net.blank);
          return r.loss;
        }, net.variables);
        opt.applyGradients(grads);
        const res = r as ReturnType<typeof ctcLoss>;
        for (const v of res.nll) if (Number.isFinite(v)) sum += v;
        frames += res.frames;
      });
      bar.tick(1);
    }
    bar.stop();
    const trainLoss = sum / Math.max(1, frames);
    const heldOutLoss = held.length ? ctcLossOf(net, held, cfg.batchSize) : trainLoss;
    const stats: EpochStats = { epoch: e, trainLoss, heldOutLoss, seconds: (Date.now() - t0) / 1000 };
    epochs.push(stats);
    if (heldOutLoss < best.loss) best = { epoch: e, loss: heldOutLoss, weights: net.getWeights() };
    log.info(
      `neural epoch ${e}/${cfg.maxEpochs}: CTC loss per step ${trainLoss.toFixed(3)} (training), ${heldOutLoss.toFixed(3)} (held out; best ${best.loss.toFixed(3)} at epoch ${best.epoch}), ${formatDuration(stats.seconds)}`,
    );
    if (o.checkpoint) {
      const tensors: TensorMap = { ...prefixed('w', net.getWeights()), ...prefixed('best', best.weights as ModelWeights), ...prefixed('opt', await optimizerState(opt)) };
      const meta: CheckpointMeta = { key: o.key ?? null, epoch: e, bestEpoch: best.epoch, bestLoss: best.loss, epochs };
      writeTensorFile(o.checkpoint, CHECKPOINT_KIND, tensors, meta);
    }
  }
  opt.dispose();
  if (best.weights) net.setWeights(best.weights);
  return { net, epochs, bestEpoch: best.epoch, trainedOn: train.length, heldOut: held.length, infeasible };
}

/** Mean CTC loss per output step of `examples` (no dropout, no gradient). */
export function ctcLossOf(net: CtcNet, examples: CtcExample[], batchSize: number): number {
  const sorted = [...examples].sort((a, b) => a.frames.rows - b.frames.rows);
  let sum = 0, frames = 0;
  for (let i = 0; i < sorted.length; i += batchSize) {
    const batch = sorted.slice(i, i + batchSize);
    const s = net.cfg.stride;
    const p = padBatch(batch, s);
    tf.tidy(() => {
      const logits = net.apply(tf.tensor3d(p.x, [p.B, p.T, p.D]), false, tf.tensor2d(p.mask, [p.B, p.T / s]));
      const r = ctcLoss(logits, batch.map((b) => b.labels), p.lengths, net.blank);
      for (const v of r.nll) if (Number.isFinite(v)) sum += v;
      frames += r.frames;
    });
  }
  return sum / Math.max(1, frames);
}

/**
 * Frames of a batch zero-padded to T, the longest rounded up to a multiple of
 * the stride, with a [B, T/stride] mask and each utterance's length in steps.
 */
export function padBatch(batch: { frames: Matrix }[], stride: number): { x: Float32Array; mask: Float32Array; lengths: number[]; B: number; T: number; D: number } {
  const B = batch.length, D = batch[0].frames.cols;
  const lengths = batch.map((b) => Math.ceil(b.frames.rows / stride));
  const steps = Math.max(...lengths), T = steps * stride;
  const x = new Float32Array(B * T * D);
  const mask = new Float32Array(B * steps);
  batch.forEach((b, i) => {
    x.set(b.frames.data.subarray(0, b.frames.rows * D), i * T * D);
    mask.fill(1, i * steps, i * steps + lengths[i]);
  });
  return { x, mask, lengths, B, T, D };
}
