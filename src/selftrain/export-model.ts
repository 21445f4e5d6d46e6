/**
 * The self-trained model folder: the GAN's model folder (units, feature
 * settings, k-means, PCA, LMs, lexicon, generator), plus
 *
 *   hmm.bin          the chosen round's HMM-GMM with its LM weight and insertion penalty, or
 *   ctc.bin          the neural stage's CTC network with its blank penalty
 *   self-training/   metrics.jsonl and plots of the rounds
 *
 * and a manifest whose config gains `acoustic` (kind 'hmm-gmm' or 'ctc'), so
 * `transcribe` and the server use it unchanged: they decode with the network
 * when ctc.bin is present, else with the HMM when hmm.bin is
 * (src/transcribe/transcribe.ts). The other kind's file, which a self-trained
 * input folder may hold, is left out so the folder has one acoustic model.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MODEL_FORMAT, MODEL_STAGE } from '../model/model-folder.js';
import { readManifest, writeManifest } from '../util/manifest.js';
import { CTC_FILE } from './ctc-decoder.js';
import { HMM_FILE } from './hmm-decoder.js';

export const SELF_TRAINING_DIR = 'self-training';

export type AcousticInfo =
  | { kind: 'hmm-gmm'; file: typeof HMM_FILE; round: number; stage: string; lmWeight: number; insertionPenalty: number }
  | { kind: 'ctc'; file: typeof CTC_FILE; trainedOnRound: number; blankPenalty: number; bestEpoch: number };

/** `sourceDir` holds the acoustic model's file (a round's folder, or the neural stage's). */
export function exportSelfTrainedModel(o: { ganModelDir: string; sourceDir: string; runDir: string; outDir: string; acoustic: AcousticInfo; stats: Record<string, unknown> }): string {
  const out = resolve(o.outDir);
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const m = readManifest<Record<string, unknown>>(o.ganModelDir, MODEL_STAGE, MODEL_FORMAT);
  cpSync(o.ganModelDir, tmp, { recursive: true });
  for (const f of [HMM_FILE, CTC_FILE]) rmSync(join(tmp, f), { force: true });
  copyFileSync(join(o.sourceDir, o.acoustic.file), join(tmp, o.acoustic.file));
  rmSync(join(tmp, SELF_TRAINING_DIR), { recursive: true, force: true });
  mkdirSync(join(tmp, SELF_TRAINING_DIR));
  for (const f of ['metrics.jsonl', 'plots']) {
    const src = join(o.runDir, f);
    if (existsSync(src)) cpSync(src, join(tmp, SELF_TRAINING_DIR, f), { recursive: true });
  }
  const outputs = Array.isArray(m.outputs) ? (m.outputs as string[]) : [];
  writeManifest(tmp, {
    stage: MODEL_STAGE,
    formatVersion: MODEL_FORMAT,
    config: { ...m.config, acoustic: o.acoustic },
    inputs: { ...(m.inputs as object), ganModel: resolve(o.ganModelDir), selfTraining: resolve(o.runDir) },
    outputs: [...outputs.filter((f) => f !== HMM_FILE && f !== CTC_FILE && f !== SELF_TRAINING_DIR), o.acoustic.file, SELF_TRAINING_DIR],
    stats: { ...(m.stats ?? {}), selfTraining: o.stats },
  });
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return out;
}
