/**
 * Re-training the generator on a self-training round's labels. The HMM rounds settle
 * on their own labels, mistakes included: a phone the first decipherment named wrongly
 * stays wrong. A generator taught by the round's labels *and* pushed to match the text's
 * phone-bigram and frequent-trigram statistics can depart from the labels where the text
 * disagrees; its transcription of the training audio then starts the next round.
 *
 * The run is an ordinary `train` run folder (resumable, with its own metrics and plots);
 * its checkpoint is chosen by the weighted phone-LM perplexity of held-out training
 * recordings, as every generator's is.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelFolder, type LoadedModel } from '../model/model-folder.js';
import type { PreparedAudio } from '../pipeline/prepare-audio.js';
import type { GanConfig, GanConfigOverrides } from '../train/config.js';
import { RUN_FILES, trainGan, type TrainGanResult } from '../train/run.js';
import type { RegenerateConfig } from './config.js';
import { ganLabels } from './gan-labels.js';
import type { LabelSet } from './labels.js';

export interface RegenerateResult {
  /** The new generator's transcription of the training audio (with frame spans). */
  labels: LabelSet;
  training: TrainGanResult;
}

/**
 * The generator's settings: the starting model's input and architecture, losses of
 * labels + n-gram matching only (no discriminator), the demo's batch and crop.
 */
export function regenerateGanConfig(gan: LoadedModel, cfg: Omit<RegenerateConfig, 'before'>): GanConfigOverrides {
  const trained = gan.config.training as Partial<GanConfig> | undefined;
  return {
    input: gan.config.input,
    ...(trained?.generator ? { generator: trained.generator } : {}),
    loss: { teacher: cfg.teacher, bigram: cfg.bigram, trigram: cfg.trigram, adversarial: 0, smoothness: 0, diversity: 0, aux: 0 },
    decipher: null,
    batchSize: 32,
    maxSteps: 200,
    updates: cfg.updates,
    validEvery: 100,
    seed: trained?.seed ?? 1,
  };
}

export async function regenerateLabels(o: {
  gan: LoadedModel;
  labels: LabelSet;
  /** Where the labels came from (recorded in the run's run.json). */
  source: string;
  prepared: PreparedAudio;
  textDir: string;
  runDir: string;
  cfg: Omit<RegenerateConfig, 'before'>;
  validRef?: string;
}): Promise<RegenerateResult> {
  const training = await trainGan({
    audioDir: o.prepared.dir,
    textDir: o.textDir,
    validRefs: o.validRef,
    outDir: o.runDir,
    config: regenerateGanConfig(o.gan, o.cfg),
    teacher: { source: o.source, labels: o.labels },
    resume: existsSync(join(o.runDir, RUN_FILES.run)),
  });
  const model = loadModelFolder(join(o.runDir, RUN_FILES.model));
  return { labels: ganLabels(model, o.prepared), training };
}
