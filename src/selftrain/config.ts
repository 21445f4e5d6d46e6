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

/**
 * Re-training of the generator on a round's labels (src/selftrain/regenerate.ts) as the start
 * of the next round: the labels teach it, and matching the text's phone bigrams and frequent
 * trigrams lets it depart from them where the text disagrees.
 */
export interface RegenerateConfig {
  /** The rounds that start from the new generator's transcription (each ≥ 2). */
  before: number[];
  /** Generator updates (batches of 32 recordings). */
  updates: number;
  /** Weights of the labels (cross-entropy) and of the bigram / trigram matching. */
  teacher: number;
  bigram: number;
  trigram: number;
}

/**
 * On the demo corpus (two syntheses), 800 updates of teacher 1 + bigram 1 + trigram 1 from a
 * round's labels took held-out PER from 40.6 to 34.0 % and from 29.1 to 26.4 % after the
 * rounds that followed (docs/results.md, "Seventh round"). The generator's validation metric
 * levels off after about 500 updates.
 */
export const DEFAULT_REGENERATE_SETTINGS: Omit<RegenerateConfig, 'before'> = { updates: 500, teacher: 1, bigram: 1, trigram: 1 };

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
  /** Re-train the generator on the previous round's labels before some rounds (`--regenerate`; needs the text); null = never. */
  regenerate: RegenerateConfig | null;
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
  regenerate: null,
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
  if (c.regenerate) {
    for (const r of c.regenerate.before)
      if (!(Number.isInteger(r) && r >= 2 && r <= c.rounds)) throw new UsageError(`re-training the generator starts a round from the previous round's labels: rounds 2..${c.rounds}, got ${r}`);
    posInt('generator updates', c.regenerate.updates);
    for (const k of ['teacher', 'bigram', 'trigram'] as const)
      if (!(c.regenerate[k] >= 0 && Number.isFinite(c.regenerate[k]))) throw new UsageError(`the generator's ${k} weight must be ≥ 0, got ${c.regenerate[k]}`);
    if (c.redecipher?.before.some((r) => c.regenerate?.before.includes(r)))
      throw new UsageError('a round starts from re-decipherment or from a re-trained generator, not both');
  }
  if (c.insertionPenalties.length === 0 || c.insertionPenalties.some((p) => !Number.isFinite(p))) throw new UsageError(`insertion penalties must be a list of numbers, got ${c.insertionPenalties.join(',')}`);
}
