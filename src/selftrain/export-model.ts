/**
 * The self-trained model folder: the GAN's model folder (units, feature
 * settings, k-means, PCA, LMs, lexicon, generator), plus
 *
 *   hmm.bin          the chosen round's HMM-GMM with its LM weight and insertion penalty
 *   self-training/   metrics.jsonl and plots of the rounds
 *
 * and a manifest whose config gains `acoustic` (kind 'hmm-gmm'), so
 * `transcribe` and the server use it unchanged: they decode with the HMM when
 * hmm.bin is present (src/transcribe/transcribe.ts).
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MODEL_FORMAT, MODEL_STAGE } from '../model/model-folder.js';
import { readManifest, writeManifest } from '../util/manifest.js';
import { HMM_FILE } from './hmm-decoder.js';

export const SELF_TRAINING_DIR = 'self-training';

export interface AcousticInfo {
  kind: 'hmm-gmm';
  file: string;
  round: number;
  stage: string;
  lmWeight: number;
  insertionPenalty: number;
}

export function exportSelfTrainedModel(o: { ganModelDir: string; roundDir: string; runDir: string; outDir: string; acoustic: Omit<AcousticInfo, 'kind' | 'file'>; stats: Record<string, unknown> }): string {
  const out = resolve(o.outDir);
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const m = readManifest<Record<string, unknown>>(o.ganModelDir, MODEL_STAGE, MODEL_FORMAT);
  cpSync(o.ganModelDir, tmp, { recursive: true });
  copyFileSync(join(o.roundDir, HMM_FILE), join(tmp, HMM_FILE));
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
    config: { ...m.config, acoustic: { kind: 'hmm-gmm', file: HMM_FILE, ...o.acoustic } satisfies AcousticInfo },
    inputs: { ...(m.inputs as object), ganModel: resolve(o.ganModelDir), selfTraining: resolve(o.runDir) },
    outputs: [...outputs.filter((f) => f !== HMM_FILE && f !== SELF_TRAINING_DIR), HMM_FILE, SELF_TRAINING_DIR],
    stats: { ...(m.stats ?? {}), selfTraining: o.stats },
  });
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return out;
}
