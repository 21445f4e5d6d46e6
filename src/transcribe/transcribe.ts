/**
 * Transcription: recordings → timed phones with a model folder.
 *
 * Each recording is processed exactly as the training recordings were
 * (src/pipeline/recording.ts), the generator's outputs are decoded greedily
 * (runs of the same best unit collapsed), and every phone gets start and end
 * times in the ORIGINAL file, silences removed by the VAD included.
 */
import { basename, resolve } from 'node:path';
import { tf } from '../backend/index.js';
import { frameBoundaryTime, toPhoneSegments, type PhoneSegment, type WordSegment } from '../decode/index.js';
import { accumulateCmvn } from '../features/index.js';
import { modelWordDecoder, toWordSegments, type WordDecoderOptions } from '../lexicon/index.js';
import type { LoadedModel } from '../model/model-folder.js';
import { normaliseFrames, recordingFrames, segmentFrames } from '../pipeline/recording.js';
import { makeExample } from '../train/data.js';
import { ctcDecoderFor, ctcTranscribe } from '../selftrain/ctc-decoder.js';
import { hmmDecoderFor, hmmTranscribe } from '../selftrain/hmm-decoder.js';
import { UsageError } from '../util/errors.js';

export interface RecordingTranscript {
  file: string;
  durationSec: number;
  speechSec: number;
  phones: PhoneSegment[];
  /** Timed words, when the model folder has a lexicon and word LM (src/lexicon). */
  words?: WordSegment[];
}

/** Transcribe one recording (no files written). */
export async function transcribeRecording(
  model: LoadedModel,
  path: string,
  id = basename(path),
  wordOptions: Partial<WordDecoderOptions> = {},
): Promise<RecordingTranscript> {
  const cfg = model.audio;
  if (cfg.source === 'fairseq')
    throw new UsageError(`${model.dir} was trained on features extracted outside fieldphone (fairseq .npy); fieldphone cannot run that extractor on new audio. Export the encoder to ONNX and prepare the audio with --features onnx (docs/encoders.md) to train a model that can transcribe`);
  const rec = await recordingFrames(path, cfg);
  // Per-speaker statistics need the speaker's other recordings; one file at a time, its own statistics are the best estimate.
  const x = normaliseFrames(rec.frames, cfg, cfg.cmvn === 'none' ? undefined : accumulateCmvn(undefined, rec.frames));
  // A self-trained model folder decodes with its acoustic model instead of the generator (src/selftrain):
  // the neural stage's network (ctc.bin, greedy CTC) or the HMM-GMM with the phone LM (hmm.bin).
  const ctc = ctcDecoderFor(model);
  if (ctc) return { file: resolve(path), durationSec: rec.durationSec, speechSec: rec.keptSec, phones: ctcTranscribe(ctc, x, frameBoundaryTime(cfg.features), rec.kept) };
  const hmm = hmmDecoderFor(model);
  if (hmm) return { file: resolve(path), durationSec: rec.durationSec, speechSec: rec.keptSec, phones: hmmTranscribe(hmm, x, frameBoundaryTime(cfg.features), rec.kept) };
  const { seg, clusters } = segmentFrames(x, model.kmeans, model.pca, cfg);
  const utt = { id, path: resolve(path), speaker: '', durationSec: rec.durationSec, keptSec: rec.keptSec, kept: rec.kept };
  const ex = makeExample(model.config.input, utt, { clusters, frames: x, rawFrames: rec.frames, segments: { features: seg.features, spans: seg.spans } });
  const logits = tf.tidy(() => model.generator.apply(tf.tensor3d(ex.x, [1, ex.steps, ex.x.length / ex.steps]), false).logits);
  const data = logits.dataSync() as Float32Array;
  logits.dispose();
  const timing = { stepSpans: ex.spans, frameToSec: frameBoundaryTime(cfg.features), kept: rec.kept };
  const phones = toPhoneSegments(data, model.units, timing);
  // Words when the model folder has a lexicon and word LM (src/lexicon/word-decoder.ts).
  const decoder = modelWordDecoder(model, wordOptions);
  const words = decoder ? toWordSegments(data, decoder, model.units.length, timing) : undefined;
  return { file: resolve(path), durationSec: rec.durationSec, speechSec: rec.keptSec, phones, ...(words ? { words } : {}) };
}

// Whole corpora, in worker threads: batch.ts.
export { transcribeBatch, type TranscribeBatchOptions, type TranscribeSummary } from './batch.js';
