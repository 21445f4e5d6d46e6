/**
 * Kaldi / MFA pronunciation lexicon: one line per pronunciation,
 * "word<TAB>p1 p2 p3" — the layout of prepare-text's lexicon.txt, which Kaldi
 * (any whitespace), MFA (tab) and fairseq lexicon.lst read, and
 * `prepare-text --lexicon` reads back (src/text/lexicon.ts).
 */
import type { LexiconEntry } from '../lexicon/entry.js';

/** Kaldi splits lines on whitespace, so spaces inside a headword ("ice cream") become "_". */
export function kaldiWord(headword: string): string {
  return headword.trim().replace(/\s+/gu, '_');
}

export function renderKaldiLexicon(entries: readonly LexiconEntry[]): string {
  const lines: string[] = [];
  for (const e of entries) for (const p of e.pronunciations) lines.push(`${kaldiWord(e.headword)}\t${p.join(' ')}`);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
