/** Timed words, what word decoding (src/lexicon) adds next to the timed phones. */
export interface WordSegment {
  /** The word as spelled in the lexicon, or the phones joined by spaces for a stretch no lexicon word explains. */
  word: string;
  /** Seconds in the ORIGINAL file. */
  start: number;
  end: number;
  /** The pronunciation the decoder matched (or the phones of the out-of-lexicon stretch). */
  phones: string[];
  /** True for a stretch kept as phones because no lexicon word fitted. */
  oov: boolean;
  /** Acoustic + LM log score of the word (optional). */
  score?: number;
}
