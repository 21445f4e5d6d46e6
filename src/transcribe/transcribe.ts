/**
 * Transcription: recordings → timed phones with a model folder.
 *
 * Each recording is processed exactly as the training recordings were
 * (src/pipeline/recording.ts), the generator's outputs are decoded greedily
 * (runs of the same best unit collapsed), and every phone gets start and end
 * times in the ORIGINAL file, silences removed by the VAD included.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { listCorpus } from '../audio/index.js';
import { initBackend, tf } from '../backend/index.js';
import { frameBoundaryTime, toPhoneSegments, type PhoneSegment, type WordSegment } from '../decode/index.js';
import { accumulateCmvn } from '../features/index.js';
import { loadModelFolder, type LoadedModel } from '../model/model-folder.js';
import { normaliseFrames, recordingFrames, segmentFrames } from '../pipeline/recording.js';
import { utteranceIds } from '../pipeline/utterance-ids.js';
import { makeExample } from '../train/data.js';
import { FieldphoneError, UsageError, errorMessage } from '../util/errors.js';
import { assertNotInput } from '../util/fsx.js';
import { writeTranscriptOutputs, type TranscriptFormat } from './outputs.js';
import { log } from '../util/log.js';
import { startProgress } from '../util/progress.js';

export interface RecordingTranscript {
  file: string;
  durationSec: number;
  speechSec: number;
  phones: PhoneSegment[];
  /** Timed words, when the model folder has a lexicon and word LM (src/lexicon). */
  words?: WordSegment[];
}

/** Transcribe one recording (no files written). */
export async function transcribeRecording(model: LoadedModel, path: string, id = basename(path)): Promise<RecordingTranscript> {
  const cfg = model.audio;
  if (cfg.source === 'fairseq')
    throw new UsageError(`${model.dir} was trained on features extracted outside fieldphone (fairseq .npy); transcribing audio needs the same feature extractor, which fieldphone does not run yet`);
  const rec = await recordingFrames(path, cfg);
  // Per-speaker statistics need the speaker's other recordings; one file at a time, its own statistics are the best estimate.
  const x = normaliseFrames(rec.frames, cfg, cfg.cmvn === 'none' ? undefined : accumulateCmvn(undefined, rec.frames));
  const { seg, clusters } = segmentFrames(x, model.kmeans, model.pca, cfg);
  const utt = { id, path: resolve(path), speaker: '', durationSec: rec.durationSec, keptSec: rec.keptSec, kept: rec.kept };
  const ex = makeExample(model.config.input, utt, { clusters, frames: x, segments: { features: seg.features, spans: seg.spans } });
  const logits = tf.tidy(() => model.generator.apply(tf.tensor3d(ex.x, [1, ex.steps, ex.x.length / ex.steps]), false).logits);
  const data = logits.dataSync() as Float32Array;
  logits.dispose();
  const phones = toPhoneSegments(data, model.units, { stepSpans: ex.spans, frameToSec: frameBoundaryTime(cfg.features), kept: rec.kept });
  return { file: resolve(path), durationSec: rec.durationSec, speechSec: rec.keptSec, phones };
}


export interface TranscribeBatchOptions {
  modelDir: string;
  inputs: string[];
  outDir: string;
  formats: TranscriptFormat[];
  /** Redo recordings whose outputs already exist. */
  overwrite?: boolean;
}

export interface TranscribeSummary {
  ok: number;
  alreadyDone: number;
  failed: { path: string; reason: string }[];
  audioHours: number;
  seconds: number;
  xRealTime: number;
}

/**
 * Transcribe a corpus into outDir/<id>.<format>. Recordings whose outputs all
 * exist are skipped (so an interrupted batch continues), and a recording that
 * fails is reported without stopping the batch.
 */
export async function transcribeBatch(o: TranscribeBatchOptions): Promise<TranscribeSummary> {
  if (o.formats.length === 0) throw new UsageError('no output format given');
  await initBackend();
  const model = loadModelFolder(o.modelDir);
  const paths: string[] = [];
  for (const inp of o.inputs) paths.push(...(await listCorpus(inp)));
  const ids = utteranceIds(paths);
  const outDir = resolve(o.outDir);
  assertNotInput(outDir, paths);
  const summary: TranscribeSummary = { ok: 0, alreadyDone: 0, failed: [], audioHours: 0, seconds: 0, xRealTime: 0 };
  const t0 = Date.now();
  const bar = startProgress('transcribing', paths.length);
  for (let i = 0; i < paths.length; i++) {
    const outputs = o.formats.map((f) => join(outDir, `${ids[i]}.${f}`));
    if (!o.overwrite && outputs.every((p) => existsSync(p))) {
      summary.alreadyDone++;
      bar.tick(1);
      continue;
    }
    try {
      const t = await transcribeRecording(model, paths[i], ids[i]);
      writeTranscriptOutputs(t, o.formats, outputs, { id: ids[i], model: model.dir });
      summary.ok++;
      summary.audioHours += t.durationSec / 3600;
    } catch (e) {
      const reason = e instanceof FieldphoneError && e.file ? e.message.slice(e.file.length + 2) : errorMessage(e);
      summary.failed.push({ path: paths[i], reason });
      log.warn(`failed: ${paths[i]}: ${reason}`);
    }
    bar.tick(1);
  }
  bar.stop();
  summary.seconds = (Date.now() - t0) / 1000;
  summary.xRealTime = summary.seconds > 0 ? (summary.audioHours * 3600) / summary.seconds : 0;
  log.info(
    `transcribed ${summary.ok} recordings (${summary.audioHours.toFixed(2)} h, ${summary.xRealTime.toFixed(0)}× real time)` +
      `${summary.alreadyDone ? `, ${summary.alreadyDone} already done` : ''}${summary.failed.length ? `, ${summary.failed.length} failed` : ''} → ${outDir}`,
  );
  model.generator.dispose();
  return summary;
}
