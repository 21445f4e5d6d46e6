/**
 * Silence tokens in the phonemized text, so the text side has pauses like
 * the audio side does (wav2vec-U phonemize_with_sil.py: without a silence
 * label the model spends a real phone on pauses).
 */
import { UsageError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';

export const SIL = '<SIL>';

/**
 * Flatten words into one phone sequence: SIL at both ends when `surround`,
 * and in each gap between words with probability `prob` (wav2vec-U: 0.25;
 * 0.5 in version 2.0).
 */
export function insertSilence(words: string[][], rng: Rng, prob = 0.25, surround = true): string[] {
  if (!(prob >= 0 && prob <= 1)) throw new UsageError(`silence probability must be between 0 and 1, got ${prob}`);
  const out: string[] = surround ? [SIL] : [];
  words.forEach((w, i) => {
    if (i > 0 && rng.next() < prob) out.push(SIL);
    out.push(...w);
  });
  if (surround) out.push(SIL);
  return out;
}
