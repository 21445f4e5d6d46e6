/**
 * The lexicon as a prefix tree over the model's output units, what the word
 * decoder walks: node 0 is the root, every other node is one phone, and a
 * pronunciation ends at the node of its last phone.
 *
 * Pronunciations are stored COLLAPSED (adjacent equal phones merged, "t t" →
 * "t"): the model shows a phone as a run of steps, so two equal phones in a
 * row cannot be told from one, and matching the collapsed form is the only
 * way such words can be found at all. The entry keeps its full pronunciation.
 */

export interface Pronunciation {
  word: string;
  /** As the lexicon gives it (not collapsed). */
  phones: string[];
}

export interface PrefixTree {
  /** Unit index of each node's phone; -1 for the root. */
  unit: Int32Array;
  /** Child node ids of each node. */
  children: number[][];
  /** Pronunciation ids ending at each node. */
  ends: number[][];
  prons: Pronunciation[];
  /** Words left out because a phone of every pronunciation is not a model unit. */
  skipped: string[];
}

/** Adjacent equal phones merged. */
export function collapseRuns<T>(xs: readonly T[]): T[] {
  return xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
}

/**
 * Build the tree for `lexicon` (word → pronunciations) over `units` (the
 * model's output units; `silence`, if given, never appears inside a word).
 * Words are inserted in sorted order so the tree does not depend on Map order.
 */
export function buildPrefixTree(lexicon: ReadonlyMap<string, readonly (readonly string[])[]>, units: readonly string[], silence?: string): PrefixTree {
  const unitIndex = new Map<string, number>();
  units.forEach((u, i) => u !== silence && unitIndex.set(u, i));
  const unit: number[] = [-1];
  const children: number[][] = [[]];
  const ends: number[][] = [[]];
  const prons: Pronunciation[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const word of [...lexicon.keys()].sort()) {
    let used = 0;
    for (const phones of lexicon.get(word) ?? []) {
      const ids = phones.map((p) => unitIndex.get(p));
      if (phones.length === 0 || ids.some((i) => i === undefined)) continue;
      const path = collapseRuns(ids as number[]);
      const key = `${word}\u0001${path.join(' ')}`;
      if (seen.has(key)) continue; // variants that collapse to the same units are one path
      seen.add(key);
      let node = 0;
      for (const u of path) {
        let next = children[node].find((c) => unit[c] === u);
        if (next === undefined) {
          next = unit.length;
          unit.push(u);
          children.push([]);
          ends.push([]);
          children[node].push(next);
        }
        node = next;
      }
      ends[node].push(prons.length);
      prons.push({ word, phones: [...phones] });
      used++;
    }
    if (used === 0) skipped.push(word);
  }
  return { unit: Int32Array.from(unit), children, ends, prons, skipped };
}
