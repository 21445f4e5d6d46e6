/**
 * The text side of decipherment: a phone trigram model, interpolated, as a
 * dense log-probability table the annealer reads millions of times.
 *
 * p(c | a b) = w₃·p̂(c | a b) + w₂·p̂(c | b) + w₁·p̂(c): relative frequencies
 * in the text, each 0 when its context never occurs there. There is no
 * back-off on purpose: the mass of an unseen context is lost, so phone
 * sequences the text never has cost much more than rare ones (with
 * back-off, the annealer settled on wrong maps whose contexts the text lacks:
 * 88 % PER against 56 % on the demo corpus).
 */
export interface PhoneTrigram {
  /** Phones (ids 0..V-1); id V is the sentence boundary in contexts. */
  V: number;
  /** ln p(c | a b) at (a·(V+1) + b)·V + c, for a, b ∈ 0..V and c ∈ 0..V-1. */
  logp: Float64Array;
  /** Relative frequency of each phone in the text. */
  unigram: Float64Array;
}

export const TRIGRAM_WEIGHTS = { unigram: 0.05, bigram: 0.35, trigram: 0.6 };

export function phoneTrigram(sentences: Int32Array[], V: number, w = TRIGRAM_WEIGHTS): PhoneTrigram {
  const W = V + 1;
  const c1 = new Float64Array(V);
  const c2 = new Float64Array(W * V);
  const c3 = new Float64Array(W * W * V);
  const h1 = new Float64Array(W);
  const h2 = new Float64Array(W * W);
  let n = 0;
  for (const s of sentences) {
    let a = V;
    let b = V;
    for (const c of s) {
      if (!(c >= 0 && c < V)) throw new RangeError(`phone id ${c} outside 0..${V - 1}`);
      c1[c]++;
      c2[b * V + c]++;
      c3[(a * W + b) * V + c]++;
      h1[b]++;
      h2[a * W + b]++;
      n++;
      a = b;
      b = c;
    }
  }
  if (n === 0) throw new RangeError('the text has no phones');
  // Add-0.1 on the unigram so a phone the text never uses is unlikely, not impossible.
  const unigram = Float64Array.from(c1, (x) => x / n);
  const p1 = Float64Array.from(c1, (x) => (x + 0.1) / (n + 0.1 * V));
  const logp = new Float64Array(W * W * V);
  for (let b = 0; b < W; b++)
    for (let c = 0; c < V; c++) {
      const p2 = h1[b] > 0 ? c2[b * V + c] / h1[b] : 0;
      for (let a = 0; a < W; a++) {
        const h = h2[a * W + b];
        const p3 = h > 0 ? c3[(a * W + b) * V + c] / h : 0;
        logp[(a * W + b) * V + c] = Math.log(w.unigram * p1[c] + w.bigram * p2 + w.trigram * p3);
      }
    }
  return { V, logp, unigram };
}
