/**
 * Bench sections for the audio side: the feature front end on synthetic
 * audio, the per-file audio pipeline on real recordings, and the
 * prepare-audio stage's k-means and PCA.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listCorpus, loadAudio, removeSilence, resample } from '../../src/audio/index.js';
import { benchmarkFeatures, computeFeatures, resolveFeatureConfig } from '../../src/features/index.js';
import { DEFAULT_PREPARE_AUDIO_CONFIG, KMEANS_MINIBATCH, KMEANS_MINIBATCH_ABOVE, PCA_MAX_FRAMES, prepareAudio } from '../../src/pipeline/prepare-audio.js';
import { assignClusters, fitKMeans, fitPca } from '../../src/segments/index.js';
import { errorMessage } from '../../src/util/errors.js';
import { log } from '../../src/util/log.js';
import { matrix, type Matrix } from '../../src/util/matrix.js';
import { startProgress } from '../../src/util/progress.js';
import { makeRng } from '../../src/util/rng.js';
import type { BenchContext, BenchRow, BenchSection } from './bench-harness.js';

const SYNTHETIC_SECONDS = 60;
const SYNTHETIC_FRAMES = 500_000;

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
}

function noCorpus(ctx: BenchContext): string | undefined {
  return ctx.corpus ? undefined : 'needs recordings: build data/czech (npm run corpus:czech) or pass --corpus';
}

/** The corpus' files, cut to --max-files. */
async function corpusFiles(ctx: BenchContext): Promise<string[]> {
  const files = await listCorpus(ctx.corpus!.list);
  return ctx.corpus!.maxFiles === undefined ? files : files.slice(0, ctx.corpus!.maxFiles);
}

export const featuresSection: BenchSection = {
  name: 'features',
  title: `feature front end on ${SYNTHETIC_SECONDS} s of synthetic audio, one core`,
  async run(ctx) {
    const rows: BenchRow[] = [];
    const names = { mfcc: 'MFCC+Δ+ΔΔ', logmel: 'log-mel' } as const;
    for (const kind of ['mfcc', 'logmel'] as const) {
      const r = benchmarkFeatures(SYNTHETIC_SECONDS, { kind });
      rows.push({ measure: `${names[kind]} (${r.dim}-d), CPU`, value: r.xRealTimeCpu, unit: '× real time', note: `${r.frames} frames` });
      rows.push({ measure: `${names[kind]} (${r.dim}-d), wall`, value: r.xRealTime, unit: '× real time' });
      ctx.sampleMemory();
    }
    const rng = makeRng(2);
    for (const rate of [44100, 22050]) {
      const x = new Float32Array(SYNTHETIC_SECONDS * rate);
      for (let i = 0; i < x.length; i++) x[i] = 0.1 * rng.normal();
      resample(x.subarray(0, rate), rate, 16000); // warm-up
      const cpu0 = process.cpuUsage();
      resample(x, rate, 16000);
      rows.push({ measure: `resample ${rate / 1000} → 16 kHz, CPU`, value: (SYNTHETIC_SECONDS * 1000) / cpuMsSince(cpu0), unit: '× real time' });
    }
    return rows;
  },
};

/**
 * Every file of the corpus through the steps prepare-audio runs on it, timed
 * step by step in CPU time on this one thread: read + decode (+ down-mix and
 * resampling when the file is not 16 kHz mono), silence removal, MFCC; log-mel
 * is timed alongside for comparison. Speeds are relative to the recordings'
 * full duration.
 */
export const corpusSection: BenchSection = {
  name: 'corpus',
  title: 'decode + resample + VAD + features per file on real recordings, one process',
  unavailable: noCorpus,
  async run(ctx) {
    const files = await corpusFiles(ctx);
    const cfg = resolveFeatureConfig(DEFAULT_PREPARE_AUDIO_CONFIG.features);
    const logmelCfg = resolveFeatureConfig({ ...cfg, kind: 'logmel' });
    const ms = { decode: 0, vad: 0, features: 0, logmel: 0 };
    let audioSec = 0, voicedSec = 0, frames = 0, resampled = 0, skipped = 0, logmelWallMs = 0;
    const bar = startProgress('corpus', files.length);
    const wall0 = performance.now();
    for (const path of files) {
      try {
        let t = process.cpuUsage();
        const audio = await loadAudio(path, { sampleRate: cfg.sampleRate, minDurationSec: DEFAULT_PREPARE_AUDIO_CONFIG.minDurationSec });
        ms.decode += cpuMsSince(t);
        t = process.cpuUsage();
        const vad = removeSilence(audio);
        ms.vad += cpuMsSince(t);
        t = process.cpuUsage();
        frames += computeFeatures(vad.samples, cfg).rows;
        ms.features += cpuMsSince(t);
        t = process.cpuUsage();
        const w = performance.now();
        computeFeatures(vad.samples, logmelCfg);
        ms.logmel += cpuMsSince(t);
        logmelWallMs += performance.now() - w;
        audioSec += audio.samples.length / audio.sampleRate;
        voicedSec += vad.samples.length / audio.sampleRate;
        if (audio.source.sampleRate !== cfg.sampleRate || audio.source.channels !== 1) resampled++;
      } catch (e) {
        skipped++;
        log.warn(`bench: ${errorMessage(e)}`);
      }
      ctx.sampleMemory();
      bar.tick(1);
    }
    bar.stop();
    const wallMs = performance.now() - wall0 - logmelWallMs; // the log-mel comparison is not part of the pipeline
    const totalMs = ms.decode + ms.vad + ms.features;
    const x = (msSpent: number) => (audioSec * 1000) / msSpent;
    return [
      { measure: 'files', value: files.length - skipped, unit: 'files', note: `${skipped} unusable, ${resampled} resampled or down-mixed (${ctx.corpus!.name})` },
      { measure: 'audio', value: audioSec / 3600, unit: 'h', note: `${((100 * voicedSec) / Math.max(audioSec, 1e-9)).toFixed(0)}% kept by VAD, ${frames} frames` },
      { measure: 'read + decode + resample, CPU', value: x(ms.decode), unit: '× real time' },
      { measure: 'VAD, CPU', value: x(ms.vad), unit: '× real time' },
      { measure: 'MFCC+Δ+ΔΔ, CPU', value: x(ms.features), unit: '× real time' },
      { measure: 'log-mel instead, CPU', value: x(ms.logmel), unit: '× real time', note: 'not counted in the totals' },
      { measure: 'all steps (MFCC), CPU', value: x(totalMs), unit: '× real time', note: `${(totalMs / 1000).toFixed(1)} s CPU` },
      { measure: 'all steps (MFCC), wall', value: x(wallMs), unit: '× real time', note: `${(wallMs / 1000).toFixed(1)} s wall` },
    ];
  },
};

/** The prepare-audio stage itself (default settings: K=128, mini-batch above 200k frames) over the corpus. */
async function stageOnCorpus(ctx: BenchContext): Promise<BenchRow[]> {
  const files = await corpusFiles(ctx);
  const list = join(ctx.scratchDir, 'bench-train.list');
  writeFileSync(list, files.join('\n') + '\n');
  const outDir = join(ctx.scratchDir, 'prepare-audio');
  const t0 = performance.now();
  const res = await prepareAudio({ inputs: [list], outDir });
  const wallSec = (performance.now() - t0) / 1000;
  ctx.sampleMemory();
  const s = res.stats;
  const { k, maxFrames } = DEFAULT_PREPARE_AUDIO_CONFIG.kmeans;
  const sample = s.frames > maxFrames ? `a ~${maxFrames}-frame sample of ${s.frames}` : `all ${s.frames} frames`;
  const progress = JSON.parse(readFileSync(join(outDir, 'progress.json'), 'utf8')) as { done: string[] };
  if (progress.done.length !== 5) throw new Error(`prepare-audio finished only ${progress.done.join(', ')}`);
  return [
    { measure: 'recordings', value: res.utterances, unit: 'files', note: `${res.skipped.length} skipped (${ctx.corpus!.name})` },
    { measure: 'frames step (decode … MFCC, write)', value: s.framesSec, unit: 's', note: `${((s.audioHours * 3600) / s.framesSec).toFixed(0)}× real time over ${s.audioHours.toFixed(2)} h` },
    { measure: `k-means fit, K=${k}`, value: s.kmeansSec, unit: 's', note: `${Math.min(s.frames, maxFrames) > KMEANS_MINIBATCH_ABOVE ? 'mini-batch, ' : ''}${sample}, ${s.kmeansIters} iterations` },
    { measure: 'PCA fit', value: s.pcaSec, unit: 's', note: `${s.pcaDim}-d` },
    { measure: 'segments step', value: s.segmentsSec, unit: 's', note: `${s.segments} segments, ${s.framesPerSegment.toFixed(2)} frames per segment` },
    { measure: 'whole stage, wall', value: wallSec, unit: 's' },
  ];
}

/** A seeded mixture of 64 Gaussian blobs in `dim` dimensions: stand-in frames for k-means timing. */
function syntheticFrames(rows: number, dim: number): Matrix {
  const rng = makeRng(3);
  const centres = Float32Array.from({ length: 64 * dim }, () => 3 * rng.normal());
  const x = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    const c = rng.int(64);
    for (let j = 0; j < dim; j++) x[i * dim + j] = centres[c * dim + j] + rng.normal();
  }
  return matrix(rows, dim, x);
}

/**
 * Without recordings: k-means and PCA on 500k synthetic 39-d frames with the
 * stage's settings. These mirror prepare-audio.ts (mini-batch of 10k × 200
 * above 200k frames; PCA on at most 100k rows), which keeps them inline.
 */
async function fitsOnSyntheticFrames(ctx: BenchContext): Promise<BenchRow[]> {
  const { k, seed, restarts } = DEFAULT_PREPARE_AUDIO_CONFIG.kmeans;
  const data = syntheticFrames(SYNTHETIC_FRAMES, 39);
  ctx.sampleMemory();
  let t0 = performance.now();
  const km = fitKMeans(data, { k, seed, restarts, miniBatch: { ...KMEANS_MINIBATCH } });
  const kmSec = (performance.now() - t0) / 1000;
  ctx.sampleMemory();
  const stride = Math.ceil(data.rows / PCA_MAX_FRAMES);
  const sub = matrix(Math.ceil(data.rows / stride), data.cols);
  for (let i = 0; i < sub.rows; i++) sub.data.set(data.data.subarray(i * stride * data.cols, (i * stride + 1) * data.cols), i * data.cols);
  t0 = performance.now();
  const pca = fitPca(sub, Math.min(DEFAULT_PREPARE_AUDIO_CONFIG.pcaDim, data.cols));
  const pcaSec = (performance.now() - t0) / 1000;
  t0 = performance.now();
  assignClusters(km, data);
  const assignSec = (performance.now() - t0) / 1000;
  ctx.sampleMemory();
  return [
    { measure: `k-means fit, K=${k}`, value: kmSec, unit: 's', note: `SYNTHETIC ${SYNTHETIC_FRAMES} frames × 39 (no recordings); mini-batch, ${km.iters} iterations` },
    { measure: 'PCA fit', value: pcaSec, unit: 's', note: `synthetic frames; ${pca.dim}-d on ${sub.rows} rows` },
    { measure: 'assign all frames to clusters', value: assignSec, unit: 's', note: 'synthetic frames' },
  ];
}

export const segmentsSection: BenchSection = {
  name: 'segments',
  title: 'k-means (K=128) and PCA as prepare-audio fits them',
  async run(ctx) {
    return ctx.corpus ? stageOnCorpus(ctx) : fitsOnSyntheticFrames(ctx);
  },
};

export const AUDIO_SECTIONS: BenchSection[] = [featuresSection, corpusSection, segmentsSection];
