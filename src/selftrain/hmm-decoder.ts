/**
 * Decoding recordings with a self-trained HMM: what `transcribe` uses when a
 * model folder holds hmm.bin. Frames (normalised as prepare-audio does) →
 * phone-loop Viterbi with the folder's phone LM as a bigram → phones with
 * frame spans and a confidence (mean over the phone's frames of the log
 * posterior of its unit among all states, ≤ 0) → times in the original file.
 */
import { join } from 'node:path';
import type { Interval } from '../audio/index.js';
import { stepsToTimes, type PhoneSegment } from '../decode/index.js';
import { readAcousticModel, stateLogLiks, transformFrames, type AcousticModel, type DecodeSettings } from '../hmm/acoustic-model.js';
import { logSumExp } from '../hmm/log-math.js';
import { decodePhoneLoop, phoneBigram, type PhoneBigram } from '../hmm/phone-loop.js';
import { readArpa } from '../lm/index.js';
import { MODEL_FILES, type LoadedModel } from '../model/model-folder.js';
import { acousticModelFor } from './acoustic-file.js';
import type { Matrix } from '../util/matrix.js';

/** The acoustic model's file in a model folder; its presence makes `transcribe` decode with the HMM. */
export const HMM_FILE = 'hmm.bin';

export interface HmmDecoder {
  model: AcousticModel;
  bigram: PhoneBigram;
  settings: DecodeSettings;
}

export interface DecodedPhones {
  units: Int32Array;
  spans: Int32Array;
  /** Mean log posterior per phone. */
  scores: Float64Array;
}

export function makeHmmDecoder(model: AcousticModel, lmPath: string, settings: DecodeSettings): HmmDecoder {
  return { model, bigram: phoneBigram(readArpa(lmPath), model.topology.units), settings };
}

/** Decode normalised frames (the prepared audio's `frames(u)`, or a recording's normalised frames). */
export function decodeFrames(dec: HmmDecoder, frames: Matrix, settings: DecodeSettings = dec.settings): DecodedPhones {
  const x = transformFrames(dec.model, frames);
  const em = stateLogLiks(dec.model, x);
  return withScores(dec.model, em.logLik, decodePhoneLoop(dec.model, em, dec.bigram, settings));
}

/** Per-phone confidences for a decoding from the same emissions. */
export function withScores(model: AcousticModel, logLik: Float64Array, d: { units: Int32Array; spans: Int32Array }): DecodedPhones {
  const topo = model.topology, S = topo.numStates;
  const scores = new Float64Array(d.units.length);
  for (let i = 0; i < d.units.length; i++) {
    const u = d.units[i], a = topo.firstState[u], b = a + topo.statesPerUnit[u];
    let sum = 0;
    for (let t = d.spans[2 * i]; t < d.spans[2 * i + 1]; t++) sum += logSumExp(logLik, t * S + a, t * S + b) - logSumExp(logLik, t * S, (t + 1) * S);
    scores[i] = sum / Math.max(1, d.spans[2 * i + 1] - d.spans[2 * i]);
  }
  return { units: d.units, spans: d.spans, scores };
}

/** Timed phones in the original recording (frame spans → seconds → through the VAD's kept intervals). */
export function toTimedPhones(units: string[], d: DecodedPhones, frames: number, frameToSec: (frame: number) => number, kept: Interval[]): PhoneSegment[] {
  const frameSpans = new Int32Array(2 * frames);
  for (let t = 0; t < frames; t++) {
    frameSpans[2 * t] = t;
    frameSpans[2 * t + 1] = t + 1;
  }
  const times = stepsToTimes(d.spans, frameSpans, frameToSec, kept);
  return times.map((t, i) => ({ phone: units[d.units[i]], start: t.start, end: t.end, score: d.scores[i] }));
}

const cache = new WeakMap<LoadedModel, HmmDecoder | null>();

/** The HMM decoder of a model folder (loaded once per loaded model), or undefined when it has none. */
export function hmmDecoderFor(model: LoadedModel): HmmDecoder | undefined {
  return acousticModelFor(cache, model, HMM_FILE, (path, checkUnits) => {
    const { model: am, decode } = readAcousticModel(path);
    checkUnits(am.topology.units);
    return makeHmmDecoder(am, join(model.dir, MODEL_FILES.phoneLm), decode);
  });
}

/** What transcribeRecording calls: normalised frames of one recording → timed phones. */
export function hmmTranscribe(dec: HmmDecoder, frames: Matrix, frameToSec: (frame: number) => number, kept: Interval[]): PhoneSegment[] {
  return toTimedPhones(dec.model.topology.units, decodeFrames(dec, frames), frames.rows, frameToSec, kept);
}
