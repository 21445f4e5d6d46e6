/**
 * Decipherment's annealer (src/decipher/anneal.ts) on a synthetic cipher the
 * size of the demo corpus: a random phone Markov chain as the "language",
 * every phone written by several cluster symbols. The figure is the cost of
 * one move, which sets how many runs fit in a time budget.
 */
import { anneal, cipherText } from '../../src/decipher/anneal.js';
import { phoneTrigram } from '../../src/decipher/lm.js';
import { makeRng, type Rng } from '../../src/util/rng.js';
import type { BenchRow, BenchSection } from './bench-harness.js';

const SHAPES = [
  { label: 'demo-sized', phones: 40, clusters: 200, recordings: 500, length: 18 },
  { label: 'Czech-sized', phones: 40, clusters: 200, recordings: 3000, length: 18 },
];
const MOVES = 2_000_000;

/** Sentences of a random first-order chain over V phones (each phone with a few likely successors). */
function chainSentences(V: number, n: number, length: number, rng: Rng): Int32Array[] {
  const next = Array.from({ length: V }, () => Array.from({ length: 4 }, () => rng.int(V)));
  return Array.from({ length: n }, () => {
    const s = new Int32Array(length);
    s[0] = rng.int(V);
    for (let i = 1; i < length; i++) s[i] = rng.next() < 0.8 ? next[s[i - 1]][rng.int(4)] : rng.int(V);
    return s;
  });
}

export const decipherSection: BenchSection = {
  name: 'decipher',
  title: `decipherment: simulated annealing over maps cluster → phone, ${MOVES / 1e6} M moves on synthetic ciphers`,
  async run() {
    const rows: BenchRow[] = [];
    for (const s of SHAPES) {
      const rng = makeRng(1);
      const lm = phoneTrigram(chainSentences(s.phones, 3000, s.length, rng), s.phones);
      const symbolsOf = Array.from({ length: s.phones }, (_, p) => Array.from({ length: s.clusters / s.phones }, (_, j) => p * (s.clusters / s.phones) + j));
      const audio = chainSentences(s.phones, s.recordings, s.length, rng).map((u) => Int32Array.from(u, (p) => symbolsOf[p][rng.int(symbolsOf[p].length)]));
      const ct = cipherText(audio, s.clusters);
      const t0 = performance.now();
      anneal(ct, lm, { iterations: MOVES, startTemperature: 50, endTemperature: 1, unigramWeight: 1 }, makeRng(2));
      const sec = (performance.now() - t0) / 1000;
      rows.push({
        measure: `${s.label}, per move`,
        value: (sec / MOVES) * 1e6,
        unit: 'µs',
        note: `${ct.N} segments, ${s.clusters} clusters, ${s.phones} phones, ${ct.counts.length} distinct cluster trigrams; one default run (8 M moves) ≈ ${((sec / MOVES) * 8e6).toFixed(0)} s`,
      });
    }
    return rows;
  },
};
