/**
 * Orthography profiles (Moran & Cysouw, "The Unicode Cookbook for
 * Linguists"; the `segments` package): a tab-separated table mapping each
 * grapheme of a writing system to its phones. Words are segmented greedily,
 * longest grapheme first, so "sch" wins over "s". "^" and "$" in a grapheme
 * match the start and end of a word. A mapping of NULL deletes the grapheme.
 * Characters with no rule become "�x" tokens so gaps stay visible.
 */
import { InputFileError } from '../util/errors.js';
import { normalizeText, splitWords, type NormalizeOptions } from './normalize.js';
import { codepointLabel, graphemeClusters, isWordJoiner } from './graphemes.js';
import { UNMATCHED, type Phonemizer } from './phonemizer.js';
import { readUserLines } from './user-text.js';

/** Header names accepted for the phone column when none is given, in order of preference. */
const MAPPING_COLUMNS = ['ipa', 'phoneme', 'phonemes', 'mapping'];
const WORD_START = '^';
const WORD_END = '$';

interface TrieNode {
  next: Map<string, TrieNode>;
  phones?: string[];
}

export interface OrthographyProfile {
  /** Grapheme (NFC) → phones ([] for NULL). */
  rules: Map<string, string[]>;
  /** The header of the column the phones came from. */
  column: string;
}

export function parseProfile(path: string, column?: string): OrthographyProfile {
  const lines = readUserLines(path);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) throw new InputFileError(path, 'the orthography profile is empty');
  const header = lines[headerIndex].split('\t').map((h) => h.trim());
  const lower = header.map((h) => h.toLowerCase());
  const gi = lower.indexOf('grapheme');
  const wanted = column ? [column.toLowerCase()] : MAPPING_COLUMNS;
  const found = wanted.find((w) => lower.includes(w));
  const mi = found === undefined ? -1 : lower.indexOf(found);
  if (gi < 0 || mi < 0) {
    const need = column ? `a "${column}" column` : 'an "IPA" (or "Phoneme", "mapping") column';
    throw new InputFileError(
      `${path}:${headerIndex + 1}`,
      `the header must be tab-separated with a "Grapheme" column and ${need}; found ${header.map((h) => `"${h}"`).join(', ')}`,
    );
  }

  const rules = new Map<string, string[]>();
  const firstLine = new Map<string, number>();
  for (let i = headerIndex + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const where = `${path}:${i + 1}`;
    const cols = lines[i].split('\t');
    const grapheme = (cols[gi] ?? '').trim().normalize('NFC');
    const mapping = (cols[mi] ?? '').trim().normalize('NFC');
    if (grapheme === '') throw new InputFileError(where, 'empty grapheme');
    if (mapping === '') throw new InputFileError(where, `no ${header[mi]} for grapheme "${grapheme}"; write NULL to delete it`);
    const seen = firstLine.get(grapheme);
    if (seen !== undefined) throw new InputFileError(where, `grapheme "${grapheme}" is already defined on line ${seen}`);
    firstLine.set(grapheme, i + 1);
    rules.set(grapheme, mapping === 'NULL' ? [] : mapping.split(/\s+/u));
  }
  if (rules.size === 0) throw new InputFileError(path, 'the orthography profile has a header but no graphemes');
  return { rules, column: header[mi] };
}

function buildTrie(rules: Map<string, string[]>): TrieNode {
  const root: TrieNode = { next: new Map() };
  for (const [grapheme, phones] of rules) {
    let node = root;
    for (const unit of graphemeClusters(grapheme)) {
      let child = node.next.get(unit);
      if (!child) node.next.set(unit, (child = { next: new Map() }));
      node = child;
    }
    node.phones = phones;
  }
  return root;
}

/** Greedy longest-match segmentation of one word into phones. */
function segmentWord(trie: TrieNode, word: string): string[] {
  const units = [WORD_START, ...graphemeClusters(word.normalize('NFC')), WORD_END];
  const phones: string[] = [];
  let i = 0;
  while (i < units.length) {
    let node: TrieNode | undefined = trie;
    let best: { end: number; phones: string[] } | undefined;
    for (let j = i; j < units.length && (node = node.next.get(units[j])); j++) {
      if (node.phones) best = { end: j + 1, phones: node.phones };
    }
    if (best) {
      phones.push(...best.phones);
      i = best.end;
      continue;
    }
    const u = units[i++];
    // Unmatched word edges and hyphens are silent; any other character is a gap in the profile.
    if (u !== WORD_START && u !== WORD_END && !isWordJoiner(u)) phones.push(UNMATCHED + u);
  }
  return phones;
}

export function profilePhonemizer(path: string, column?: string): Phonemizer {
  const profile = parseProfile(path, column);
  const trie = buildTrie(profile.rules);
  return {
    name: `profile:${path}`,
    description: `orthography profile ${path} (${profile.rules.size} graphemes, column ${profile.column})`,
    async phonemizeWords(words: string[]) {
      return words.map((w) => {
        const phones = segmentWord(trie, w);
        return phones.length > 0 ? phones : null;
      });
    },
  };
}

/**
 * A starting profile for a text: every grapheme cluster with its frequency and
 * code points, the IPA column pre-filled with the grapheme itself. The user
 * corrects the IPA column, adds multigraphs ("sch", "ch"), and re-runs.
 */
export function bootstrapProfile(lines: string[], opts: Partial<NormalizeOptions> = {}): string {
  const counts = new Map<string, number>();
  for (const line of lines) {
    for (const word of splitWords(normalizeText(line, opts))) {
      for (const g of graphemeClusters(word)) counts.set(g, (counts.get(g) ?? 0) + 1);
    }
  }
  const rows = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const body = rows.map(([g, n]) => [g, isWordJoiner(g) ? 'NULL' : g, String(n), codepointLabel(g)].join('\t'));
  return ['Grapheme\tIPA\tFrequency\tCodepoints', ...body].join('\n') + '\n';
}
