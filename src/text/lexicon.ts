/**
 * Pronunciation lexicons: one "word  p1 p2 p3" entry per line. Reads Kaldi
 * lexicon.txt and lexiconp.txt (probability after the word), MFA dictionaries
 * (word<TAB>phones, optionally with probability columns) and fairseq
 * lexicon.lst. Several entries for a word are variants; the first is used.
 */
import { InputFileError } from '../util/errors.js';
import { readUserLines } from './user-text.js';
import type { Phonemizer } from './phonemizer.js';

export interface Lexicon {
  /** Word (NFC) → phones of its first pronunciation. */
  entries: Map<string, string[]>;
  /** Entries beyond the first for a word (ignored). */
  variants: number;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

interface RawEntry {
  line: number;
  word: string;
  fields: string[];
  tabbed: boolean;
}

export function parseLexicon(path: string): Lexicon {
  const raw: RawEntry[] = [];
  readUserLines(path).forEach((text, i) => {
    const t = text.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';;')) return;
    const tabbed = t.includes('\t');
    const cols = tabbed ? t.split('\t').map((c) => c.trim()) : t.split(/\s+/u);
    raw.push({ line: i + 1, word: cols[0], fields: cols.slice(1), tabbed });
  });
  if (raw.length === 0) throw new InputFileError(path, 'the lexicon has no entries');

  // Kaldi lexiconp.txt puts a probability after every word; decide for the whole file,
  // so a lexicon whose phones happen to be digits is not misread.
  const spaced = raw.filter((r) => !r.tabbed);
  const hasProbability = spaced.length > 0 && spaced.every((r) => r.fields.length >= 2 && NUMBER.test(r.fields[0]));

  const entries = new Map<string, string[]>();
  let variants = 0;
  for (const r of raw) {
    const phones = phonesOf(path, r, hasProbability);
    const word = r.word.normalize('NFC');
    if (entries.has(word)) variants++;
    else entries.set(word, phones);
  }
  return { entries, variants };
}

function phonesOf(path: string, r: RawEntry, hasProbability: boolean): string[] {
  const where = `${path}:${r.line}`;
  let phoneText: string;
  if (r.tabbed) {
    // MFA: word, optional probability columns, phones last.
    const cols = r.fields.filter((c) => c !== '');
    phoneText = cols.at(-1) ?? '';
    const bad = cols.slice(0, -1).find((c) => !NUMBER.test(c));
    if (bad !== undefined) throw new InputFileError(where, `expected "word<TAB>phones" (probability columns in between must be numbers), found "${bad}"`);
  } else {
    phoneText = (hasProbability ? r.fields.slice(1) : r.fields).join(' ');
  }
  const phones = phoneText.split(/\s+/u).filter((p) => p !== '').map((p) => p.normalize('NFC'));
  if (phones.length === 0) throw new InputFileError(where, `entry "${r.word}" has no phones; expected "word<TAB>phone phone …"`);
  return phones;
}

export function lexiconPhonemizer(path: string): Phonemizer {
  const { entries, variants } = parseLexicon(path);
  // Lexicons are often upper-case (Kaldi, CMUdict) while normalised text is lower-case.
  const byLowercase = new Map<string, string[]>();
  for (const [w, phones] of entries) {
    const lw = w.toLowerCase();
    if (!byLowercase.has(lw)) byLowercase.set(lw, phones);
  }
  return {
    name: `lexicon:${path}`,
    description: `lexicon ${path} (${entries.size} words${variants > 0 ? `, ${variants} extra variants ignored` : ''})`,
    async phonemizeWords(words: string[]) {
      return words.map((w) => {
        const key = w.normalize('NFC');
        return entries.get(key) ?? byLowercase.get(key.toLowerCase()) ?? null;
      });
    },
  };
}
