/**
 * What happens to one recording, shared by corpus preparation (prepare-audio)
 * and transcription, so new audio is processed exactly like training audio:
 * decode → 16 kHz mono → VAD → frames; CMVN + splicing; k-means ids, PCA,
 * run merging (+ pair pooling).
 */
import { loadAudio, removeSilence, type Interval } from '../audio/index.js';
import { applyCmvn, computeFeatures, encodeWaveform, splice, type CmvnStats } from '../features/index.js';
import { applyPca, assignClusters, mergeRuns, poolPairs, type KMeansModel, type PcaModel, type Segments } from '../segments/index.js';
import { FieldphoneError } from '../util/errors.js';
import type { Matrix } from '../util/matrix.js';
import type { PrepareAudioConfig } from './prepare-audio.js';
import { sslFrames } from '../pretrain/model-folder.js';

export interface RecordingFrames {
  /** Raw (un-normalised) frames of the voiced audio. */
  frames: Matrix;
  durationSec: number;
  keptSec: number;
  /** Voiced intervals in the original file's timeline (seconds). */
  kept: Interval[];
}

/** Decode, resample, remove silence and compute frames; errors name the file. */
export async function recordingFrames(path: string, config: PrepareAudioConfig): Promise<RecordingFrames> {
  const audio = await loadAudio(path, { sampleRate: config.features.sampleRate, minDurationSec: config.minDurationSec });
  const durationSec = audio.samples.length / audio.sampleRate;
  const vad = config.vad ? removeSilence(audio) : { samples: audio.samples, kept: [{ start: 0, end: durationSec }] };
  let frames: Matrix;
  try {
    // Pretrained-encoder frames (src/features/onnx-encoder.ts) are computed by ONNX Runtime, asynchronously.
    frames = config.features.kind === 'onnx' ? await encodeWaveform(vad.samples, config.features) : config.features.kind === 'ssl' ? await sslFrames(vad.samples, config.features) : computeFeatures(vad.samples, config.features);
  } catch (e) {
    if (e instanceof FieldphoneError && !e.file) throw new FieldphoneError(e.code, e.message, path);
    throw e;
  }
  if (frames.rows < 3) throw new FieldphoneError('too-short', `only ${frames.rows} frames of speech after silence removal`, path);
  return { frames, durationSec, keptSec: vad.samples.length / audio.sampleRate, kept: vad.kept };
}

/** Apply CMVN and splicing to one utterance's raw frames (the same function for fitting and applying). */
export function normaliseFrames(raw: Matrix, cfg: PrepareAudioConfig, stats?: CmvnStats): Matrix {
  let m = raw;
  if (cfg.cmvn !== 'none') {
    if (!stats) throw new Error('normaliseFrames: CMVN statistics missing');
    m = applyCmvn(m, stats, { variance: true });
  }
  if (cfg.splice > 0) m = splice(m, cfg.splice, cfg.splice);
  return m;
}

/** Normalised frames → per-frame cluster ids and pooled segments. */
export function segmentFrames(x: Matrix, km: KMeansModel, pca: PcaModel, config: PrepareAudioConfig): { seg: Segments; clusters: Int32Array } {
  const clusters = assignClusters(km, x);
  let seg = mergeRuns(applyPca(pca, x), clusters);
  if (config.poolPairs) seg = poolPairs(seg);
  return { seg, clusters };
}
