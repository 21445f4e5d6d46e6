/** Settings of `fieldphone self-train` (notes §7, §10: Kaldi's self-training recipe scaled down). */
import { DEFAULT_HMM_TRAIN, type HmmTrainConfig } from '../hmm/train.js';
import { UsageError } from '../util/errors.js';
import { checkInteger } from '../util/config-check.js';
import { validateNeuralConfig, type NeuralStageConfig } from './neural-stage.js';
import { DEFAULT_DECIPHER, validateDecipherConfig, type DecipherConfig } from '../decipher/config.js';

/** Re-decipherment of a round's segments (src/decipher/relabel.ts) as the start of the next round. */
export interface RedecipherConfig {
  /** The rounds that start from the re-decipherment of the previous round's segments (each ≥ 2). */
  before: number[];
  decipher: DecipherConfig;
}

/**
 * On the demo corpus, re-deciphering the segments of a self-training round gave 46.1 % PER with
 * 200 clusters, 50.2 % with 150 and 57.3 % with 100 (the round's own labels: 54.1 %;
 * docs/results.md). One clustering with 8 annealing runs.
 */
export const DEFAULT_REDECIPHER_SETTINGS: DecipherConfig = { ...DEFAULT_DECIPHER, clusterings: 1, restarts: 8 };

export interface LdaStageConfig {
  /** Frames of context on each side before LDA (Kaldi: ±3 for LDA+MLLT). */
  splice: number;
  dim: number;
  /** Within-class scatter is estimated on at most this many frames. */
  maxFrames: number;
  train: HmmTrainConfig;
}

export interface SelfTrainConfig {
  rounds: number;
  /**
   * Emitting states of <SIL> and of every other phone. Kaldi's self-training recipe, on wav2vec
   * features, uses 3 and 1; on MFCC three states per phone do much better (Czech, trained on the
   * true transcripts: 55 % PER against 67 % with one state), so that is the default here.
   */
  silenceStates: number;
  phoneStates: number;
  mono: HmmTrainConfig;
  /** The spliced + LDA stage trained after the monophone one in every round; null = monophone only. */
  lda: LdaStageConfig | null;
  /** Decoding grid; the label-free score picks the stage, weight and penalty of each round. */
  lmWeights: number[];
  insertionPenalties: number[];
  /** Floor of the PER-against-previous-labels factor (fairseq's min_vt_uer). */
  perFloor: number;
  /** The CTC network trained on the last round's labels (`--neural`); null = none. */
  neural: NeuralStageConfig | null;
  /** Re-decipher before some rounds (`--redecipher`; needs the text); null = never. */
  redecipher: RedecipherConfig | null;
}

export const DEFAULT_SELF_TRAIN: SelfTrainConfig = {
  rounds: 3,
  silenceStates: 3,
  phoneStates: 3,
  mono: { ...DEFAULT_HMM_TRAIN },
  lda: { splice: 3, dim: 40, maxFrames: 100_000, train: { ...DEFAULT_HMM_TRAIN, passes: 6 } },
  lmWeights: [2, 4, 8],
  insertionPenalties: [-4, 0, 4, 8, 12],
  perFloor: 0,
  neural: null,
  redecipher: null,
};

export function validateSelfTrainConfig(c: SelfTrainConfig): void {
  const posInt = (name: string, v: number, min = 1) => checkInteger(name, v, min);
  posInt('rounds', c.rounds);
  posInt('silence states', c.silenceStates);
  posInt('phone states', c.phoneStates);
  for (const [name, t] of [['monophone', c.mono], ['LDA', c.lda?.train]] as const) {
    if (!t) continue;
    posInt(`${name} Gaussians per state`, t.maxGaussians);
    posInt(`${name} passes`, t.passes);
    posInt(`${name} split interval`, t.splitEvery);
    if (t.reestimation !== 'viterbi' && t.reestimation !== 'baum-welch') throw new UsageError(`re-estimation must be viterbi or baum-welch, got '${t.reestimation}'`);
  }
  if (c.lda) {
    posInt('LDA splice', c.lda.splice, 0);
    posInt('LDA dimension', c.lda.dim);
  }
  if (c.lmWeights.length === 0 || c.lmWeights.some((w) => !(w >= 0 && Number.isFinite(w)))) throw new UsageError(`LM weights must be a list of non-negative numbers, got ${c.lmWeights.join(',')}`);
  if (c.neural) validateNeuralConfig(c.neural);
  if (c.redecipher) {
    for (const r of c.redecipher.before)
      if (!(Number.isInteger(r) && r >= 2 && r <= c.rounds)) throw new UsageError(`re-decipherment starts a round from the previous round's segments: rounds 2..${c.rounds}, got ${r}`);
    validateDecipherConfig(c.redecipher.decipher);
  }
  if (c.insertionPenalties.length === 0 || c.insertionPenalties.some((p) => !Number.isFinite(p))) throw new UsageError(`insertion penalties must be a list of numbers, got ${c.insertionPenalties.join(',')}`);
}
