/**
 * A phonemizer turns words into phone lists. Pronunciations are context-free
 * (one per word type), as in wav2vec-U, so callers can cache per word.
 */
export interface Phonemizer {
  /** Short id, e.g. "espeak-ng:cs" or "lexicon:lexicon.txt". */
  readonly name: string;
  /** One line for logs and manifests. */
  readonly description: string;
  /** One phone list per word; null where the word cannot be pronounced. */
  phonemizeWords(words: string[]): Promise<(string[] | null)[]>;
}

/** Prefix of the token a profile emits for a character it has no rule for, e.g. "�x". */
export const UNMATCHED = '\uFFFD';

export const PHONEMIZER_KINDS = ['espeak', 'lexicon', 'profile', 'graphemes'] as const;
export type PhonemizerKind = (typeof PHONEMIZER_KINDS)[number];

export interface PhonemizerSpec {
  kind: PhonemizerKind;
  /** espeak-ng voice or language code (kind 'espeak'). */
  language?: string;
  /** Lexicon or orthography-profile file (kinds 'lexicon' and 'profile'). */
  path?: string;
  /** Profile column holding the phones (kind 'profile'; default IPA, Phoneme or mapping). */
  column?: string;
}
