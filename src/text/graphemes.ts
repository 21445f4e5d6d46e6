/**
 * The simplest phonemizer: every user-perceived character (grapheme cluster,
 * so "á" written as a + combining accent stays one unit) is a phone. Useful
 * for shallow orthographies and as a baseline.
 */
import type { Phonemizer } from './phonemizer.js';

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

export function graphemeClusters(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** "U+0073 U+030C": tells look-alike characters apart in reports. */
export function codepointLabel(text: string): string {
  return Array.from(text, (c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
}

/** Hyphens join words; they are not pronounced. */
export function isWordJoiner(cluster: string): boolean {
  return cluster === '-';
}

const HAS_DIGIT = /\p{N}/u;

export function graphemePhonemizer(): Phonemizer {
  return {
    name: 'graphemes',
    description: 'one phone per grapheme cluster (letters as written, hyphens ignored)',
    async phonemizeWords(words: string[]) {
      return words.map((w) => {
        // A digit's pronunciation is a number word, not a letter: leave it to the caller to drop the sentence.
        if (HAS_DIGIT.test(w)) return null;
        const units = graphemeClusters(w.normalize('NFC')).filter((c) => !isWordJoiner(c) && c.trim().length > 0);
        return units.length > 0 ? units : null;
      });
    },
  };
}
