/**
 * A trained model as one self-contained folder, what `transcribe` (and the
 * server) load. Everything needed to turn a new recording into phones is
 * inside; nothing refers back to the training folders.
 *
 *   manifest.json        stage 'model', versions, configs, selection metric of the kept weights
 *   generator.bin        generator weights (tensor file, kind 'generator')
 *   units.json           output units in index order (phones, then <SIL>)
 *   audio.json           the prepare-audio configuration (features, VAD, CMVN, k-means, …)
 *   kmeans.bin, pca.bin  fitted on the training recordings
 *   lm.phones.arpa, lm.words.arpa, lexicon.txt   from prepare-text
 *   training/            metrics.jsonl and plots of the run
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadKMeans, loadPca, type KMeansModel, type PcaModel } from '../segments/index.js';
import { PREP_FILES, savedConfig, type PrepareAudioConfig } from '../pipeline/prepare-audio.js';
import { TEXT_FILES } from '../pipeline/prepare-text.js';
import type { InputConfig } from '../train/data.js';
import { ArtifactError } from '../util/errors.js';
import { readJson, writeJsonAtomic } from '../util/fsx.js';
import { readManifest, writeManifest } from '../util/manifest.js';
import { readTensorFile, writeTensorFile } from '../util/tensor-file.js';
import { Generator, type GeneratorConfig } from './generator.js';
import type { ModelWeights } from './params.js';

export const MODEL_STAGE = 'model';
export const MODEL_FORMAT = 1;

export const MODEL_FILES = {
  generator: 'generator.bin',
  units: 'units.json',
  audio: 'audio.json',
  kmeans: 'kmeans.bin',
  pca: 'pca.bin',
  phoneLm: 'lm.phones.arpa',
  wordLm: 'lm.words.arpa',
  lexicon: 'lexicon.txt',
  training: 'training',
} as const;

export interface ModelConfig {
  input: InputConfig;
  generator: GeneratorConfig;
  /** How the model was made (training configuration), for the record. */
  training: unknown;
}

export interface ExportModelOptions {
  outDir: string;
  audioPrepDir: string;
  textDir: string;
  /** Run folder whose metrics.jsonl and plots/ are copied (optional). */
  runDir?: string;
  config: ModelConfig;
  units: string[];
  weights: ModelWeights;
  stats: Record<string, unknown>;
}

/**
 * Write a model folder atomically: everything goes into a temporary sibling
 * folder that is renamed into place at the end, so a crash never leaves a
 * half-written model under the final name. An existing model there is replaced.
 */
export function exportModelFolder(o: ExportModelOptions): string {
  const outDir = resolve(o.outDir);
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeTensorFile(join(tmp, MODEL_FILES.generator), 'generator', o.weights, { generator: o.config.generator });
  writeJsonAtomic(join(tmp, MODEL_FILES.units), o.units);
  const prep = readManifest<PrepareAudioConfig>(o.audioPrepDir, 'prepare-audio', 1);
  prep.config = savedConfig(prep.config);
  writeJsonAtomic(join(tmp, MODEL_FILES.audio), prep.config);
  copyFileSync(join(o.audioPrepDir, PREP_FILES.kmeans), join(tmp, MODEL_FILES.kmeans));
  copyFileSync(join(o.audioPrepDir, PREP_FILES.pca), join(tmp, MODEL_FILES.pca));
  copyFileSync(join(o.textDir, TEXT_FILES.phoneLm), join(tmp, MODEL_FILES.phoneLm));
  copyFileSync(join(o.textDir, TEXT_FILES.wordLm), join(tmp, MODEL_FILES.wordLm));
  copyFileSync(join(o.textDir, TEXT_FILES.lexicon), join(tmp, MODEL_FILES.lexicon));
  if (o.runDir) {
    mkdirSync(join(tmp, MODEL_FILES.training));
    for (const f of ['metrics.jsonl', 'plots']) {
      const src = join(o.runDir, f);
      if (existsSync(src)) cpSync(src, join(tmp, MODEL_FILES.training, f), { recursive: true });
    }
  }
  writeManifest(tmp, {
    stage: MODEL_STAGE,
    formatVersion: MODEL_FORMAT,
    config: o.config,
    inputs: { audioPrep: resolve(o.audioPrepDir), text: resolve(o.textDir), run: o.runDir ? resolve(o.runDir) : undefined },
    outputs: Object.values(MODEL_FILES),
    stats: o.stats,
  });
  mkdirSync(dirname(outDir), { recursive: true });
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
  return outDir;
}

export interface LoadedModel {
  dir: string;
  config: ModelConfig;
  units: string[];
  audio: PrepareAudioConfig;
  kmeans: KMeansModel;
  pca: PcaModel;
  generator: Generator;
  stats: Record<string, unknown>;
}

/** Load and check a model folder; anything missing, corrupt or inconsistent is an ArtifactError naming the file. */
export function loadModelFolder(dir: string): LoadedModel {
  if (!existsSync(dir)) throw new ArtifactError(dir, 'model folder not found');
  const m = readManifest<ModelConfig>(dir, MODEL_STAGE, MODEL_FORMAT);
  const units = readJson<string[]>(join(dir, MODEL_FILES.units));
  if (!Array.isArray(units) || units.length !== m.config.generator.numPhones)
    throw new ArtifactError(join(dir, MODEL_FILES.units), `lists ${Array.isArray(units) ? units.length : 'no'} units but the generator has ${m.config.generator.numPhones} outputs`);
  const audio = savedConfig(readJson<PrepareAudioConfig>(join(dir, MODEL_FILES.audio)));
  const kmeans = loadKMeans(join(dir, MODEL_FILES.kmeans));
  const pca = loadPca(join(dir, MODEL_FILES.pca));
  const genPath = join(dir, MODEL_FILES.generator);
  const { tensors } = readTensorFile(genPath, 'generator', 'generator weights');
  const generator = new Generator(m.config.generator, 0);
  generator.setWeights(tensors, genPath);
  return { dir, config: m.config, units, audio, kmeans, pca, generator, stats: (m.stats ?? {}) as Record<string, unknown> };
}
