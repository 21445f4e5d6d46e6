/** Model outputs of one utterance → timed words (WordSegment), through the word decoder. */
import { stepsToTimes, type StepTiming, type WordSegment } from '../decode/index.js';
import { logSoftmaxRows, type WordDecoder } from './word-decoder.js';

/** Decode `logits` [steps × units] into words with times in the original file (silences are not words). */
export function toWordSegments(logits: Float32Array, decoder: WordDecoder, numUnits: number, timing: StepTiming): WordSegment[] {
  const steps = timing.stepSpans.length / 2;
  const words = decoder.decode(logSoftmaxRows(logits, steps, numUnits), steps);
  if (words.length === 0) return [];
  const runs = new Int32Array(words.flatMap((w) => [w.startStep, w.endStep]));
  const times = stepsToTimes(runs, timing.stepSpans, timing.frameToSec, timing.kept);
  return words.map((w, i) => ({ word: w.word, start: times[i].start, end: times[i].end, phones: w.phones, oov: w.oov, score: w.score }));
}
