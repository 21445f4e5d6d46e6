/**
 * What decipherment clusters: the generator's change-point segments (the
 * same spans, so every training step gets a label), pooled from the frames
 * *before* per-recording CMVN. Short recordings' means depend on what is
 * said, so per-recording normalisation moves the same phone around: on the
 * demo corpus it lowered cluster purity from 72 % to 68 % and the annealer
 * then found no map (89 % PER against 56 %).
 */
import type { PreparedAudio, UtteranceInfo } from '../pipeline/prepare-audio.js';
import { DEFAULT_CHANGE_POINTS, poolChangeSegments } from '../segments/index.js';
import type { AudioData } from '../train/data.js';
import type { Matrix } from '../util/matrix.js';

/** One feature row per [start, end) frame span of recording `u`, pooled from its frames before CMVN. */
export function poolDecipherSpans(prepared: Pick<PreparedAudio, 'rawFrames'>, u: UtteranceInfo, spans: Int32Array): Matrix {
  return poolChangeSegments(prepared.rawFrames(u), spans, DEFAULT_CHANGE_POINTS.staticDims);
}

/** The training examples' change-point segments, one matrix per recording. */
export function decipherSegmentFeatures(audio: AudioData): Matrix[] {
  return audio.examples.map((e) => poolDecipherSpans(audio.prepared, e.utterance, e.spans));
}
