/**
 * The phone inventory of the text side: phones seen at least `minCount` times
 * (wav2vec-U's min_phones). Rare phones are usually espeak oddities or typos;
 * sentences that use them are dropped rather than trained on.
 */
import { UNMATCHED } from './phonemizer.js';
import { SIL } from './silence.js';

export interface Inventory {
  /** Sorted by count (descending), then by name. Never contains SIL. */
  phones: string[];
  counts: Record<string, number>;
  /** Phones left out (too rare, or profile gaps "�x") with their counts. */
  dropped: Record<string, number>;
}

function byCountThenName(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

export function buildInventory(sentences: string[][][], minCount: number): Inventory {
  const all = new Map<string, number>();
  for (const s of sentences) for (const w of s) for (const p of w) all.set(p, (all.get(p) ?? 0) + 1);
  const counts: Record<string, number> = {};
  const dropped: Record<string, number> = {};
  const phones: string[] = [];
  for (const [p, n] of [...all].sort(byCountThenName)) {
    if (p === SIL) continue;
    if (n >= minCount && !p.startsWith(UNMATCHED)) {
      phones.push(p);
      counts[p] = n;
    } else {
      dropped[p] = n;
    }
  }
  return { phones, counts, dropped };
}

/** Keep the sentences whose phones are all in the inventory (SIL is always allowed). */
export function filterByInventory(sentences: string[][][], inv: Inventory): { kept: string[][][]; dropped: number } {
  const known = new Set([...inv.phones, SIL]);
  const kept = sentences.filter((s) => s.every((w) => w.every((p) => known.has(p))));
  return { kept, dropped: sentences.length - kept.length };
}
