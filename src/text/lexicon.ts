/**
 * Pronunciation lexicons: one "word  p1 p2 p3" entry per line. Reads Kaldi
 * lexicon.txt and lexiconp.txt (probability after the word), MFA dictionaries
 * (word<TAB>phones, optionally with probability columns) and fairseq
 * lexicon.lst; and LIFT files (FLEx, Lexique Pro: `.lift`, or any file whose
 * first element is <lift>), headword from the lexical unit, phones from the
 * pronunciation's IPA form. Several entries for a word are variants; the
 * phonemizer uses the first, the word decoder all of them.
 */
import { parseLift } from '../formats/lift.js';
import { InputFileError } from '../util/errors.js';
import { graphemeClusters } from './graphemes.js';
import { readUserLines, readUserText } from './user-text.js';
import type { Phonemizer } from './phonemizer.js';

export interface Lexicon {
  /** Word (NFC) → phones of its first pronunciation. */
  entries: Map<string, string[]>;
  /** Word (NFC) → all its pronunciations, the first first. */
  pronunciations: Map<string, string[][]>;
  /** Entries beyond the first for a word (ignored by the phonemizer). */
  variants: number;
  /** LIFT entries left out because they have no pronunciation. */
  unpronounced: number;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

interface RawEntry {
  line: number;
  word: string;
  fields: string[];
  tabbed: boolean;
}

/** A LIFT file, by its name or by its first element. */
function isLift(path: string, text: string): boolean {
  return /\.lift$/i.test(path) || /^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<lift[\s>]/.test(text.slice(0, 4096));
}

export function parseLexicon(path: string): Lexicon {
  const text = readUserText(path);
  if (isLift(path, text)) return parseLiftLexicon(path, text);
  const raw: RawEntry[] = [];
  readUserLines(path).forEach((line, i) => {
    const t = line.trim();
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

  return collect(raw.map((r) => ({ word: r.word, phones: phonesOf(path, r, hasProbability) })), 0);
}

function collect(items: { word: string; phones: string[] }[], unpronounced: number): Lexicon {
  const entries = new Map<string, string[]>();
  const pronunciations = new Map<string, string[][]>();
  let variants = 0;
  for (const { word: w, phones } of items) {
    const word = w.normalize('NFC');
    const prons = pronunciations.get(word);
    if (prons) {
      variants++;
      if (!prons.some((p) => p.join(' ') === phones.join(' '))) prons.push(phones);
    } else {
      entries.set(word, phones);
      pronunciations.set(word, [phones]);
    }
  }
  return { entries, pronunciations, variants, unpronounced };
}

/** A LIFT lexicon: every pronunciation of every entry that has one. */
function parseLiftLexicon(path: string, text: string): Lexicon {
  const items: { word: string; phones: string[] }[] = [];
  let unpronounced = 0;
  for (const e of parseLift(text, path)) {
    if (e.pronunciations.length === 0) unpronounced++;
    for (const p of e.pronunciations) {
      const phones = splitIpa(p);
      if (phones.length > 0) items.push({ word: e.headword, phones });
    }
  }
  if (items.length === 0)
    throw new InputFileError(path, `no LIFT entry has a pronunciation (${unpronounced} entries without one); a pronunciation lexicon needs the IPA of each word`);
  return collect(items, unpronounced);
}

/** Stress and syllable marks, and the slashes or brackets some write around IPA. */
const IPA_NOT_PHONES = /[ˈˌ.‿/[\]]/gu;
/** Tie bars join the next letter to the phone (t͡s). */
const TIE = /[\u0361\u035C]$/u;

/**
 * Phones of an IPA pronunciation: split at spaces when there are any (what
 * fieldphone writes); otherwise one phone per letter with its diacritics,
 * length and other modifier letters (ː ʰ ʲ ʷ …), tie-barred letters kept together.
 */
export function splitIpa(ipa: string): string[] {
  const t = ipa.normalize('NFC').trim();
  if (/\s/u.test(t)) return t.split(/\s+/u).map((p) => p.replace(IPA_NOT_PHONES, '')).filter((p) => p !== '');
  const phones: string[] = [];
  for (const c of graphemeClusters(t.replace(IPA_NOT_PHONES, ''))) {
    const joinsPrevious = /^[\p{Lm}\p{Sk}]/u.test(c);
    if (phones.length > 0 && (joinsPrevious || TIE.test(phones[phones.length - 1]))) phones[phones.length - 1] += c;
    else phones.push(c);
  }
  return phones;
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
  const { entries, variants, unpronounced } = parseLexicon(path);
  // Lexicons are often upper-case (Kaldi, CMUdict) while normalised text is lower-case.
  const byLowercase = new Map<string, string[]>();
  for (const [w, phones] of entries) {
    const lw = w.toLowerCase();
    if (!byLowercase.has(lw)) byLowercase.set(lw, phones);
  }
  return {
    name: `lexicon:${path}`,
    description: `lexicon ${path} (${entries.size} words${variants > 0 ? `, ${variants} extra variants ignored` : ''}${unpronounced > 0 ? `, ${unpronounced} entries without pronunciation left out` : ''})`,
    async phonemizeWords(words: string[]) {
      return words.map((w) => {
        const key = w.normalize('NFC');
        return entries.get(key) ?? byLowercase.get(key.toLowerCase()) ?? null;
      });
    },
  };
}
