/** A lexicon entry as the export formats see it (src/formats/lift.ts, kaldi-lexicon.ts, ./write.ts). */

/** Where a word was heard: seconds in the original recording. */
export interface Occurrence {
  file: string;
  start: number;
  end: number;
}

/** File, then time order. */
export function compareOccurrences(a: Occurrence, b: Occurrence): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start;
}

export interface LexiconEntry {
  /** The spelling; for a discovered candidate, its phones written together. */
  headword: string;
  /** Each pronunciation as phones (IPA, the model's units). */
  pronunciations: string[][];
  /** Occurrences in the prepare-text text (words.txt); undefined when that text is not at hand. */
  textCount?: number;
  /** Occurrences in the transcribed audio; undefined when no transcripts were given. */
  audioCount?: number;
  /** Some of those occurrences (the first ones, in file and time order). */
  examples: Occurrence[];
  /** A recurring phone sequence no lexicon word explains (word discovery), not a lexicon word. */
  candidate?: boolean;
  /** Discovery score (phone tokens saved, see discover.ts). */
  score?: number;
}
