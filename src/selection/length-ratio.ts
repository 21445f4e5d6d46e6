/**
 * Output-length diagnostic (notes §10 item 3: a drifting output/text length
 * ratio signals degeneration, e.g. a generator that emits one phone per
 * segment or collapses everything into a few long runs).
 *
 * The audio and the text are unrelated, so there is no per-utterance text
 * length to compare with, and text has no duration. What both sides share is
 * the speaking rate: the hypotheses' phones (without <SIL>) per second of
 * speech kept by the VAD, divided by the phone rate expected for the language.
 * The default expected rate is a rough cross-language figure (read and
 * conversational speech run at about 10–15 phones per second); it is good
 * enough to flag gross over- or under-segmentation and to track drift across
 * checkpoints. When a few recordings have reference transcripts, their own
 * rate (lengthRatio(refs, seconds, 1).phonesPerSecond) is the better value.
 */
import { SIL } from '../text/index.js';
import { UsageError } from '../util/errors.js';

export const TYPICAL_PHONES_PER_SECOND = 12;

export interface LengthRatio {
  /** Phones (without <SIL>) per second of kept speech, over all hypotheses. */
  phonesPerSecond: number;
  /** phonesPerSecond / expected rate; ≈1 when the output has a plausible length. */
  ratio: number;
}

export function lengthRatio(hyps: string[][], speechSec: number[], expectedPhonesPerSecond = TYPICAL_PHONES_PER_SECOND): LengthRatio {
  if (hyps.length !== speechSec.length) throw new UsageError(`lengthRatio: ${hyps.length} hypotheses but ${speechSec.length} durations`);
  if (!(expectedPhonesPerSecond > 0 && Number.isFinite(expectedPhonesPerSecond)))
    throw new UsageError(`the expected phone rate must be a positive number, got ${expectedPhonesPerSecond}`);
  let phones = 0, sec = 0;
  hyps.forEach((h, i) => {
    if (!(speechSec[i] >= 0 && Number.isFinite(speechSec[i]))) throw new UsageError(`lengthRatio: bad duration ${speechSec[i]} for hypothesis ${i}`);
    for (const u of h) if (u !== SIL) phones++;
    sec += speechSec[i];
  });
  if (sec === 0) throw new UsageError('lengthRatio: the utterances have no speech duration');
  const phonesPerSecond = phones / sec;
  return { phonesPerSecond, ratio: phonesPerSecond / expectedPhonesPerSecond };
}
