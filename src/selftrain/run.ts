/**
 * `fieldphone self-train`: pseudo-labels from a GAN model (or a label file)
 * → rounds of HMM-GMM training and relabelling → a model folder.
 *
 *   OUT/round-0/     the starting labels (labels.txt, spans.json, manifest.json)
 *   OUT/round-N/     hmm.bin (the round's chosen model), labels.txt + spans.json
 *                    (its relabelling of the training audio), candidates.tsv
 *                    (every stage × LM weight × penalty with its scores), manifest.json
 *   OUT/metrics.jsonl, OUT/plots/*.svg   one record per round (step = round)
 *   OUT/neural/      with --neural: a CTC network trained on the last round's
 *                    labels (neural-stage.ts); metrics.jsonl gets it as step rounds + 1
 *   OUT/model/       the model folder of the round (or the neural stage) with the
 *                    lowest label-free score
 *   OUT/manifest.json
 *
 * Each round's folder is written under a temporary name and renamed when
 * complete, so a rerun skips finished rounds and redoes an interrupted one;
 * more --rounds later continue from the last. A finished round made with
 * other settings is refused rather than mixed in. PER against references
 * (--valid-ref for the training audio, --eval-audio/--eval-ref for held-out
 * audio) is recomputed on every run and only reported.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend } from '../backend/index.js';
import { readAcousticModel, writeAcousticModel, type DecodeSettings } from '../hmm/acoustic-model.js';
import { phoneBigram } from '../hmm/phone-loop.js';
import { makeTopology } from '../hmm/topology.js';
import { readArpa } from '../lm/index.js';
import { MODEL_FILES, loadModelFolder, type LoadedModel } from '../model/model-folder.js';
import { openPreparedAudio, type PreparedAudio } from '../pipeline/prepare-audio.js';
import { plotMetricsJsonl } from '../plot/index.js';
import { readTranscriptFile } from '../scoring/index.js';
import { ArtifactError, InputFileError, UsageError } from '../util/errors.js';
import { assertNotInput, writeFileAtomic } from '../util/fsx.js';
import { log } from '../util/log.js';
import { readManifest, writeManifest } from '../util/manifest.js';
import type { Matrix } from '../util/matrix.js';
import { formatDuration, startProgress } from '../util/progress.js';
import { DEFAULT_SELF_TRAIN, validateSelfTrainConfig, type SelfTrainConfig } from './config.js';
import { CTC_FILE, ctcDecodeFrames } from './ctc-decoder.js';
import { exportSelfTrainedModel, type AcousticInfo } from './export-model.js';
import { checkSameFeatures, ganLabels } from './gan-labels.js';
import { HMM_FILE, decodeFrames, makeHmmDecoder, type DecodedPhones } from './hmm-decoder.js';
import { describeScore, labelsPerplexity, perAgainst } from './label-free-score.js';
import { readLabelsDir, readLabelsFile, writeLabels, type LabelSet } from './labels.js';
import { NEURAL_DIR, neuralKey, neuralStageIn, readNeuralDir, type NeuralStats } from './neural-stage.js';
import { runRound, type TrainingAudio } from './round.js';
import { redecipherLabels } from '../decipher/relabel.js';
import { regenerateLabels } from './regenerate.js';
import { loadTextData, type TextData } from '../train/data.js';
import { tsvTable } from './tsv.js';

export const ROUND_STAGE = 'self-train-round';
export const SELF_TRAIN_STAGE = 'self-train';
const FORMAT = 1;

export interface SelfTrainOptions {
  modelDir: string;
  audioDir: string;
  outDir: string;
  /** Start from these labels (Kaldi style) instead of the GAN model's transcription. */
  labelsFile?: string;
  /** The prepared text (prepare-text's folder): needed by re-decipherment. */
  textDir?: string;
  /** Reference phones of (some) training utterances; reported only. */
  validRef?: string;
  /** Held-out prepared audio and its reference phones; reported only. */
  evalAudio?: string;
  evalRef?: string;
  /** Threads for the HMM training passes and the decoding (default: one per core); the labels do not depend on it. */
  workers?: number;
  config?: Partial<SelfTrainConfig>;
}

export interface RoundMetrics {
  step: number;
  /** The round; rounds + 1 for the neural stage. */
  round: number;
  /** 'gan' | 'labels' for round 0, 'ctc' for the neural stage, else the chosen HMM stage. */
  stage: string;
  lmPpl: number;
  perVsPrevious?: number;
  score?: number;
  lmWeight?: number;
  insertionPenalty?: number;
  /** With re-decipherment before this round: the kept run's score per segment, and (references) the PER of its labels. */
  decipherScore?: number;
  decipherPer?: number;
  /** With the generator re-trained before this round: its checkpoint's weighted phone-LM perplexity, and (references) the PER of its labels. */
  generatorPpl?: number;
  generatorPer?: number;
  /** Neural stage: the blank penalty chosen, the epochs run and the one kept. */
  blankPenalty?: number;
  epochs?: number;
  bestEpoch?: number;
  /** PER of the round's labels against --valid-ref. */
  per?: number;
  /** PER on --eval-audio against --eval-ref. */
  evalPer?: number;
  phonesPerUtterance: number;
  trainSec?: number;
  decodeSec?: number;
  /** Wall time of the round, and the CPU time this process used in it (the machine may be shared). */
  seconds?: number;
  cpuSec?: number;
}

export interface SelfTrainResult {
  outDir: string;
  modelDir: string;
  /** The kept round (rounds + 1 when the neural stage is kept), and which kind of acoustic model it has. */
  chosenRound: number;
  chosenKind: AcousticInfo['kind'];
  rounds: RoundMetrics[];
}

/** What must match for a finished round to be reused. */
interface RoundKey {
  model: string;
  audio: string;
  start: { source: 'gan' } | { source: 'labels'; file: string; sha256: string };
  /** The text re-decipherment and the generator's re-training read, when either is on. */
  text?: string;
  config: Omit<SelfTrainConfig, 'rounds' | 'neural'>;
}

interface RoundManifestStats {
  metrics: RoundMetrics;
  decode?: DecodeSettings;
}

export async function selfTrain(o: SelfTrainOptions): Promise<SelfTrainResult> {
  const cfg: SelfTrainConfig = { ...DEFAULT_SELF_TRAIN, ...o.config };
  validateSelfTrainConfig(cfg);
  if ((o.evalAudio === undefined) !== (o.evalRef === undefined)) throw new UsageError('--eval-audio and --eval-ref go together');
  if (cfg.redecipher && !o.textDir) throw new UsageError('re-decipherment reads the text: give --text (the prepare-text folder)');
  if (cfg.regenerate && !o.textDir) throw new UsageError('re-training the generator reads the text: give --text (the prepare-text folder)');
  for (const [what, rounds] of [['re-deciphered', cfg.redecipher?.before], ['re-trained generator\'s', cfg.regenerate?.before]] as const)
    if (rounds?.includes(cfg.rounds))
      log.warn(
        `round ${cfg.rounds}, the last, starts from the ${what} labels: the label-free score compares a round with the labels it started from, so it will likely keep an earlier round; run one more round (--rounds ${cfg.rounds + 1})`,
      );
  const outDir = resolve(o.outDir);
  assertNotInput(outDir, [o.modelDir, o.audioDir, ...(o.labelsFile ? [o.labelsFile] : [])]);
  await initBackend();
  const gan = loadModelFolder(o.modelDir);
  const prepared = openPreparedAudio(o.audioDir);
  checkSameFeatures(gan, prepared);
  const lm = readArpa(join(gan.dir, MODEL_FILES.phoneLm));
  const topology = makeTopology(gan.units, cfg.silenceStates, cfg.phoneStates);
  const refs = o.validRef ? readTranscriptFile(o.validRef) : undefined;
  const needsText = cfg.redecipher !== null || cfg.regenerate !== null;
  const text = needsText && o.textDir ? textFor(o.textDir, gan) : undefined;
  // The neural stage comes after the rounds: its settings do not change them.
  const { rounds: _rounds, neural: _neural, ...rest } = cfg;
  const key: RoundKey = {
    model: resolve(o.modelDir),
    audio: resolve(o.audioDir),
    start: o.labelsFile ? { source: 'labels', file: resolve(o.labelsFile), sha256: fileHash(o.labelsFile) } : { source: 'gan' },
    ...(needsText && o.textDir ? { text: resolve(o.textDir) } : {}),
    config: rest,
  };
  mkdirSync(outDir, { recursive: true });
  // Temporary folders of interrupted runs (round-N.tmp-PID, model.tmp-PID) are never reused.
  for (const f of readdirSync(outDir)) if (/^(round-\d+|model|neural)\.tmp-\d+$/.test(f)) rmSync(join(outDir, f), { recursive: true, force: true });

  const data: TrainingAudio = { utterances: loadFrames(prepared), topology, lm, bigram: phoneBigram(lm, gan.units), refs, workers: o.workers };
  const phonesPer = (l: LabelSet) => [...l.values()].reduce((n, x) => n + x.units.length, 0) / Math.max(1, l.size);

  // Round 0: the starting labels.
  let labels = reuseRound(outDir, 0, key) ? readLabelsDir(roundDir(outDir, 0), gan.units) : undefined;
  if (!labels) {
    labels = o.labelsFile ? readLabelsFile(o.labelsFile, gan.units) : ganLabels(gan, prepared);
    const known = new Set(prepared.utterances.map((u) => u.id));
    const missing = prepared.utterances.filter((u) => !labels?.has(u.id)).length;
    if (o.labelsFile && ![...labels.keys()].some((id) => known.has(id)))
      throw new UsageError(`${o.labelsFile} has labels for none of the ${known.size} utterances in ${o.audioDir}`);
    if (missing > 0) log.warn(`${missing} of ${known.size} training utterances have no starting labels; they are decoded but not trained on`);
    const l0 = labels;
    const metrics: RoundMetrics = { step: 0, round: 0, stage: key.start.source, lmPpl: labelsPerplexity(l0, lm), phonesPerUtterance: phonesPer(l0) };
    writeRound(outDir, 0, key, { metrics }, (dir) => writeLabels(dir, l0));
  }
  log.info(`round 0 (${key.start.source === 'gan' ? 'GAN model' : o.labelsFile}): ${labels.size} utterances, ${phonesPer(labels).toFixed(1)} phones each`);

  for (let r = 1; r <= cfg.rounds; r++) {
    if (reuseRound(outDir, r, key)) {
      labels = readLabelsDir(roundDir(outDir, r), gan.units);
      log.info(`round ${r}: already done (${roundDir(outDir, r)})`);
      continue;
    }
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    let deciphered: Awaited<ReturnType<typeof redecipherLabels>> | undefined;
    if (text && cfg.redecipher?.before.includes(r)) {
      log.info(`round ${r}: re-deciphering round ${r - 1}'s segments (${cfg.redecipher.decipher.clusters} clusters, ${cfg.redecipher.decipher.clusterings * cfg.redecipher.decipher.restarts} annealing runs)`);
      deciphered = await redecipherLabels(labels, prepared, text, cfg.redecipher.decipher);
      labels = deciphered.labels;
      const d = deciphered.result;
      log.info(`round ${r}: re-decipherment score per segment ${d.restartScores[d.chosen].toFixed(3)} (best of ${d.restartScores.length}), ${d.segments} segments, ${formatDuration(d.seconds)}`);
    }
    let regenerated: Awaited<ReturnType<typeof regenerateLabels>> | undefined;
    if (o.textDir && cfg.regenerate?.before.includes(r)) {
      log.info(`round ${r}: re-training the generator on round ${r - 1}'s labels (${cfg.regenerate.updates} updates) in ${generatorDir(outDir, r)}`);
      const { before: _before, ...settings } = cfg.regenerate;
      regenerated = await regenerateLabels({
        gan,
        labels,
        source: join(roundDir(outDir, r - 1), 'labels.txt'),
        prepared,
        textDir: o.textDir,
        runDir: generatorDir(outDir, r),
        cfg: settings,
        validRef: o.validRef,
      });
      labels = regenerated.labels;
      const best = regenerated.training.best;
      log.info(`round ${r}: the generator kept update ${best?.update} (weighted phone-LM perplexity ${best?.metric.weightedPpl.toFixed(2)}); its transcription starts the round`);
    }
    const res = await runRound(r, data, labels, cfg);
    const cpu = process.cpuUsage(cpu0);
    const c = res.chosen;
    const metrics: RoundMetrics = {
      step: r,
      round: r,
      stage: c.stage,
      lmPpl: c.lmPpl,
      perVsPrevious: c.perVsPrevious,
      score: c.score,
      lmWeight: c.lmWeight,
      insertionPenalty: c.insertionPenalty,
      ...(deciphered ? { decipherScore: deciphered.result.restartScores[deciphered.result.chosen] } : {}),
      ...(regenerated?.training.best ? { generatorPpl: regenerated.training.best.metric.weightedPpl } : {}),
      phonesPerUtterance: phonesPer(res.labels),
      trainSec: res.stats.trainSec,
      decodeSec: res.stats.decodeSec,
      seconds: (Date.now() - t0) / 1000,
      cpuSec: (cpu.user + cpu.system) / 1e6,
    };
    const decode: DecodeSettings = { lmWeight: c.lmWeight, insertionPenalty: c.insertionPenalty };
    writeRound(outDir, r, key, { metrics, decode, ...res.stats }, (dir) => {
      writeAcousticModel(join(dir, HMM_FILE), res.model, decode, { round: r, stage: c.stage });
      writeLabels(dir, res.labels);
      if (deciphered) {
        mkdirSync(join(dir, DECIPHERED_DIR));
        writeLabels(join(dir, DECIPHERED_DIR), deciphered.labels);
      }
      if (regenerated) {
        mkdirSync(join(dir, GENERATED_DIR));
        writeLabels(join(dir, GENERATED_DIR), regenerated.labels);
      }
      writeFileAtomic(join(dir, 'candidates.tsv'), tsvTable(['stage', 'lmWeight', 'insertionPenalty', 'lmPpl', 'perVsPrevious', 'score', 'per'], res.candidates));
    });
    labels = res.labels;
    log.info(
      `round ${r} done in ${formatDuration(metrics.seconds as number)} (${formatDuration(metrics.cpuSec as number)} CPU): chose ${c.stage}, LM weight ${c.lmWeight}, penalty ${c.insertionPenalty}; ` +
        describeScore(c, r - 1),
    );
  }

  const neural = cfg.neural ? await neuralStageIn(outDir, neuralKey(key, cfg.neural, cfg.rounds, roundDir(outDir, cfg.rounds)), data, labels, cfg.perFloor) : undefined;

  const rounds = report(outDir, cfg.rounds, gan, o, refs, neural);
  let chosen = rounds[1];
  for (const m of rounds.slice(1)) if ((m.score as number) < (chosen.score as number)) chosen = m;
  const acoustic: AcousticInfo =
    chosen.stage === 'ctc'
      ? { kind: 'ctc', file: CTC_FILE, trainedOnRound: cfg.rounds, blankPenalty: chosen.blankPenalty as number, bestEpoch: chosen.bestEpoch as number }
      : { kind: 'hmm-gmm', file: HMM_FILE, round: chosen.round, stage: chosen.stage, lmWeight: chosen.lmWeight as number, insertionPenalty: chosen.insertionPenalty as number };
  const modelDir = exportSelfTrainedModel({
    ganModelDir: gan.dir,
    sourceDir: chosen.stage === 'ctc' ? join(outDir, NEURAL_DIR) : roundDir(outDir, chosen.round),
    runDir: outDir,
    outDir: join(outDir, 'model'),
    acoustic,
    stats: { ...chosen },
  });
  writeManifest(outDir, {
    stage: SELF_TRAIN_STAGE,
    formatVersion: FORMAT,
    config: cfg,
    inputs: { model: key.model, audio: key.audio, labels: o.labelsFile ? resolve(o.labelsFile) : undefined, validRef: o.validRef, evalAudio: o.evalAudio, evalRef: o.evalRef },
    outputs: ['model', 'metrics.jsonl', 'plots', ...rounds.map((m) => (m.stage === 'ctc' ? NEURAL_DIR : `round-${m.round}`))],
    stats: { chosenRound: chosen.round, chosenKind: acoustic.kind, rounds },
  });
  const what = chosen.stage === 'ctc' ? `the neural stage (CTC network on round ${cfg.rounds}'s labels)` : `round ${chosen.round}`;
  log.info(`chose ${what} (lowest label-free score ${(chosen.score as number).toFixed(3)}); model folder: ${modelDir}`);
  return { outDir, modelDir, chosenRound: chosen.round, chosenKind: acoustic.kind, rounds };
}

/** In a round's folder: the re-deciphered labels it started from (labels.txt, spans.json), when re-decipherment was on. */
export const DECIPHERED_DIR = 'deciphered';
/** In a round's folder: the re-trained generator's labels it started from, when the generator was re-trained before it. */
export const GENERATED_DIR = 'generated';

/** The `train` run folder of the generator re-trained before round r. */
export function generatorDir(outDir: string, r: number): string {
  return join(outDir, `generator-${r}`);
}

/** The text for re-decipherment, over the model's units. */
function textFor(textDir: string, gan: LoadedModel): TextData {
  const text = loadTextData(textDir);
  if (text.units.join(' ') !== gan.units.join(' '))
    throw new UsageError(`${textDir} has other units than the model (${text.units.length} against ${gan.units.length}): give the text folder the model was trained with`);
  return text;
}

export function roundDir(outDir: string, r: number): string {
  return join(outDir, `round-${r}`);
}

/** A finished round with the same settings is reused; one with other settings is an error; an unfinished one is removed. */
function reuseRound(outDir: string, r: number, key: RoundKey): boolean {
  const dir = roundDir(outDir, r);
  if (!existsSync(join(dir, 'manifest.json'))) {
    rmSync(dir, { recursive: true, force: true });
    return false;
  }
  const m = readManifest<RoundKey>(dir, ROUND_STAGE, FORMAT);
  if (JSON.stringify(m.config) !== JSON.stringify(key))
    throw new UsageError(`${dir} was made with other settings or inputs (see its manifest.json); use a new output folder or remove it`);
  return true;
}

function writeRound(outDir: string, r: number, key: RoundKey, stats: RoundManifestStats & Record<string, unknown>, write: (dir: string) => void): void {
  const dir = roundDir(outDir, r);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  write(tmp);
  writeManifest(tmp, { stage: ROUND_STAGE, formatVersion: FORMAT, config: key, stats });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

function fileHash(path: string): string {
  if (!existsSync(path)) throw new InputFileError(path, 'file not found');
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function loadFrames(prepared: PreparedAudio): TrainingAudio['utterances'] {
  const bar = startProgress('loading frames', prepared.utterances.length);
  const out = prepared.utterances.map((u) => {
    bar.tick(1);
    return { id: u.id, frames: prepared.frames(u) };
  });
  bar.stop();
  if (out.length === 0) throw new ArtifactError(prepared.dir, 'holds no utterances');
  return out;
}

/**
 * metrics.jsonl and plots from the round folders, with PER against the
 * references (training labels, held-out decoding) recomputed now.
 */
function report(outDir: string, rounds: number, gan: LoadedModel, o: SelfTrainOptions, refs?: Map<string, string[]>, neural?: { dir: string; stats: NeuralStats }): RoundMetrics[] {
  const evalSet = o.evalAudio ? { prepared: openPreparedAudio(o.evalAudio), refs: readTranscriptFile(o.evalRef as string) } : undefined;
  if (evalSet) checkSameFeatures(gan, evalSet.prepared);
  const evalFrames = evalSet ? loadFrames(evalSet.prepared) : [];
  const out: RoundMetrics[] = [];
  // The held-out recordings as one decoder (HMM or CTC) transcribes them.
  const decodeEval = (decode: (frames: Matrix) => DecodedPhones): LabelSet => new Map(evalFrames.map((u) => [u.id, { units: Array.from(decode(u.frames).units, (k) => gan.units[k]) }]));
  // "round 2: PER training labels 84.0 %, held-out 85.1 % (references; …)", for a round or the neural stage.
  const pct = (v?: number) => (v === undefined || Number.isNaN(v) ? '' : `${(100 * v).toFixed(1)} %`);
  const logReferencePer = (what: string, m: RoundMetrics) => {
    const parts = [
      m.decipherPer !== undefined ? `re-deciphered start labels ${pct(m.decipherPer)}` : '',
      m.generatorPer !== undefined ? `re-trained generator's start labels ${pct(m.generatorPer)}` : '',
      refs ? `training labels ${pct(m.per)}` : '', evalSet ? `held-out ${pct(m.evalPer)}` : ''];
    if (refs || evalSet) log.info(`${what}: PER ${parts.filter(Boolean).join(', ')} (references; not used to choose)`);
  };
  for (let r = 0; r <= rounds; r++) {
    const dir = roundDir(outDir, r);
    const m = readManifest<unknown>(dir, ROUND_STAGE, FORMAT).stats as unknown as RoundManifestStats;
    const metrics: RoundMetrics = { ...m.metrics };
    if (refs) metrics.per = perAgainst(readLabelsDir(dir, gan.units), refs);
    if (refs && existsSync(join(dir, DECIPHERED_DIR))) metrics.decipherPer = perAgainst(readLabelsDir(join(dir, DECIPHERED_DIR), gan.units), refs);
    if (refs && existsSync(join(dir, GENERATED_DIR))) metrics.generatorPer = perAgainst(readLabelsDir(join(dir, GENERATED_DIR), gan.units), refs);
    if (evalSet) {
      let hyps: LabelSet | undefined;
      if (r === 0 && metrics.stage === 'gan') hyps = ganLabels(gan, evalSet.prepared);
      else if (r > 0) {
        const { model, decode } = readAcousticModel(join(dir, HMM_FILE));
        const dec = makeHmmDecoder(model, join(gan.dir, MODEL_FILES.phoneLm), decode);
        hyps = decodeEval((frames) => decodeFrames(dec, frames));
      }
      if (hyps) metrics.evalPer = perAgainst(hyps, evalSet.refs);
    }
    logReferencePer(`round ${r}`, metrics);
    out.push(metrics);
  }
  if (neural) {
    const s = neural.stats;
    const { decoder, labels } = readNeuralDir(neural.dir, gan.units);
    const metrics: RoundMetrics = {
      step: rounds + 1,
      round: rounds + 1,
      stage: 'ctc',
      ...pick(s, ['lmPpl', 'perVsPrevious', 'score', 'blankPenalty', 'epochs', 'bestEpoch', 'phonesPerUtterance', 'trainSec', 'decodeSec', 'seconds', 'cpuSec']),
    };
    if (refs) metrics.per = perAgainst(labels, refs);
    if (evalSet) metrics.evalPer = perAgainst(decodeEval((frames) => ctcDecodeFrames(decoder, frames)), evalSet.refs);
    decoder.net.dispose();
    logReferencePer('neural stage', metrics);
    out.push(metrics);
  }
  const jsonl = join(outDir, 'metrics.jsonl');
  writeFileAtomic(jsonl, out.map((m) => JSON.stringify(m)).join('\n') + '\n');
  plotMetricsJsonl(jsonl, join(outDir, 'plots'), [
    { file: 'per.svg', title: 'PER against references by round (reported, never used to choose)', keys: ['per', 'evalPer'], yLabel: 'PER' },
    { file: 'label-free-score.svg', title: 'label-free score: ln(LM perplexity) × PER against previous labels (lower is better)', keys: ['score'] },
    { file: 'agreement.svg', title: 'PER against the previous round\'s labels', keys: ['perVsPrevious'], yLabel: 'PER' },
    { file: 'lm-perplexity.svg', title: 'phone-LM perplexity of the labels', keys: ['lmPpl'] },
  ]);
  return out;
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}
