/** Model outputs of one utterance → timed phones. */
import type { Interval } from '../audio/index.js';
import { greedyDecode } from './greedy.js';
import { stepsToTimes } from './timing.js';

export interface PhoneSegment {
  phone: string;
  /** Seconds in the ORIGINAL file. */
  start: number;
  end: number;
  /** Mean log-softmax probability of the phone over its steps (≤ 0). */
  score?: number;
}

/** How an utterance's output steps sit in time (see timing.ts). */
export interface StepTiming {
  /** 2 × steps: [startFrame, endFrame) per output step (strideSpans of the segment spans). */
  stepSpans: Int32Array;
  /** Processed-audio time of the boundary before a frame (frameBoundaryTime). */
  frameToSec: (frame: number) => number;
  /** The VAD's kept intervals in original seconds; [] when no silence was removed. */
  kept: Interval[];
}

/** Greedy decoding of `logits` [steps × vocab.length], one PhoneSegment per run, <SIL> included. */
export function toPhoneSegments(logits: Float32Array, vocab: string[], timing: StepTiming): PhoneSegment[] {
  const steps = timing.stepSpans.length / 2;
  if (logits.length !== steps * vocab.length)
    throw new Error(`toPhoneSegments: ${logits.length} model outputs, expected ${steps} steps × ${vocab.length} units`);
  const dec = greedyDecode(logits, steps, vocab.length);
  const times = stepsToTimes(dec.runs, timing.stepSpans, timing.frameToSec, timing.kept);
  return times.map((t, i) => ({ phone: vocab[dec.units[i]], start: t.start, end: t.end, score: dec.scores[i] }));
}
