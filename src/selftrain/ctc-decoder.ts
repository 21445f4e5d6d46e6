/**
 * The neural stage's model file and its decoding: what `transcribe` (and the
 * server) use when a model folder holds ctc.bin.
 *
 *   ctc.bin   tensor file (kind 'ctc-model'): the network's weights, with its
 *             configuration and the units it outputs in the header
 *
 * Decoding is greedy CTC: the best output of every frame, runs of one output
 * collapsed, blanks dropped. Each phone's frames run from the middle of the
 * blank gap before it to the middle of the gap after it (the first from frame
 * 0, the last to the end), so phones tile the utterance as the HMM's do; its
 * confidence is the mean log-softmax of its unit over the frames that chose it.
 */
import type { Interval } from '../audio/index.js';
import { tf } from '../backend/index.js';
import { greedyDecode, type PhoneSegment } from '../decode/index.js';
import type { LoadedModel } from '../model/model-folder.js';
import { ArtifactError } from '../util/errors.js';
import type { Matrix } from '../util/matrix.js';
import { readTensorFile, writeTensorFile } from '../util/tensor-file.js';
import { acousticModelFor } from './acoustic-file.js';
import { CtcNet, type CtcNetConfig } from './ctc-model.js';
import { toTimedPhones, type DecodedPhones } from './hmm-decoder.js';

/** The neural stage's file in a model folder; its presence makes `transcribe` decode with the network. */
export const CTC_FILE = 'ctc.bin';
const KIND = 'ctc-model';

interface CtcFileMeta {
  config: CtcNetConfig;
  units: string[];
  blankPenalty: number;
  /** How it was trained (for the record). */
  info: Record<string, unknown>;
}

export interface CtcDecoder {
  net: CtcNet;
  units: string[];
  /** Subtracted from the blank's logit before decoding (chosen by the label-free score). */
  blankPenalty: number;
}

export function writeCtcModel(path: string, dec: CtcDecoder, info: Record<string, unknown>): void {
  writeTensorFile(path, KIND, dec.net.getWeights(), { config: dec.net.cfg, units: dec.units, blankPenalty: dec.blankPenalty, info } satisfies CtcFileMeta);
}

export function readCtcModel(path: string): CtcDecoder & { info: Record<string, unknown> } {
  const { tensors, meta } = readTensorFile(path, KIND, 'CTC model');
  const m = meta as CtcFileMeta;
  if (!m || !Array.isArray(m.units) || typeof m.config !== 'object' || m.units.length !== m.config.numUnits || !Number.isFinite(m.blankPenalty))
    throw new ArtifactError(path, 'not a valid CTC model file: its header does not describe the network and its units');
  const net = new CtcNet(m.config, 0);
  net.setWeights(tensors, path);
  return { net, units: m.units, blankPenalty: m.blankPenalty, info: m.info ?? {} };
}

/** Network outputs [steps × (units+1)] of one utterance's normalised frames. */
export function ctcLogits(net: CtcNet, frames: Matrix): Float32Array {
  const T = net.steps(frames.rows) * net.cfg.stride;
  const x = new Float32Array(T * frames.cols);
  x.set(frames.data);
  const y = tf.tidy(() => net.apply(tf.tensor3d(x, [1, T, frames.cols]), false));
  const data = y.dataSync() as Float32Array;
  y.dispose();
  return data;
}

/**
 * Greedy CTC decoding of logits [T × V] (blank = V − 1): phones with tiling
 * frame spans and confidences. `blankPenalty` is subtracted from the blank's
 * logit first: a network trained on noisy labels spreads a phone's
 * probability over several units and lets the blank win, deleting phones.
 */
export function ctcGreedy(logits: Float32Array, T: number, V: number, blankPenalty = 0): DecodedPhones {
  let x = logits;
  if (blankPenalty !== 0) {
    x = Float32Array.from(logits);
    for (let t = 0; t < T; t++) x[t * V + V - 1] -= blankPenalty;
  }
  const g = greedyDecode(x, T, V);
  const keep: number[] = [];
  for (let r = 0; r < g.units.length; r++) if (g.units[r] !== V - 1) keep.push(r);
  const n = keep.length;
  const units = new Int32Array(n), spans = new Int32Array(2 * n), scores = new Float64Array(n);
  keep.forEach((r, i) => {
    units[i] = g.units[r];
    scores[i] = g.scores[r];
    spans[2 * i] = i === 0 ? 0 : Math.floor((g.runs[2 * keep[i - 1] + 1] + g.runs[2 * r]) / 2);
    if (i > 0) spans[2 * i - 1] = spans[2 * i];
  });
  if (n > 0) spans[2 * n - 1] = T;
  return { units, spans, scores };
}

/** Decode normalised frames; spans are in frames. */
export function ctcDecodeFrames(dec: CtcDecoder, frames: Matrix, blankPenalty = dec.blankPenalty): DecodedPhones {
  return stepsToFrames(ctcGreedy(ctcLogits(dec.net, frames), dec.net.steps(frames.rows), dec.units.length + 1, blankPenalty), dec.net.cfg.stride, frames.rows);
}

/** Step spans → frame spans (the last step may reach past the last frame). */
export function stepsToFrames(d: DecodedPhones, stride: number, frames: number): DecodedPhones {
  return { ...d, spans: d.spans.map((v) => Math.min(v * stride, frames)) };
}

const cache = new WeakMap<LoadedModel, CtcDecoder | null>();

/** The CTC decoder of a model folder (loaded once per loaded model), or undefined when it has none. */
export function ctcDecoderFor(model: LoadedModel): CtcDecoder | undefined {
  return acousticModelFor(cache, model, CTC_FILE, (path, checkUnits) => {
    const dec = readCtcModel(path);
    checkUnits(dec.units);
    return dec;
  });
}

/** What transcribeRecording calls: normalised frames of one recording → timed phones. */
export function ctcTranscribe(dec: CtcDecoder, frames: Matrix, frameToSec: (frame: number) => number, kept: Interval[]): PhoneSegment[] {
  return toTimedPhones(dec.units, ctcDecodeFrames(dec, frames), frames.rows, frameToSec, kept);
}
