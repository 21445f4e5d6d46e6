/**
 * `fieldphone train`: one adversarial training run in a folder.
 *
 *   run.json           configuration and inputs (a resumed run must match)
 *   metrics.jsonl      one line per validation: mean losses since the last one, the
 *                      unsupervised selection metric, PER when references were given
 *   checkpoint.bin     everything needed to continue (weights, optimiser moments, position)
 *   best.bin           generator weights with the lowest weighted LM perplexity so far
 *   plots/*.svg        loss and selection-metric curves
 *   model/             the exported model folder (see src/model/model-folder.ts)
 *
 * Model choice uses the unsupervised metric only; reference phones, when
 * given, are decoded and scored for the report and never consulted to choose.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend } from '../backend/index.js';
import { greedyDecode } from '../decode/index.js';
import { readArpa, type NgramLM } from '../lm/index.js';
import { plotMetricsJsonl } from '../plot/index.js';
import { TEXT_FILES } from '../pipeline/prepare-text.js';
import { readTranscriptFile, scoreCorpus } from '../scoring/index.js';
import { weightedLmPpl } from '../selection/index.js';
import { SIL } from '../text/index.js';
import { readJson, writeJsonAtomic } from '../util/fsx.js';
import { ArtifactError, UsageError } from '../util/errors.js';
import { decipherSegments, type DecipherConfig } from '../decipher/index.js';
import { decipherSegmentFeatures } from '../decipher/segments.js';
import { log } from '../util/log.js';
import { appendMetrics, checkRunFolder, truncateMetrics } from '../util/run-folder.js';
import { formatDuration, startProgress } from '../util/progress.js';
import { makeRng, shuffleInPlace } from '../util/rng.js';
import { prefixed, readTensorFile, stripPrefix, writeTensorFile, type TensorMap } from '../util/tensor-file.js';
import { resolveGanConfig, type GanConfig, type GanConfigOverrides } from './config.js';
import { loadAudioData, loadTextData, stepTargets, type AudioData, type AudioExample, type TextData } from './data.js';
import type { UtteranceLabels as SpannedLabels } from '../selftrain/labels.js';
import { GanTrainer, type StepLosses } from './gan-trainer.js';
import { exportModelFolder } from '../model/model-folder.js';

export interface TrainGanOptions {
  /** prepare-audio output of the training recordings. */
  audioDir: string;
  /** prepare-text output. */
  textDir: string;
  /** prepare-audio output (made with --reuse) of held-out recordings for validation; default: 5 % of the training recordings are held out. */
  validAudioDir?: string;
  /** Kaldi-style reference phones for the validation recordings: PER is reported, never used to choose. */
  validRefs?: string;
  outDir: string;
  config?: GanConfigOverrides;
  /** Continue from checkpoint.bin in outDir. */
  resume?: boolean;
  /** Write the model folder at the end (default true). */
  exportModel?: boolean;
  /**
   * Phone labels with frame spans that teach the generator (loss.teacher) instead of a
   * decipherment, e.g. a self-training round's; `source` names them in run.json.
   */
  teacher?: { source: string; labels: ReadonlyMap<string, SpannedLabels> };
}

export interface ValidationResult {
  weightedPpl: number;
  lmPpl: number;
  vocabUsage: number;
  /** Phones per second of speech in the hypotheses (without <SIL>). */
  phonesPerSec: number;
  per?: number;
}

export interface TrainGanResult {
  outDir: string;
  updates: number;
  best: { update: number; metric: ValidationResult } | undefined;
  last: ValidationResult | undefined;
  seconds: number;
}

const RUN_FILES = { run: 'run.json', metrics: 'metrics.jsonl', checkpoint: 'checkpoint.bin', best: 'best.bin', plots: 'plots', model: 'model', decipher: 'decipher.json' } as const;
export { RUN_FILES };

interface CheckpointMeta {
  update: number;
  best?: { update: number; metric: ValidationResult };
  elapsedSec: number;
}

export async function trainGan(opts: TrainGanOptions): Promise<TrainGanResult> {
  await initBackend();
  const outDir = resolve(opts.outDir);
  const config = resolveGanConfig(opts.config);
  const inputs = {
    audioDir: resolve(opts.audioDir),
    textDir: resolve(opts.textDir),
    validAudioDir: opts.validAudioDir ? resolve(opts.validAudioDir) : undefined,
    validRefs: opts.validRefs ? resolve(opts.validRefs) : undefined,
    ...(opts.teacher ? { teacherLabels: opts.teacher.source } : {}),
  };
  if (config.decipher && opts.teacher) throw new UsageError('the generator learns from decipherment labels or from given labels, not both');
  if (config.loss.teacher > 0 && !config.decipher && !opts.teacher)
    throw new UsageError('the teacher loss weight is > 0 but there are no labels to learn from (use --decipher)');
  const runPath = join(outDir, RUN_FILES.run);
  const ckptPath = join(outDir, RUN_FILES.checkpoint);
  checkRunFolder({ outDir, runPath, resume: opts.resume, what: 'training run', config, inputs });

  const audio = loadAudioData(inputs.audioDir, config.input);
  const text = loadTextData(inputs.textDir);
  const lm = readArpa(join(inputs.textDir, TEXT_FILES.phoneLm));
  const { train, valid } = splitValidation(audio, inputs.validAudioDir, config);
  const refs = inputs.validRefs ? readTranscriptFile(inputs.validRefs) : undefined;
  log.info(
    `training on ${train.examples.length} recordings (${train.dim}-d ${config.input.kind}${config.input.kind === 'frames' ? ` ×${config.input.stack}` : ''}), ` +
      `${text.sentences.length} text sentences, ${text.units.length} units; validating on ${valid.length} held-out recordings`,
  );

  // Only now that every input has loaded does the run folder come into being (a typo leaves nothing behind).
  if (!opts.resume) writeJsonAtomic(runPath, { config, inputs });
  if (config.decipher) await attachDecipherment(train, text, config.decipher, join(outDir, RUN_FILES.decipher));
  if (opts.teacher) attachTeacherLabels(train, opts.teacher, text.units);
  const trainer = new GanTrainer(config, train, text);
  let start = 1;
  let best: CheckpointMeta['best'];
  let elapsedBefore = 0;
  if (opts.resume && existsSync(ckptPath)) {
    const { tensors, meta } = readTensorFile(ckptPath, 'gan-checkpoint', 'training checkpoint');
    const m = meta as CheckpointMeta;
    await trainer.setState(splitState(tensors), ckptPath);
    start = m.update + 1;
    best = m.best;
    elapsedBefore = m.elapsedSec;
    truncateMetrics(join(outDir, RUN_FILES.metrics), m.update);
    log.info(`resuming at update ${start} of ${config.updates}`);
  }

  const t0 = Date.now();
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  let last: ValidationResult | undefined;
  const bar = startProgress('training', config.updates - start + 1);
  for (let u = start; u <= config.updates; u++) {
    const losses: StepLosses = trainer.step(u);
    for (const [k, v] of Object.entries(losses)) {
      sums[k] = (sums[k] ?? 0) + v;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    bar.tick(1, best ? `best weighted ppl ${best.metric.weightedPpl.toFixed(1)} @${best.update}` : '');
    if (u % config.validEvery === 0 || u === config.updates) {
      last = validate(trainer, valid, lm, text.units, refs);
      const isBest = !best || last.weightedPpl < best.metric.weightedPpl;
      if (isBest) {
        best = { update: u, metric: last };
        writeTensorFile(join(outDir, RUN_FILES.best), 'generator', prefixed('G', trainer.G.getWeights()), { update: u, metric: last });
      }
      const row: Record<string, number | boolean> = { step: u, seconds: elapsedBefore + (Date.now() - t0) / 1000 };
      for (const k of Object.keys(sums)) row[k] = sums[k] / counts[k];
      Object.assign(row, last, { best: isBest });
      appendMetrics(join(outDir, RUN_FILES.metrics), row);
      for (const k of Object.keys(sums)) delete sums[k], delete counts[k];
      const state = await trainer.getState();
      writeTensorFile(ckptPath, 'gan-checkpoint', { ...prefixed('G', state.G), ...prefixed('D', state.D), ...prefixed('optG', state.optG), ...prefixed('optD', state.optD) }, {
        update: u,
        best,
        elapsedSec: elapsedBefore + (Date.now() - t0) / 1000,
      } satisfies CheckpointMeta);
      writePlots(outDir);
      log.verbose(`update ${u}: weighted ppl ${last.weightedPpl.toFixed(2)} (lm ppl ${last.lmPpl.toFixed(2)}, usage ${(100 * last.vocabUsage).toFixed(0)}%)${last.per !== undefined ? `, PER ${(100 * last.per).toFixed(1)}%` : ''}`);
    }
  }
  bar.stop();
  const seconds = elapsedBefore + (Date.now() - t0) / 1000;
  if (opts.exportModel !== false) {
    const bestPath = join(outDir, RUN_FILES.best);
    const weights = existsSync(bestPath) ? stripPrefix('G', readTensorFile(bestPath, 'generator', 'best generator weights').tensors) : trainer.G.getWeights();
    exportModelFolder({
      outDir: join(outDir, RUN_FILES.model),
      audioPrepDir: inputs.audioDir,
      textDir: inputs.textDir,
      runDir: outDir,
      config: { input: config.input, generator: trainer.G.cfg, training: config },
      units: text.units,
      weights,
      stats: { selectedUpdate: best?.update, selection: best?.metric, trainingSeconds: seconds },
    });
    log.info(`model written to ${join(outDir, RUN_FILES.model)}`);
  }
  trainer.dispose();
  if (best) log.info(`best weighted LM perplexity ${best.metric.weightedPpl.toFixed(2)} at update ${best.update}${best.metric.per !== undefined ? ` (PER ${(100 * best.metric.per).toFixed(1)}%)` : ''}`);
  return { outDir, updates: config.updates, best, last, seconds };
}

/** Held-out recordings for validation: the given folder, or a seeded 5 % of the training ones (then not trained on). */
/**
 * Label every training step by decipherment (src/decipher), once per run:
 * decipher.json keeps the labels so `--resume` does not anneal again.
 */
async function attachDecipherment(train: AudioData, text: TextData, cfg: DecipherConfig, path: string): Promise<void> {
  let saved = existsSync(path) ? readJson<DecipherFile>(path) : undefined;
  if (!saved) {
    log.info(`decipherment: ${cfg.clusterings} clusterings into ${cfg.clusters} segment clusters, ${cfg.restarts} annealing runs of ${cfg.iterations} moves each`);
    const r = await decipherSegments(decipherSegmentFeatures(train), text.sentences, text.units, cfg);
    saved = {
      restartScores: r.restartScores,
      chosen: r.chosen,
      segments: r.segments,
      seconds: r.seconds,
      labels: Object.fromEntries(train.examples.map((e, i) => [e.id, Array.from(r.labels[i])])),
    };
    writeJsonAtomic(path, saved);
    log.info(
      `decipherment: score per segment ${r.restartScores.map((x) => x.toFixed(3)).join(' / ')} (kept run ${r.chosen + 1}), ${r.segments} segments, ${formatDuration(r.seconds)}`,
    );
  }
  for (const e of train.examples) {
    const l = saved.labels[e.id];
    if (!l || l.length !== e.steps) throw new ArtifactError(path, `no labels for the ${e.steps} segments of '${e.id}'; remove the run folder and start again`);
    e.teacher = Int32Array.from(l);
  }
}

/** Given phone labels (with frame spans) as each training step's teacher target. */
function attachTeacherLabels(train: AudioData, teacher: NonNullable<TrainGanOptions['teacher']>, units: string[]): void {
  const index = new Map(units.map((u, i) => [u, i]));
  let taught = 0;
  for (const e of train.examples) {
    const l = teacher.labels.get(e.id);
    if (!l) continue;
    if (!l.spans) throw new UsageError(`${teacher.source}: the labels of '${e.id}' have no frame spans, so they cannot be matched to the generator's steps`);
    e.teacher = stepTargets(e, l, index);
    taught++;
  }
  if (taught === 0) throw new UsageError(`${teacher.source} has labels for none of the ${train.examples.length} training recordings`);
  log.info(`teacher: ${teacher.source}, labels for ${taught} of ${train.examples.length} training recordings`);
}

interface DecipherFile {
  restartScores: number[];
  chosen: number;
  segments: number;
  seconds: number;
  labels: Record<string, number[]>;
}

function splitValidation(audio: AudioData, validDir: string | undefined, config: GanConfig): { train: AudioData; valid: AudioExample[] } {
  if (validDir) return { train: audio, valid: loadAudioData(validDir, config.input).examples };
  const order = shuffleInPlace(audio.examples.map((_, i) => i), makeRng(config.seed + 101));
  const n = Math.max(1, Math.round(audio.examples.length * 0.05));
  const held = new Set(order.slice(0, n));
  return { train: { ...audio, examples: audio.examples.filter((_, i) => !held.has(i)) }, valid: audio.examples.filter((_, i) => held.has(i)) };
}

export function validate(trainer: GanTrainer, valid: AudioExample[], lm: NgramLM, units: string[], refs?: Map<string, string[]>): ValidationResult {
  const logits = trainer.logitsFor(valid);
  const hyps = logits.map((l, i) => Array.from(greedyDecode(l, valid[i].steps, units.length).units, (u) => units[u]).filter((p) => p !== SIL));
  const m = weightedLmPpl(hyps, lm, units);
  const speechSec = valid.reduce((s, e) => s + e.utterance.keptSec, 0);
  const res: ValidationResult = { weightedPpl: m.weightedPpl, lmPpl: m.lmPpl, vocabUsage: m.vocabUsage, phonesPerSec: hyps.reduce((s, h) => s + h.length, 0) / speechSec };
  if (refs) {
    const pairs = valid.flatMap((e, i) => {
      const ref = refs.get(e.id);
      return ref ? [{ id: e.id, ref: ref.filter((p) => p !== SIL), hyp: hyps[i] }] : [];
    });
    if (pairs.length > 0) res.per = scoreCorpus(pairs).total.errorRate;
  }
  return res;
}



function splitState(t: TensorMap) {
  return { G: stripPrefix('G', t), D: stripPrefix('D', t), optG: stripPrefix('optG', t), optD: stripPrefix('optD', t) };
}



export function writePlots(outDir: string): void {
  plotMetricsJsonl(join(outDir, RUN_FILES.metrics), join(outDir, RUN_FILES.plots), [
    { file: 'losses.svg', title: 'Training losses', keys: ['d_adv', 'd_gp', 'g_adv', 'g_smooth', 'g_diversity', 'g_aux', 'g_bigram', 'g_trigram', 'g_teacher'] },
    { file: 'selection.svg', title: 'Unsupervised selection metric (lower is better)', keys: ['weightedPpl', 'lmPpl'], logY: true },
    { file: 'usage.svg', title: 'Vocabulary usage and phones per second', keys: ['vocabUsage', 'phonesPerSec'] },
    { file: 'per.svg', title: 'PER on references (reported only, never used to choose)', keys: ['per'] },
  ]);
}
