/**
 * Stage "prepare-audio": a folder of recordings → segment representations.
 *
 * Numbered, resumable steps (ESPnet style), each recorded in progress.json
 * when it completes, so a rerun after an interruption starts at the first
 * unfinished step:
 *   1 frames    decode → 16 kHz mono → VAD → MFCC/log-mel frames (raw, before CMVN)
 *   2 cmvn      per-utterance or per-speaker mean/variance statistics
 *   3 kmeans    k-means on normalised (spliced) frames  — or reused from a training prep
 *   4 pca       PCA on the same frames                  — or reused
 *   5 segments  cluster ids per frame, PCA, run merging (+ pair pooling)
 *
 * Files that cannot be used are reported with the reason and skipped; one bad
 * file never aborts a run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { listCorpus, type Interval } from '../audio/index.js';
import {
  accumulateCmvn,
  featureDim,
  FeatureStoreReader,
  FeatureStoreWriter,
  readFairseqSplit,
  resolveFeatureConfig,
  type CmvnStats,
  type FeatureConfig,
} from '../features/index.js';
import {
  fitKMeans,
  fitPca,
  loadKMeans,
  loadPca,
  saveKMeans,
  savePca,
  type KMeansModel,
  type PcaModel,
} from '../segments/index.js';
import { ArtifactError, FieldphoneError, UsageError, errorMessage } from '../util/errors.js';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../util/fsx.js';
import { log } from '../util/log.js';
import { readManifest, writeManifest } from '../util/manifest.js';
import { matrix, type Matrix } from '../util/matrix.js';
import { startProgress } from '../util/progress.js';
import { makeRng } from '../util/rng.js';
import { utteranceIds } from './utterance-ids.js';
import { normaliseFrames, recordingFrames, segmentFrames } from './recording.js';
export { normaliseFrames, recordingFrames, segmentFrames } from './recording.js';

export const PREPARE_AUDIO_STAGE = 'prepare-audio';
export const PREPARE_AUDIO_FORMAT = 1;

export interface PrepareAudioConfig {
  /**
   * 'audio': recordings decoded here. 'fairseq': frames extracted elsewhere (e.g. wav2vec 2.0 /
   * XLS-R layers) in fairseq's <split>.npy + .lengths (+ .tsv) layout; inputs are split prefixes
   * (DIR/train), and features.hopMs / winMs give their frame grid.
   */
  source: 'audio' | 'fairseq';
  features: FeatureConfig;
  /** Energy VAD; the kept intervals are recorded so times map back to the original file. */
  vad: boolean;
  /** 'speaker' groups utterances by their parent folder name. */
  cmvn: 'utterance' | 'speaker' | 'none';
  /** Frames of context on each side appended before k-means/PCA (0 = none). */
  splice: number;
  kmeans: { k: number; seed: number; maxFrames: number; restarts: number };
  /** PCA output dimension (capped at the input dimension). */
  pcaDim: number;
  /** Average adjacent segments (wav2vec-U's second pooling). */
  poolPairs: boolean;
  minDurationSec: number;
}

export const DEFAULT_PREPARE_AUDIO_CONFIG: PrepareAudioConfig = {
  source: 'audio',
  features: resolveFeatureConfig(),
  vad: true,
  cmvn: 'utterance',
  splice: 0,
  kmeans: { k: 128, seed: 1, maxFrames: 500_000, restarts: 1 },
  pcaDim: 512,
  poolPairs: false,
  minDurationSec: 0.1,
};

export interface SkippedFile {
  path: string;
  code: string;
  reason: string;
}

export interface UtteranceInfo {
  id: string;
  path: string;
  speaker: string;
  durationSec: number;
  keptSec: number;
  /** Voiced intervals in the original file's timeline (seconds). */
  kept: Interval[];
}

export interface PrepareAudioResult {
  outDir: string;
  utterances: number;
  skipped: SkippedFile[];
  stats: Record<string, number>;
}

/** PCA is fitted on at most this many frames (every n-th row of the k-means sample). */
export const PCA_MAX_FRAMES = 100_000;
/** Above this many sampled frames, k-means switches to mini-batch with these settings. */
export const KMEANS_MINIBATCH_ABOVE = 200_000;
export const KMEANS_MINIBATCH = { batchSize: 10_000, iters: 200 } as const;

const STEPS = ['frames', 'cmvn', 'kmeans', 'pca', 'segments'] as const;
type Step = (typeof STEPS)[number];

interface ProgressFile {
  config: PrepareAudioConfig;
  reuse?: string;
  done: Step[];
  stats: Record<string, number>;
}

export const PREP_FILES = {
  progress: 'progress.json',
  utterances: 'utterances.json',
  skipped: 'skipped.tsv',
  frames: 'frames',
  cmvn: 'cmvn.json',
  kmeans: 'kmeans.bin',
  pca: 'pca.bin',
  segments: 'segments',
  clusters: 'clusters',
} as const;

/** Speaker of a file for per-speaker CMVN: its parent folder's name. */
function speakerOf(path: string): string {
  const parts = resolve(path).split(/[\\/]/);
  return parts[parts.length - 2] ?? 'speaker';
}

interface CmvnTable {
  mode: PrepareAudioConfig['cmvn'];
  /** Keyed by utterance id ('utterance') or speaker ('speaker'). */
  stats: Record<string, { count: number; sum: number[]; sumSq: number[] }>;
}

function toStats(s: { count: number; sum: number[]; sumSq: number[] }): CmvnStats {
  return { count: s.count, sum: Float64Array.from(s.sum), sumSq: Float64Array.from(s.sumSq) };
}

/** A configuration read back from disk; folders made before `source` existed hold audio preparations. */
export function savedConfig(c: PrepareAudioConfig): PrepareAudioConfig {
  return { ...{ source: 'audio' as const }, ...c };
}

/**
 * Run (or resume) the stage. `reuse` points at the output of a previous
 * prepare-audio over training audio: its configuration, k-means and PCA are
 * used unchanged, so new audio is processed exactly like the training audio.
 */
export async function prepareAudio(opts: {
  inputs: string[];
  outDir: string;
  config?: Partial<PrepareAudioConfig>;
  reuse?: string;
}): Promise<PrepareAudioResult> {
  const outDir = resolve(opts.outDir);
  let config: PrepareAudioConfig;
  let reused: { km: KMeansModel; pca: PcaModel } | undefined;
  if (opts.reuse) {
    const m = readManifest<PrepareAudioConfig>(opts.reuse, PREPARE_AUDIO_STAGE, PREPARE_AUDIO_FORMAT);
    config = savedConfig(m.config);
    reused = { km: loadKMeans(join(opts.reuse, PREP_FILES.kmeans)), pca: loadPca(join(opts.reuse, PREP_FILES.pca)) };
  } else {
    config = { ...DEFAULT_PREPARE_AUDIO_CONFIG, ...opts.config };
    config.features = resolveFeatureConfig(config.features);
    config.kmeans = { ...DEFAULT_PREPARE_AUDIO_CONFIG.kmeans, ...opts.config?.kmeans };
  }
  validateConfig(config);

  const progressPath = join(outDir, PREP_FILES.progress);
  let progress: ProgressFile;
  if (existsSync(progressPath)) {
    progress = readJson<ProgressFile>(progressPath);
    // Folders made before `source` existed hold audio preparations.
    progress.config = savedConfig(progress.config);
    if (JSON.stringify(progress.config) !== JSON.stringify(config) || progress.reuse !== (opts.reuse ? resolve(opts.reuse) : undefined))
      throw new UsageError(`${outDir} holds a preparation made with other settings; choose another --out folder or delete it`);
    // A finished folder is left exactly as it is (its manifest too), unless the manifest itself was never written.
    if (progress.done.length === STEPS.length && existsSync(join(outDir, 'manifest.json'))) {
      log.info(`${outDir}: already prepared; nothing to do`);
      return { outDir, utterances: readJson<UtteranceInfo[]>(join(outDir, PREP_FILES.utterances)).length, skipped: readSkipped(outDir), stats: progress.stats };
    }
    log.info(`${outDir}: resuming after step(s) ${progress.done.join(', ') || '(none)'}`);
  } else {
    if (existsSync(outDir) && readdirSync(outDir).length > 0)
      throw new UsageError(`${outDir} exists and is not empty; refusing to write into it (choose a new --out folder)`);
    progress = { config, reuse: opts.reuse ? resolve(opts.reuse) : undefined, done: [], stats: {} };
    writeJsonAtomic(progressPath, progress);
  }
  const finish = (step: Step, stats: Record<string, number>) => {
    progress.done.push(step);
    Object.assign(progress.stats, stats);
    writeJsonAtomic(progressPath, progress);
  };
  const isDone = (s: Step) => progress.done.includes(s);

  // 1 frames
  if (!isDone('frames')) finish('frames', await extractFrames(opts.inputs, outDir, config));
  const utts = readJson<UtteranceInfo[]>(join(outDir, PREP_FILES.utterances));
  if (utts.length === 0) throw new FieldphoneError('no-usable-audio', `none of the input files could be used (see ${join(outDir, PREP_FILES.skipped)})`);
  const frames = new FeatureStoreReader(join(outDir, PREP_FILES.frames));

  // 2 cmvn
  if (!isDone('cmvn')) finish('cmvn', computeCmvn(frames, utts, config, outDir));
  const normalised = normaliserFor(outDir, config, frames);

  // 3 kmeans, 4 pca (fitted on one seeded sample of normalised frames)
  if (!isDone('kmeans') || !isDone('pca')) {
    if (reused) {
      saveKMeans(join(outDir, PREP_FILES.kmeans), reused.km);
      savePca(join(outDir, PREP_FILES.pca), reused.pca);
      if (!isDone('kmeans')) finish('kmeans', {});
      if (!isDone('pca')) finish('pca', {});
    } else {
      const sample = sampleFrames(utts, normalised, frames.totalRows, config.kmeans.maxFrames, config.kmeans.seed);
      if (!isDone('kmeans')) {
        const t0 = Date.now();
        const k = Math.min(config.kmeans.k, sample.rows);
        const large = sample.rows > KMEANS_MINIBATCH_ABOVE;
        log.info(`k-means: K=${k} on ${sample.rows} frames x ${sample.cols}${large ? ' (mini-batch)' : ''}`);
        const km = fitKMeans(sample, {
          k,
          seed: config.kmeans.seed,
          restarts: config.kmeans.restarts,
          ...(large ? { miniBatch: { ...KMEANS_MINIBATCH } } : {}),
          onProgress: (it, inertia) => log.verbose(`  k-means iteration ${it}: inertia ${inertia.toExponential(4)}`),
        });
        saveKMeans(join(outDir, PREP_FILES.kmeans), km);
        finish('kmeans', { kmeansSec: (Date.now() - t0) / 1000, kmeansInertia: km.inertia, kmeansIters: km.iters });
      }
      if (!isDone('pca')) {
        const t0 = Date.now();
        // PCA cost grows with dim² per row: every n-th row of the sample is plenty for a covariance estimate.
        const stride = Math.ceil(sample.rows / PCA_MAX_FRAMES);
        const pcaSample = stride > 1 ? everyNthRow(sample, stride) : sample;
        const pca = fitPca(pcaSample, Math.min(config.pcaDim, sample.cols));
        savePca(join(outDir, PREP_FILES.pca), pca);
        finish('pca', { pcaSec: (Date.now() - t0) / 1000, pcaDim: pca.dim });
      }
    }
  }

  // 5 segments
  if (!isDone('segments')) {
    const km = loadKMeans(join(outDir, PREP_FILES.kmeans));
    const pca = loadPca(join(outDir, PREP_FILES.pca));
    finish('segments', buildSegments(utts, normalised, km, pca, config, outDir));
  }

  const skipped = readSkipped(outDir);
  writeManifest(outDir, {
    stage: PREPARE_AUDIO_STAGE,
    formatVersion: PREPARE_AUDIO_FORMAT,
    config,
    inputs: { paths: opts.inputs.map((p) => resolve(p)), reuse: progress.reuse },
    outputs: Object.values(PREP_FILES),
    stats: progress.stats,
  });
  return { outDir, utterances: utts.length, skipped, stats: progress.stats };
}

/** CMVN (with the folder's statistics) + splicing, per utterance: the frames k-means and PCA see. */
function normaliserFor(dir: string, config: PrepareAudioConfig, frames: FeatureStoreReader): (u: UtteranceInfo) => Matrix {
  const path = join(dir, PREP_FILES.cmvn);
  const cmvn = readJson<CmvnTable>(path);
  return (u) => {
    let stats: CmvnStats | undefined;
    if (config.cmvn !== 'none') {
      const s = cmvn.stats[config.cmvn === 'speaker' ? u.speaker : u.id];
      if (!s) throw new ArtifactError(path, `no statistics for '${u.id}'`);
      stats = toStats(s);
    }
    return normaliseFrames(frames.get(u.id), config, stats);
  };
}

/** Read access to a finished prepare-audio folder (what training, decoding and benchmarks consume). */
export interface PreparedAudio {
  dir: string;
  config: PrepareAudioConfig;
  utterances: UtteranceInfo[];
  /** CMVN-normalised (and spliced) frames. */
  frames(u: UtteranceInfo): Matrix;
  /** The frames as extracted, before CMVN and splicing. */
  rawFrames(u: UtteranceInfo): Matrix;
  /** Segment vectors and their [start, end) frame spans. */
  segments(u: UtteranceInfo): { features: Matrix; spans: Int32Array };
  /** k-means cluster id of every frame. */
  clusters(u: UtteranceInfo): Int32Array;
  numClusters: number;
}

export function openPreparedAudio(dir: string): PreparedAudio {
  const m = readManifest<PrepareAudioConfig>(dir, PREPARE_AUDIO_STAGE, PREPARE_AUDIO_FORMAT);
  const config = m.config;
  const utterances = readJson<UtteranceInfo[]>(join(dir, PREP_FILES.utterances));
  const frames = new FeatureStoreReader(join(dir, PREP_FILES.frames));
  const segs = new FeatureStoreReader(join(dir, PREP_FILES.segments));
  const clusters = new FeatureStoreReader(join(dir, PREP_FILES.clusters), { dim: 1 });
  return {
    dir,
    config,
    utterances,
    frames: normaliserFor(dir, config, frames),
    rawFrames: (u) => frames.get(u.id),
    segments: (u) => ({ features: segs.get(u.id), spans: Int32Array.from(segs.entry(u.id).spans as number[]) }),
    clusters: (u) => Int32Array.from(clusters.get(u.id).data),
    numClusters: (clusters.config as { k: number }).k,
  };
}

function validateConfig(c: PrepareAudioConfig): void {
  if (c.source !== 'audio' && c.source !== 'fairseq') throw new UsageError(`source must be audio or fairseq, got '${c.source}'`);
  if (!['utterance', 'speaker', 'none'].includes(c.cmvn)) throw new UsageError(`cmvn must be utterance, speaker or none, got '${c.cmvn}'`);
  if (!Number.isInteger(c.splice) || c.splice < 0 || c.splice > 20) throw new UsageError(`splice must be an integer in 0..20, got ${c.splice}`);
  if (!Number.isInteger(c.kmeans.k) || c.kmeans.k < 2) throw new UsageError(`k-means K must be an integer ≥ 2, got ${c.kmeans.k}`);
  if (!Number.isInteger(c.pcaDim) || c.pcaDim < 1) throw new UsageError(`PCA dimension must be a positive integer, got ${c.pcaDim}`);
}

async function extractFrames(inputs: string[], outDir: string, config: PrepareAudioConfig): Promise<Record<string, number>> {
  const t0 = Date.now();
  const paths: string[] = [];
  if (config.source === 'fairseq') return importFairseqFrames(inputs, outDir, config);
  for (const inp of inputs) paths.push(...(await listCorpus(inp)));
  if (paths.length === 0) throw new UsageError(`no audio files found in ${inputs.join(', ')}`);
  const ids = utteranceIds(paths);
  const writer = new FeatureStoreWriter(join(outDir, PREP_FILES.frames), { dim: featureDim(config.features), config: config.features });
  const utts: UtteranceInfo[] = [];
  const skipped: SkippedFile[] = [];
  let totalSec = 0, keptSec = 0, totalFrames = 0;
  const bar = startProgress('frames', paths.length);
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    try {
      const rec = await recordingFrames(path, config);
      const feats = rec.frames;
      const u: UtteranceInfo = { id: ids[i], path: resolve(path), speaker: speakerOf(path), durationSec: rec.durationSec, keptSec: rec.keptSec, kept: rec.kept };
      writer.add(u.id, feats);
      utts.push(u);
      totalSec += rec.durationSec;
      keptSec += u.keptSec;
      totalFrames += feats.rows;
    } catch (e) {
      const code = e instanceof FieldphoneError ? e.code : 'internal-error';
      const reason = e instanceof FieldphoneError && e.file ? e.message.slice(e.file.length + 2) : errorMessage(e);
      skipped.push({ path, code, reason });
      log.warn(`skipping ${path}: ${reason}`);
    }
    bar.tick(1);
  }
  bar.stop();
  writer.close();
  writeJsonAtomic(join(outDir, PREP_FILES.utterances), utts);
  writeFileAtomic(
    join(outDir, PREP_FILES.skipped),
    'path\tcode\treason\n' + skipped.map((s) => `${s.path}\t${s.code}\t${s.reason.replace(/\s+/g, ' ')}`).join('\n') + (skipped.length ? '\n' : ''),
  );
  const sec = (Date.now() - t0) / 1000;
  log.info(`frames: ${utts.length} files (${(totalSec / 3600).toFixed(2)} h, ${(keptSec / 3600).toFixed(2)} h after VAD), ${skipped.length} skipped, ${sec.toFixed(1)} s`);
  return { files: paths.length, utterances: utts.length, skippedFiles: skipped.length, audioHours: totalSec / 3600, voicedHours: keptSec / 3600, frames: totalFrames, framesSec: sec };
}

/**
 * Frames computed elsewhere, in fairseq's layout: each input is a split prefix
 * (DIR/train → DIR/train.npy, .lengths, optional .tsv). There is no audio, so
 * no VAD: every utterance is one kept interval of its frames' duration.
 */
function importFairseqFrames(inputs: string[], outDir: string, config: PrepareAudioConfig): Record<string, number> {
  const t0 = Date.now();
  const hop = config.features.hopMs / 1000;
  const win = config.features.winMs / 1000;
  const utts: UtteranceInfo[] = [];
  const mats: { id: string; m: Matrix }[] = [];
  for (const prefix of inputs) {
    const { ids, utterances } = readFairseqSplit(dirname(resolve(prefix)), basename(prefix));
    const clean = utteranceIds(ids);
    utterances.forEach((m, i) => {
      const durationSec = m.rows > 0 ? (m.rows - 1) * hop + win : 0;
      utts.push({ id: clean[i], path: `${resolve(prefix)}.npy#${ids[i]}`, speaker: basename(prefix), durationSec, keptSec: durationSec, kept: [{ start: 0, end: durationSec }] });
      mats.push({ id: clean[i], m });
    });
  }
  if (mats.length === 0) throw new UsageError(`no utterances in ${inputs.join(', ')}`);
  const dup = utts.find((u, i) => utts.findIndex((v) => v.id === u.id) !== i);
  if (dup) throw new UsageError(`utterance id '${dup.id}' occurs in more than one split; give each split its own prepare-audio folder`);
  const writer = new FeatureStoreWriter(join(outDir, PREP_FILES.frames), { dim: mats[0].m.cols, config: { ...config.features, source: 'fairseq' } });
  for (const { id, m } of mats) writer.add(id, m);
  writer.close();
  writeJsonAtomic(join(outDir, PREP_FILES.utterances), utts);
  writeFileAtomic(join(outDir, PREP_FILES.skipped), 'path\tcode\treason\n');
  const frames = mats.reduce((s, x) => s + x.m.rows, 0);
  const hours = utts.reduce((s, u) => s + u.durationSec, 0) / 3600;
  log.info(`frames: ${utts.length} utterances imported from fairseq features (${mats[0].m.cols}-d, ${hours.toFixed(2)} h)`);
  return { files: utts.length, utterances: utts.length, skippedFiles: 0, audioHours: hours, voicedHours: hours, frames, framesSec: (Date.now() - t0) / 1000 };
}

function readSkipped(outDir: string): SkippedFile[] {
  const path = join(outDir, PREP_FILES.skipped);
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text
    .split('\n')
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) => {
      const [p, code, reason] = l.split('\t');
      return { path: p, code, reason };
    });
}

function computeCmvn(frames: FeatureStoreReader, utts: UtteranceInfo[], config: PrepareAudioConfig, outDir: string): Record<string, number> {
  const table: CmvnTable = { mode: config.cmvn, stats: {} };
  if (config.cmvn !== 'none') {
    const acc = new Map<string, CmvnStats>();
    for (const u of utts) {
      const key = config.cmvn === 'speaker' ? u.speaker : u.id;
      acc.set(key, accumulateCmvn(acc.get(key), frames.get(u.id)));
    }
    for (const [k, s] of acc) table.stats[k] = { count: s.count, sum: Array.from(s.sum), sumSq: Array.from(s.sumSq) };
  }
  writeJsonAtomic(join(outDir, PREP_FILES.cmvn), table);
  return { cmvnGroups: Object.keys(table.stats).length };
}

/**
 * A seeded, uniform sample of at most maxFrames normalised frames across the
 * corpus, normalising one utterance at a time (memory stays bounded by the sample).
 */
function sampleFrames(utts: UtteranceInfo[], normalised: (u: UtteranceInfo) => Matrix, totalFrames: number, maxFrames: number, seed: number): Matrix {
  const keepProb = Math.min(1, maxFrames / totalFrames);
  const rng = makeRng(seed);
  const rows: Float32Array[] = [];
  let cols = 0;
  for (const u of utts) {
    const m = normalised(u);
    cols = m.cols;
    for (let i = 0; i < m.rows && rows.length < maxFrames; i++) {
      if (keepProb < 1 && rng.next() >= keepProb) continue;
      rows.push(m.data.slice(i * cols, (i + 1) * cols));
    }
  }
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, i) => out.set(r, i * cols));
  return matrix(rows.length, cols, out);
}

function everyNthRow(m: Matrix, n: number): Matrix {
  const rows = Math.ceil(m.rows / n);
  const out = new Float32Array(rows * m.cols);
  for (let i = 0; i < rows; i++) out.set(m.data.subarray(i * n * m.cols, (i * n + 1) * m.cols), i * m.cols);
  return matrix(rows, m.cols, out);
}

function buildSegments(
  utts: UtteranceInfo[],
  normalised: (u: UtteranceInfo) => Matrix,
  km: KMeansModel,
  pca: PcaModel,
  config: PrepareAudioConfig,
  outDir: string,
): Record<string, number> {
  const t0 = Date.now();
  const segWriter = new FeatureStoreWriter(join(outDir, PREP_FILES.segments), { dim: pca.dim, config: { poolPairs: config.poolPairs } });
  const clusterWriter = new FeatureStoreWriter(join(outDir, PREP_FILES.clusters), { dim: 1, config: { k: km.k } });
  let nSeg = 0, nFrames = 0;
  const bar = startProgress('segments', utts.length);
  for (const u of utts) {
    const x = normalised(u);
    if (x.cols !== km.dim) throw new ArtifactError(join(outDir, PREP_FILES.kmeans), `k-means expects ${km.dim}-d frames, got ${x.cols}-d`);
    const { seg, clusters: ids } = segmentFrames(x, km, pca, config);
    segWriter.add(u.id, seg.features, { spans: Array.from(seg.spans) });
    clusterWriter.add(u.id, matrix(ids.length, 1, Float32Array.from(ids)));
    nSeg += seg.features.rows;
    nFrames += x.rows;
    bar.tick(1);
  }
  bar.stop();
  segWriter.close();
  clusterWriter.close();
  const sec = (Date.now() - t0) / 1000;
  log.info(`segments: ${nSeg} segments from ${nFrames} frames (${(nFrames / Math.max(1, nSeg)).toFixed(2)} frames per segment), ${sec.toFixed(1)} s`);
  return { segments: nSeg, framesPerSegment: nFrames / Math.max(1, nSeg), segmentsSec: sec };
}
