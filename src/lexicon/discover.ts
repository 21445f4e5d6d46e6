/**
 * Word discovery: phone sequences that recur in the transcribed audio where
 * no lexicon word explains them, as candidate entries for a linguist to review.
 *
 * Where to look: in a transcript with words, the unknown stretches (oov
 * words), as the greedy phones inside them (which carry times); in a
 * transcript with phones only, every stretch between silences.
 *
 * What counts: every phone n-gram with minLength ≤ n ≤ maxLength inside one
 * stretch, occurrences of the same n-gram not overlapping. Kept when it
 * occurs at least minCount times, is not the (collapsed) pronunciation of a
 * lexicon word, and is not just part of a longer frequent n-gram that occurs
 * as often (then the longer one is the real unit, or the known word explains it).
 *
 * Ranking, MDL-style: the phone tokens saved by adding the sequence to the
 * lexicon as a word, count·n (phones replaced) − count (word tokens instead)
 * − n (the entry stored once) = (count − 1)(n − 1) − 1.
 */
import { SIL } from '../text/index.js';
import { compareOccurrences, type LexiconEntry, type Occurrence } from './entry.js';
import { collapseRuns } from './prefix-tree.js';
import type { TimedPhone, TranscriptRecord } from './transcripts.js';

export interface DiscoverOptions {
  minLength: number;
  maxLength: number;
  minCount: number;
  /** At most this many candidates, best first. */
  maxCandidates: number;
  /** Example occurrences kept per candidate. */
  examples: number;
}

export const DEFAULT_DISCOVER_OPTIONS: DiscoverOptions = { minLength: 3, maxLength: 10, minCount: 3, maxCandidates: 200, examples: 10 };

/** Stretches of timed phones that no lexicon word explains, per transcript. */
export function unexplainedStretches(t: TranscriptRecord): TimedPhone[][] {
  const phones = t.phones;
  if (t.words) {
    // The greedy phones whose middle lies inside an unknown stretch.
    return t.words
      .filter((w) => w.oov)
      .map((w) => phones.filter((p) => p.phone !== SIL && (p.start + p.end) / 2 >= w.start && (p.start + p.end) / 2 <= w.end));
  }
  const out: TimedPhone[][] = [[]];
  for (const p of phones) {
    if (p.phone === SIL) out.push([]);
    else out[out.length - 1].push(p);
  }
  return out;
}

/** Score of a sequence of n phones seen `count` times (see the top of the file). */
export function discoveryScore(count: number, n: number): number {
  return (count - 1) * (n - 1) - 1;
}

export function discoverWords(
  transcripts: readonly TranscriptRecord[],
  lexicon: ReadonlyMap<string, readonly (readonly string[])[]>,
  options: Partial<DiscoverOptions> = {},
): LexiconEntry[] {
  const o = { ...DEFAULT_DISCOVER_OPTIONS, ...options };
  const known = new Set<string>();
  for (const prons of lexicon.values()) for (const p of prons) known.add(collapseRuns(p).join(' '));

  // n-gram → non-overlapping occurrences; `lastEnd` remembers where the previous one ended in its stretch.
  const found = new Map<string, { n: number; occ: Occurrence[]; stretch: number; lastEnd: number }>();
  let stretchId = 0;
  for (const t of transcripts)
    for (const s of unexplainedStretches(t)) {
      stretchId++;
      for (let n = o.minLength; n <= Math.min(o.maxLength, s.length); n++)
        for (let i = 0; i + n <= s.length; i++) {
          const key = s.slice(i, i + n).map((p) => p.phone).join(' ');
          let f = found.get(key);
          if (!f) found.set(key, (f = { n, occ: [], stretch: -1, lastEnd: -1 }));
          if (f.stretch === stretchId && i < f.lastEnd) continue; // overlaps the previous occurrence
          f.stretch = stretchId;
          f.lastEnd = i + n;
          f.occ.push({ file: t.file, start: s[i].start, end: s[i + n - 1].end });
        }
    }

  const kept = new Map([...found].filter(([, f]) => f.occ.length >= o.minCount));
  // Drop an n-gram that only ever occurs inside a longer frequent one (a known word included), then the known words.
  for (const [key, f] of kept) {
    const phones = key.split(' ');
    for (const sub of [phones.slice(1), phones.slice(0, -1)]) {
      const k = sub.join(' ');
      const g = kept.get(k);
      if (g && sub.length >= o.minLength && g.occ.length <= f.occ.length) kept.delete(k);
    }
  }
  for (const key of known) kept.delete(key);
  return [...kept]
    .map(([key, f]) => ({ key, f, score: discoveryScore(f.occ.length, f.n) }))
    .sort((a, b) => b.score - a.score || b.f.occ.length - a.f.occ.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, o.maxCandidates)
    .map(({ key, f, score }) => {
      const phones = key.split(' ');
      return {
        headword: phones.join(''),
        pronunciations: [phones],
        audioCount: f.occ.length,
        examples: [...f.occ].sort(compareOccurrences).slice(0, o.examples),
        candidate: true,
        score,
      };
    });
}
