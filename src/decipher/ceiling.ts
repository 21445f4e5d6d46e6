/**
 * How much phone information a clustering carries: the best map cluster →
 * phone that *reference transcripts* allow. A diagnostic for developers and
 * for users with a few transcribed recordings; decipherment itself never
 * sees references. Decipherment can at best find this map, so its PER
 * bounds what decipherment can reach on these clusters, and its score
 * against the annealed maps' says whether a failing decipherment is a search
 * problem (the reference map scores higher) or an objective problem (it
 * scores lower, so the annealer rightly prefers a wrong map).
 *
 * The map is found by alignment EM: each recording's reference phones are
 * first spread evenly over its segments; each cluster goes to the phone it
 * is most often paired with (or to nothing, when it mostly pairs with no
 * reference phone: segments inside a pause, say); the mapped sequence is
 * aligned to the reference by edit distance, pairs are counted again, and so
 * on until the map stops changing. Alignment EM alone can stick (a pause
 * cluster paired with real phones never gets to "no phone"), so coordinate
 * descent then tries, cluster by cluster, "no phone" and the cluster's most
 * often paired phones, keeping what lowers the errors. The map is a good one,
 * not provably the best: its PER is what the clusters allow at least.
 */
import { alignTokens } from '../scoring/align.js';

export interface ReferenceMap {
  /** Phone of each cluster, or -1 for "no phone". */
  map: Int32Array;
  /** The same with every cluster on a phone (what decipherment's maps can express). */
  phonesOnly: Int32Array;
  /** PER of `map` and of `phonesOnly` against the references (repeats joined, as labels are). */
  per: number;
  perPhonesOnly: number;
  passes: number;
}

/**
 * `sequences[r]`: recording r's cluster symbols (0..K-1); `refs[r]`: its
 * reference phones (0..V-1), without silence.
 */
export function referenceMap(sequences: Int32Array[], refs: Int32Array[], K: number, V: number, maxPasses = 10): ReferenceMap {
  if (sequences.length !== refs.length) throw new RangeError(`${sequences.length} cluster sequences but ${refs.length} references`);
  const NONE = V;
  let map: Int32Array | undefined;
  let passes = 0;
  let counts: Float64Array = new Float64Array(0);
  for (; passes < maxPasses; passes++) {
    counts = pairCounts(sequences, refs, K, V, map);
    const next = new Int32Array(K);
    for (let k = 0; k < K; k++) {
      const row = counts.subarray(k * (V + 1), (k + 1) * (V + 1));
      const best = argmax(row);
      next[k] = row[best] > 0 && best !== NONE ? best : -1;
    }
    if (map && map.every((p, k) => p === next[k])) break;
    map = next;
  }
  const final = refineMap(sequences, refs, map!, counts, V);
  const phonesOnly = Int32Array.from(final, (p, k) => (p >= 0 ? p : argmax(counts.subarray(k * (V + 1), k * (V + 1) + V))));
  return { map: final, phonesOnly, per: mappedPer(sequences, refs, final), perPhonesOnly: mappedPer(sequences, refs, phonesOnly), passes };
}

/** Coordinate descent on the map: per cluster, the candidate with the fewest errors in the recordings that use it. */
function refineMap(sequences: Int32Array[], refs: Int32Array[], start: Int32Array, counts: Float64Array, V: number, sweeps = 2): Int32Array {
  const map = Int32Array.from(start);
  const K = map.length;
  const users: number[][] = Array.from({ length: K }, () => []);
  sequences.forEach((s, r) => {
    for (const k of new Set(s)) users[k].push(r);
  });
  const errors = sequences.map((s, r) => recordingErrors(s, refs[r], map));
  const sum = (xs: number[]) => xs.reduce((t, x) => t + x, 0);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let changed = false;
    for (let k = 0; k < K; k++) {
      if (users[k].length === 0) continue;
      const row = Array.from(counts.subarray(k * (V + 1), k * (V + 1) + V), (n, p) => ({ n, p }));
      const candidates = [-1, ...row.sort((a, b) => b.n - a.n).slice(0, 3).map((x) => x.p)];
      const current = map[k];
      let best = { p: current, errors: users[k].map((r) => errors[r]) };
      for (const p of candidates) {
        if (p === current) continue;
        map[k] = p;
        const e = users[k].map((r) => recordingErrors(sequences[r], refs[r], map));
        if (sum(e) < sum(best.errors)) best = { p, errors: e };
      }
      map[k] = best.p;
      if (best.p !== current) {
        changed = true;
        users[k].forEach((r, j) => (errors[r] = best.errors[j]));
      }
    }
    if (!changed) break;
  }
  return map;
}

/** Edit errors of one recording's mapped sequence against its reference. */
function recordingErrors(s: Int32Array, ref: Int32Array, map: Int32Array): number {
  const a = alignTokens(tokens(ref), tokens(mapped(s, map).phones));
  return a.sub + a.del + a.ins;
}

/** Corpus PER of the mapped sequences (clusters on -1 dropped, repeats joined) against the references. */
export function mappedPer(sequences: Int32Array[], refs: Int32Array[], map: Int32Array): number {
  let errors = 0;
  let n = 0;
  sequences.forEach((s, r) => {
    errors += recordingErrors(s, refs[r], map);
    n += refs[r].length;
  });
  return n > 0 ? errors / n : 0;
}

/** (cluster, phone) pair counts at k·(V+1) + p; p = V counts a segment paired with no reference phone. */
function pairCounts(sequences: Int32Array[], refs: Int32Array[], K: number, V: number, map: Int32Array | undefined): Float64Array {
  const c = new Float64Array(K * (V + 1));
  sequences.forEach((s, r) => {
    const ref = refs[r];
    if (!map) {
      for (let i = 0; i < s.length; i++) c[s[i] * (V + 1) + (ref.length > 0 ? ref[Math.floor((i * ref.length) / s.length)] : V)]++;
      return;
    }
    const { phones, from } = mapped(s, map);
    const ops = alignTokens(tokens(ref), tokens(phones)).ops;
    let j = 0;
    for (const op of ops) {
      if (op.op === 'del') continue;
      // Every segment of a joined run is paired with the run's reference phone.
      for (const i of from[j++]) c[s[i] * (V + 1) + (op.op === 'ins' ? V : Number(op.ref))]++;
    }
    // Segments on "no phone" stay counted as such, so that choice can persist.
    for (let i = 0; i < s.length; i++) if (map[s[i]] < 0) c[s[i] * (V + 1) + V]++;
  });
  return c;
}

/** Mapped phones with repeats joined, and the segments behind each. */
function mapped(s: Int32Array, map: Int32Array): { phones: number[]; from: number[][] } {
  const phones: number[] = [];
  const from: number[][] = [];
  for (let i = 0; i < s.length; i++) {
    const p = map[s[i]];
    if (p < 0) continue;
    if (phones.length > 0 && phones[phones.length - 1] === p) from[from.length - 1].push(i);
    else (phones.push(p), from.push([i]));
  }
  return { phones, from };
}

const tokens = (ids: ArrayLike<number>) => Array.from(ids, String);

function argmax(a: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
  return b;
}
