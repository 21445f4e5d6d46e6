/**
 * Synthetic "speech" for HMM tests: every unit emits frames from its own
 * Gaussian (one per state for multi-state units) around well-separated means,
 * with durations of several frames; sentences come from a small Markov chain
 * so a bigram LM has something to learn.
 */
import { makeTopology, type PhoneTopology } from '../../src/hmm/topology.js';
import { matrix, type Matrix } from '../../src/util/matrix.js';
import { makeRng, type Rng } from '../../src/util/rng.js';

export const UNITS = ['a', 'b', 'c', 'd', 'e', '<SIL>'];

export interface SyntheticUtterance {
  id: string;
  x: Matrix;
  labels: Int32Array;
  spans: Int32Array;
}

export function syntheticTopology(): PhoneTopology {
  return makeTopology(UNITS);
}

/** Sentence of unit ids: <SIL>, 3–7 phones following a → b → c … loosely, <SIL>. */
export function sentence(rng: Rng): number[] {
  const P = UNITS.length - 1;
  const n = 3 + rng.int(5);
  const out = [P];
  let p = rng.int(P);
  for (let i = 0; i < n; i++) {
    out.push(p);
    p = rng.next() < 0.6 ? (p + 1) % P : rng.int(P);
  }
  out.push(P);
  return out;
}

/** `n` utterances; the same `voice` gives the same state means (a held-out set shares the training voice). */
export function syntheticCorpus(n: number, seed: number, dim = 4, noise = 1, voice = 0): SyntheticUtterance[] {
  const topo = syntheticTopology();
  const v = makeRng(1000 + voice);
  // A mean per state, about ±2 per axis: states are separable but overlap a little.
  const means = Array.from({ length: topo.numStates }, () => Array.from({ length: dim }, () => 2 * v.normal()));
  const rng = makeRng(seed);
  const out: SyntheticUtterance[] = [];
  for (let u = 0; u < n; u++) {
    const labels = sentence(rng);
    const rows: number[][] = [];
    const spans: number[] = [];
    for (const l of labels) {
      spans.push(rows.length);
      for (let j = 0; j < topo.statesPerUnit[l]; j++) {
        const len = 2 + rng.int(4);
        for (let k = 0; k < len; k++) rows.push(means[topo.firstState[l] + j].map((m) => m + noise * rng.normal()));
      }
      spans.push(rows.length);
    }
    out.push({ id: `u${u}`, x: matrix(rows.length, dim, Float32Array.from(rows.flat())), labels: Int32Array.from(labels), spans: Int32Array.from(spans) });
  }
  return out;
}

/** Substitute each phone (not <SIL>) with a random other phone with probability `rate`. */
export function corrupt(labels: Int32Array, rate: number, rng: Rng): Int32Array {
  const P = UNITS.length - 1;
  return labels.map((l) => (l < P && rng.next() < rate ? (l + 1 + rng.int(P - 1)) % P : l));
}
