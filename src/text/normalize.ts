/**
 * Text normalisation before phonemization, following wav2vec-U's
 * normalize_and_filter_text.py: keep letters, combining marks, digits and
 * word-internal apostrophes/hyphens; everything else becomes a space.
 */

export interface NormalizeOptions {
  /** Lower-case everything (default true). */
  lowercase: boolean;
  /**
   * 'keep' (default): digits stay, so espeak-ng reads numbers in the language while
   * the other phonemizers reject the word and the sentence is dropped.
   * 'drop': words containing a digit are removed.
   */
  digits: 'keep' | 'drop';
  /** Keep apostrophes between two letters, as in "don't" (default true). */
  keepApostrophe: boolean;
  /** Keep hyphens between two letters or digits, as in "rock-and-roll" (default true). */
  keepHyphen: boolean;
  /**
   * 'NFC' (default) or 'NFKC'. NFKC also folds ligatures and full-width forms but
   * turns modifier letters such as ʰ into plain letters, which breaks many orthographies.
   */
  unicodeForm: 'NFC' | 'NFKC';
}

export const DEFAULT_NORMALIZE: NormalizeOptions = {
  lowercase: true,
  digits: 'keep',
  keepApostrophe: true,
  keepHyphen: true,
  unicodeForm: 'NFC',
};

// Right single quotation mark is the usual typographic apostrophe; U+2010 is a typographic hyphen.
const APOSTROPHES = /[\u2019]/g;
const HYPHENS = /[\u2010\u2011]/g;
// ZWJ/ZWNJ are part of the spelling in Persian and Indic scripts.
const NOT_KEPT = /[^\p{L}\p{M}\p{N}\u200C\u200D'\-\s]/gu;
const LETTER = /[\p{L}\p{M}]/u;
const WORD_CHAR = /[\p{L}\p{M}\p{N}\u200C\u200D]/u;
const HAS_DIGIT = /\p{N}/u;

export function normalizeText(line: string, opts: Partial<NormalizeOptions> = {}): string {
  const o = { ...DEFAULT_NORMALIZE, ...opts };
  let s = line.normalize(o.unicodeForm).replace(APOSTROPHES, "'").replace(HYPHENS, '-');
  if (o.lowercase) s = s.toLowerCase();
  s = s.replace(NOT_KEPT, ' ');
  s = keepInside(s, "'", o.keepApostrophe, LETTER);
  s = keepInside(s, '-', o.keepHyphen, WORD_CHAR);
  let words = splitWords(s);
  if (o.digits === 'drop') words = words.filter((w) => !HAS_DIGIT.test(w));
  return words.join(' ');
}

/** Keep `mark` only where the characters on both sides match `side`; elsewhere it becomes a space. */
function keepInside(s: string, mark: string, keep: boolean, side: RegExp): string {
  if (!s.includes(mark)) return s;
  const chars = Array.from(s);
  return chars
    .map((c, i) => {
      if (c !== mark) return c;
      const inside = keep && i > 0 && i < chars.length - 1 && side.test(chars[i - 1]) && side.test(chars[i + 1]);
      return inside ? c : ' ';
    })
    .join('');
}

export function splitWords(normalized: string): string[] {
  return normalized.split(/\s+/u).filter((w) => w.length > 0);
}
