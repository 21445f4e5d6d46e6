/**
 * The label-free choice of self-training (notes §7, fairseq's
 * w2vu_generate `unsupervised_tuning`, Kaldi self-train decode selection):
 *
 *   score = ln(phone-LM perplexity of the output) × max(PER against the previous labels, floor)
 *
 * lower is better. The perplexity alone would favour ever larger LM weights
 * (output collapsing to the LM's favourite phones); agreement with the labels
 * the model was trained on ties the output to the audio. <SIL> is left out of
 * both factors, as in the GAN's selection metric. PER against reference
 * transcripts, when there are any, is reported next to it and never used.
 */
import { perplexity, type NgramLM } from '../lm/index.js';
import { scoreCorpus } from '../scoring/index.js';
import { withoutSilence, type LabelSet } from './labels.js';

export interface LabelFreeScore {
  lmPpl: number;
  perVsPrevious: number;
  score: number;
}

export function labelFreeScore(hyps: LabelSet, previous: LabelSet, lm: NgramLM, perFloor: number): LabelFreeScore {
  const lmPpl = labelsPerplexity(hyps, lm);
  const perVsPrevious = perAgainst(hyps, previous);
  return { lmPpl, perVsPrevious, score: Math.log(lmPpl) * Math.max(perVsPrevious, perFloor) };
}

/** Phone-LM perplexity of the labels, <SIL> left out. */
export function labelsPerplexity(labels: LabelSet, lm: NgramLM): number {
  return perplexity(lm, [...labels.values()].map((l) => withoutSilence(l.units))).ppl;
}

/** PER of `hyps` against `refs` over the utterances both have, <SIL> ignored; NaN when they share none. */
export function perAgainst(hyps: LabelSet, refs: LabelSet | Map<string, string[]>): number {
  const pairs: { id: string; ref: string[]; hyp: string[] }[] = [];
  for (const [id, h] of hyps) {
    const r = refs.get(id);
    if (r === undefined) continue;
    pairs.push({ id, ref: withoutSilence(Array.isArray(r) ? r : r.units), hyp: withoutSilence(h.units) });
  }
  return pairs.length === 0 ? NaN : scoreCorpus(pairs).total.errorRate;
}

/** A chosen candidate as a round and the neural stage log it: "LM perplexity …, PER against round N labels … %, score …" and the reference PER when known. */
export function describeScore(c: LabelFreeScore & { per?: number }, previousRound: number): string {
  return (
    `LM perplexity ${c.lmPpl.toFixed(2)}, PER against round ${previousRound} labels ${(100 * c.perVsPrevious).toFixed(1)} %, score ${c.score.toFixed(3)}` +
    (c.per !== undefined ? ` (PER against references ${(100 * c.per).toFixed(1)} %)` : '')
  );
}
