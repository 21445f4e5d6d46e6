/**
 * One self-training round: labels in → HMM-GMM trained on them (monophone,
 * then spliced frames + LDA) → every training utterance decoded with each
 * stage and each LM weight / insertion penalty of the grid → the candidate
 * with the lowest label-free score gives the next labels and the round's model.
 */
import type { AcousticModel, DecodeSettings } from '../hmm/acoustic-model.js';
import { applyTransform, estimateLda, identityTransform, type FeatureTransform } from '../hmm/feature-transform.js';
import type { PhoneBigram } from '../hmm/phone-loop.js';
import type { PhoneTopology } from '../hmm/topology.js';
import { PASS_CHUNK, trainHmm, type LabelledUtterance, type PassStats } from '../hmm/train.js';
import type { NgramLM } from '../lm/index.js';
import { FieldphoneError } from '../util/errors.js';
import { log } from '../util/log.js';
import { inSharedMemory, type Matrix } from '../util/matrix.js';
import { startProgress } from '../util/progress.js';
import type { SelfTrainConfig } from './config.js';
import { labelFreeScore, perAgainst, type LabelFreeScore } from './label-free-score.js';
import type { LabelSet } from './labels.js';
import { decodeAll } from './round-decode.js';
import { RoundTrainingPool } from './round-train.js';
import { availableParallelism } from 'node:os';

export interface TrainingAudio {
  /** Every prepared training utterance, with its normalised frames. */
  utterances: { id: string; frames: Matrix }[];
  topology: PhoneTopology;
  lm: NgramLM;
  bigram: PhoneBigram;
  /** References for (some of) the utterances: PER is reported, never used to choose. */
  refs?: Map<string, string[]>;
  /** Threads for the HMM training passes and the decoding (default: one per core). */
  workers?: number;
}

export interface Candidate extends LabelFreeScore, DecodeSettings {
  stage: 'mono' | 'lda';
  /** PER against the references, when given. */
  per?: number;
}

export interface RoundOutcome {
  model: AcousticModel;
  chosen: Candidate;
  candidates: Candidate[];
  labels: LabelSet;
  stats: {
    trainedOn: number;
    notAligned: number;
    trainSec: number;
    decodeSec: number;
    monoLogLikPerFrame: number;
    ldaLogLikPerFrame?: number;
  };
}

export async function runRound(round: number, data: TrainingAudio, previous: LabelSet, cfg: SelfTrainConfig): Promise<RoundOutcome> {
  const t0 = Date.now();
  const { topology } = data;
  const unitIndex = new Map(topology.units.map((u, i) => [u, i]));
  // One copy of the frames in shared memory serves the training and the decoding threads.
  const utterances = (data.workers ?? availableParallelism()) > 1 ? withSharedFrames(data.utterances) : data.utterances;
  const labelled: LabelledUtterance[] = [];
  for (const u of utterances) {
    const l = previous.get(u.id);
    if (!l || l.units.length === 0) continue;
    labelled.push({ id: u.id, x: u.frames, labels: Int32Array.from(l.units, (p) => unitIndex.get(p) as number), spans: l.spans });
  }
  if (labelled.length === 0) throw new Error(`round ${round}: no training utterance has labels`);
  const passLog = (stage: string, passes: number) => (p: PassStats) =>
    log.info(`round ${round} ${stage} pass ${p.pass}/${passes}: ${p.gaussians.toFixed(1)} Gaussians/state, log-likelihood/frame ${p.logLikPerFrame.toFixed(2)}, ${p.aligned} aligned${p.failed ? `, ${p.failed} not` : ''}`);

  const { stages, notAligned, monoLogLik, ldaLogLik } = await trainRoundModels(labelled, topology, cfg, { workers: data.workers, onPass: passLog, what: `round ${round}` });
  const trainSec = (Date.now() - t0) / 1000;

  const t1 = Date.now();
  const grid: DecodeSettings[] = [];
  for (const lmWeight of cfg.lmWeights) for (const insertionPenalty of cfg.insertionPenalties) grid.push({ lmWeight, insertionPenalty });
  const hyps = stages.map(() => grid.map((): LabelSet => new Map()));
  const bar = startProgress(`round ${round} decoding`, data.utterances.length);
  const decoded = await decodeAll({ utterances, models: stages.map((st) => st.model), grid, bigram: data.bigram, workers: data.workers, bar });
  bar.stop();
  data.utterances.forEach((u, k) =>
    decoded[k].forEach((perStage, i) => perStage.forEach((d, j) => hyps[i][j].set(u.id, { units: Array.from(d.units, (x) => topology.units[x]), spans: d.spans }))),
  );
  const candidates: Candidate[] = [];
  stages.forEach((st, i) =>
    grid.forEach((g, j) => {
      const s = labelFreeScore(hyps[i][j], previous, data.lm, cfg.perFloor);
      candidates.push({ stage: st.stage, ...g, ...s, ...(data.refs ? { per: perAgainst(hyps[i][j], data.refs) } : {}) });
    }),
  );
  let best = 0;
  candidates.forEach((c, k) => {
    if (c.score < candidates[best].score) best = k;
  });
  const chosen = candidates[best];
  const si = Math.floor(best / grid.length), gi = best % grid.length;
  return {
    model: stages[si].model,
    chosen,
    candidates,
    labels: hyps[si][gi],
    stats: {
      trainedOn: labelled.length,
      notAligned,
      trainSec,
      decodeSec: (Date.now() - t1) / 1000,
      monoLogLikPerFrame: monoLogLik,
      ...(ldaLogLik !== undefined ? { ldaLogLikPerFrame: ldaLogLik } : {}),
    },
  };
}

export interface RoundModels {
  /** The monophone model, then the LDA stage's when configured. */
  stages: { stage: Candidate['stage']; model: AcousticModel }[];
  /** Labelled utterances the monophone model could not align. */
  notAligned: number;
  monoLogLik: number;
  ldaLogLik?: number;
}

/**
 * A round's HMM training: the monophone model on the labels, then (cfg.lda) the LDA projection
 * of spliced frames, estimated on the monophone alignment, and a model in that space. The
 * passes and the projection run on worker threads when there are cores for it (the models are
 * the same as in one thread).
 */
export async function trainRoundModels(
  labelled: LabelledUtterance[],
  topology: PhoneTopology,
  cfg: Pick<SelfTrainConfig, 'mono' | 'lda'>,
  o: { workers?: number; onPass?: (stage: string, passes: number) => (p: PassStats) => void; /** Names the training in errors. */ what?: string } = {},
): Promise<RoundModels> {
  const D = labelled[0].x.cols;
  const workers = Math.min(o.workers ?? availableParallelism(), Math.ceil(labelled.length / PASS_CHUNK));
  const pool = workers > 1 ? await RoundTrainingPool.start(workers) : undefined;
  try {
    const mono = await trainHmm(topology, identityTransform(D), labelled, cfg.mono, { onPass: o.onPass?.('monophone', cfg.mono.passes), runner: pool?.runner(labelled) });
    const notAligned = mono.alignments.filter((a) => a === undefined).length;
    if (notAligned === labelled.length)
      throw new FieldphoneError('no-alignment', `${o.what ?? 'HMM training'}: none of the ${labelled.length} labelled utterances could be aligned to its labels (more HMM states than frames); try --phone-states 1`);
    const out: RoundModels = { stages: [{ stage: 'mono', model: mono.model }], notAligned, monoLogLik: last(mono.passes)?.logLikPerFrame ?? NaN };
    if (cfg.lda) {
      const lda = cfg.lda;
      const aligned = labelled.map((u, i) => ({ u, a: mono.alignments[i], spans: mono.labelSpans[i] })).filter((v) => v.a !== undefined);
      const matrix = estimateLda(aligned.map((v) => v.u.x), aligned.map((v) => v.a as Int32Array), topology.numStates, { splice: lda.splice, dim: lda.dim, maxFrames: lda.maxFrames });
      const transform: FeatureTransform = { inputDim: D, splice: lda.splice, lda: { dim: Math.min(lda.dim, D * (2 * lda.splice + 1)), matrix } };
      // Flat start of the LDA stage from the monophone alignment's phone spans.
      const ldaX = pool ? await pool.transform(transform, aligned.map((v) => v.u)) : aligned.map((v) => applyTransform(transform, v.u.x));
      const ldaUtts = aligned.map((v, i) => ({ ...v.u, x: ldaX[i], spans: v.spans }));
      const trained = await trainHmm(topology, transform, ldaUtts, lda.train, { onPass: o.onPass?.('LDA', lda.train.passes), runner: pool?.runner(ldaUtts) });
      out.stages.push({ stage: 'lda', model: trained.model });
      out.ldaLogLik = last(trained.passes)?.logLikPerFrame;
    }
    return out;
  } finally {
    await pool?.close();
  }
}

function withSharedFrames(utts: TrainingAudio['utterances']): TrainingAudio['utterances'] {
  const frames = inSharedMemory(utts.map((u) => u.frames));
  return utts.map((u, i) => ({ id: u.id, frames: frames[i] }));
}

function last<T>(a: T[]): T | undefined {
  return a[a.length - 1];
}
