/**
 * The neural stage of self-training (`self-train --neural`): after the last
 * HMM round, a CTC network (ctc-model.ts) is trained on that round's labels,
 * and the training audio is decoded with it (greedy CTC) at each blank
 * penalty of a grid. As in a round, the label-free score (ln phone-LM
 * perplexity × PER against the labels it learnt from) picks the blank
 * penalty; run.ts then keeps the network when its score is lower than the
 * best HMM round's.
 *
 *   OUT/neural/   ctc.bin (the network and its blank penalty), labels.txt +
 *                 spans.json (its decoding of the training audio),
 *                 candidates.tsv, epochs.tsv, manifest.json
 *   OUT/neural.checkpoint.bin   while training (per epoch; removed when done)
 *
 * A finished stage trained on the same labels with the same settings is
 * reused; after more rounds (other labels) it is trained again; other
 * settings are refused, as for rounds.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import { log } from '../util/log.js';
import { readManifest, writeManifest } from '../util/manifest.js';
import { startProgress } from '../util/progress.js';
import { checkAcousticUnits } from './acoustic-file.js';
import { CTC_FILE, ctcGreedy, ctcLogits, readCtcModel, stepsToFrames, writeCtcModel, type CtcDecoder } from './ctc-decoder.js';
import { DEFAULT_CTC_TRAIN, trainCtc, validateCtcTrainConfig, type CtcTrainConfig, type CtcTrainOutcome, type EpochStats } from './ctc-train.js';
import { describeScore, labelFreeScore, perAgainst, type LabelFreeScore } from './label-free-score.js';
import { LABEL_FILES, readLabelsDir, writeLabels, type LabelSet } from './labels.js';
import type { TrainingAudio } from './round.js';
import { tsvTable } from './tsv.js';

export const NEURAL_DIR = 'neural';
export const NEURAL_STAGE = 'self-train-neural';
const FORMAT = 1;

export interface NeuralStageConfig {
  train: CtcTrainConfig;
  /** Subtracted from the blank's logit before greedy decoding; the label-free score picks one. */
  blankPenalties: number[];
}

export const DEFAULT_NEURAL: NeuralStageConfig = { train: DEFAULT_CTC_TRAIN, blankPenalties: [0, 1, 2, 4] };

export function validateNeuralConfig(c: NeuralStageConfig): void {
  validateCtcTrainConfig(c.train);
  if (c.blankPenalties.length === 0 || c.blankPenalties.some((p) => !Number.isFinite(p)))
    throw new UsageError(`blank penalties must be a list of numbers, got ${c.blankPenalties.join(',')}`);
}

export interface NeuralCandidate extends LabelFreeScore {
  blankPenalty: number;
  /** PER against the references, when given (reported only). */
  per?: number;
}

export interface NeuralOutcome {
  decoder: CtcDecoder;
  chosen: NeuralCandidate;
  candidates: NeuralCandidate[];
  labels: LabelSet;
  training: CtcTrainOutcome;
  trainSec: number;
  decodeSec: number;
}

/** Train on `previous` (the last round's labels), decode the training audio at every blank penalty, choose by the label-free score. */
export async function runNeuralStage(data: TrainingAudio, previous: LabelSet, cfg: NeuralStageConfig, perFloor: number, o: { checkpoint?: string; key?: unknown } = {}): Promise<NeuralOutcome> {
  const units = data.topology.units;
  const index = new Map(units.map((u, i) => [u, i]));
  const examples = [];
  for (const u of data.utterances) {
    const l = previous.get(u.id);
    if (l && l.units.length > 0) examples.push({ id: u.id, frames: u.frames, labels: Int32Array.from(l.units, (p) => index.get(p) as number) });
  }
  const t0 = Date.now();
  const training = await trainCtc(examples, { inputDim: data.utterances[0].frames.cols, numUnits: units.length }, cfg.train, o);
  const trainSec = (Date.now() - t0) / 1000;

  const t1 = Date.now();
  const hyps = cfg.blankPenalties.map((): LabelSet => new Map());
  const bar = startProgress('neural decoding', data.utterances.length);
  for (const u of data.utterances) {
    const logits = ctcLogits(training.net, u.frames);
    cfg.blankPenalties.forEach((bp, i) => {
      const net = training.net;
      const d = stepsToFrames(ctcGreedy(logits, net.steps(u.frames.rows), units.length + 1, bp), net.cfg.stride, u.frames.rows);
      hyps[i].set(u.id, { units: Array.from(d.units, (k) => units[k]), spans: d.spans });
    });
    bar.tick(1);
  }
  bar.stop();
  const candidates: NeuralCandidate[] = cfg.blankPenalties.map((bp, i) => ({
    blankPenalty: bp,
    ...labelFreeScore(hyps[i], previous, data.lm, perFloor),
    ...(data.refs ? { per: perAgainst(hyps[i], data.refs) } : {}),
  }));
  let best = 0;
  candidates.forEach((c, i) => {
    if (c.score < candidates[best].score) best = i;
  });
  const chosen = candidates[best];
  return {
    decoder: { net: training.net, units, blankPenalty: chosen.blankPenalty },
    chosen,
    candidates,
    labels: hyps[best],
    training,
    trainSec,
    decodeSec: (Date.now() - t1) / 1000,
  };
}

/** What must match for a finished neural stage to be reused. */
export interface NeuralKey {
  /** The rounds' key (model, audio, start, HMM settings). */
  rounds: unknown;
  neural: NeuralStageConfig;
  trainedOnRound: number;
  labelsSha256: string;
}

export interface NeuralStats {
  trainedOnRound: number;
  blankPenalty: number;
  lmPpl: number;
  perVsPrevious: number;
  score: number;
  phonesPerUtterance: number;
  epochs: number;
  bestEpoch: number;
  heldOutLoss: number;
  trainedOn: number;
  heldOut: number;
  trainSec: number;
  decodeSec: number;
  seconds: number;
  cpuSec: number;
}

export function neuralKey(roundsKey: unknown, cfg: NeuralStageConfig, round: number, roundDir: string): NeuralKey {
  const sha = createHash('sha256').update(readFileSync(join(roundDir, LABEL_FILES.labels))).digest('hex');
  return { rounds: roundsKey, neural: cfg, trainedOnRound: round, labelsSha256: sha };
}

/**
 * The neural stage of a run in `outDir`: reused when finished with the same
 * key, else trained (resuming from its checkpoint) and written under a
 * temporary name, then renamed. Returns the stage's folder and statistics.
 */
export async function neuralStageIn(outDir: string, key: NeuralKey, data: TrainingAudio, labels: LabelSet, perFloor: number): Promise<{ dir: string; stats: NeuralStats }> {
  const dir = join(outDir, NEURAL_DIR);
  if (existsSync(join(dir, 'manifest.json'))) {
    const m = readManifest<NeuralKey>(dir, NEURAL_STAGE, FORMAT);
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (!same(m.config.rounds, key.rounds) || !same(m.config.neural, key.neural))
      throw new UsageError(`${dir} was made with other settings or inputs (see its manifest.json); use a new output folder or remove it`);
    if (same(m.config, key)) {
      log.info(`neural stage: already done (${dir})`);
      return { dir, stats: (m.stats as { metrics: NeuralStats }).metrics };
    }
    log.info(`neural stage: ${dir} was trained on round ${m.config.trainedOnRound}'s labels; training again on round ${key.trainedOnRound}'s`);
  }
  rmSync(dir, { recursive: true, force: true });
  const checkpoint = join(outDir, `${NEURAL_DIR}.checkpoint.bin`);
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  // A checkpoint continues under another --neural-epochs (as more --rounds continue the rounds).
  const checkpointKey = { ...key, neural: { ...key.neural, train: { ...key.neural.train, maxEpochs: undefined } } };
  const res = await runNeuralStage(data, labels, key.neural, perFloor, { checkpoint, key: checkpointKey });
  const cpu = process.cpuUsage(cpu0);
  const c = res.chosen;
  const kept = res.training.epochs[res.training.bestEpoch - 1];
  const stats: NeuralStats = {
    trainedOnRound: key.trainedOnRound,
    blankPenalty: c.blankPenalty,
    lmPpl: c.lmPpl,
    perVsPrevious: c.perVsPrevious,
    score: c.score,
    phonesPerUtterance: [...res.labels.values()].reduce((n, l) => n + l.units.length, 0) / Math.max(1, res.labels.size),
    epochs: res.training.epochs.length,
    bestEpoch: res.training.bestEpoch,
    heldOutLoss: kept.heldOutLoss,
    trainedOn: res.training.trainedOn,
    heldOut: res.training.heldOut,
    trainSec: res.trainSec,
    decodeSec: res.decodeSec,
    seconds: (Date.now() - t0) / 1000,
    cpuSec: (cpu.user + cpu.system) / 1e6,
  };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeCtcModel(join(tmp, CTC_FILE), res.decoder, { trainedOnRound: key.trainedOnRound, bestEpoch: res.training.bestEpoch, training: key.neural.train });
  writeLabels(tmp, res.labels);
  writeFileAtomic(join(tmp, 'candidates.tsv'), tsvTable(['blankPenalty', 'lmPpl', 'perVsPrevious', 'score', 'per'], res.candidates));
  writeFileAtomic(join(tmp, 'epochs.tsv'), tsvTable(['epoch', 'trainLoss', 'heldOutLoss', 'seconds'], res.training.epochs satisfies EpochStats[]));
  writeManifest(tmp, { stage: NEURAL_STAGE, formatVersion: FORMAT, config: key, stats: { metrics: stats, infeasible: res.training.infeasible } });
  renameSync(tmp, dir);
  rmSync(checkpoint, { force: true });
  res.training.net.dispose();
  log.info(
    `neural stage done in ${Math.round(stats.seconds)} s: epoch ${stats.bestEpoch} of ${stats.epochs} kept, blank penalty ${c.blankPenalty}; ` +
      describeScore(c, key.trainedOnRound),
  );
  return { dir, stats };
}

/** The stage's network and its labels of the training audio, from its folder. */
export function readNeuralDir(dir: string, units: string[]): { decoder: CtcDecoder; labels: LabelSet } {
  const decoder = readCtcModel(join(dir, CTC_FILE));
  checkAcousticUnits(join(dir, CTC_FILE), decoder.units, units);
  return { decoder, labels: readLabelsDir(dir, units) };
}
