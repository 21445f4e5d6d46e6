/**
 * The label-free validation metric wav2vec-U's code optimises (notes §6,
 * fairseq unpaired_audio_text.py, best_checkpoint_metric weighted_lm_ppl):
 *
 *   lm_ppl      = exp(−Σ ln P(hyp) / (Σ|hyp| + N))   (</s> counted, as KenLM does)
 *   vocab usage = |distinct units predicted, <SIL> excluded| / |vocab|
 *   weighted    = lm_ppl / usage²                     (lower is better)
 *
 * <SIL> is removed from the hypotheses before scoring, as fairseq does,
 * although the phone LM was trained with it. fairseq's usage denominator
 * counts every non-special symbol, <SIL> included, even though <SIL> can never
 * be counted as used; this follows it, so usage tops out at (|vocab|−1)/|vocab|.
 * The denominator is a constant per model, so it never changes a ranking.
 * Nothing predicted (usage 0) gives weighted = ∞, as in fairseq.
 */
import type { NgramLM } from '../lm/index.js';
import { SIL } from '../text/index.js';
import { UsageError } from '../util/errors.js';

export interface WeightedLmPpl {
  lmPpl: number;
  vocabUsage: number;
  weightedPpl: number;
}

/** Per-hypothesis LM scores shared by the metric and the paper's rule. */
export interface HypothesisScores {
  /** Hypotheses with <SIL> removed. */
  hyps: string[][];
  /** ln P(hyp) with <s> … </s>. */
  logProbs: number[];
  vocabUsage: number;
}

export function scoreHypotheses(hyps: string[][], lm: NgramLM, vocab: string[]): HypothesisScores {
  const known = new Set(vocab);
  if (known.size === 0) throw new UsageError('the model vocabulary is empty');
  const seen = new Set<string>();
  const stripped = hyps.map((h) => {
    const out: string[] = [];
    for (const u of h) {
      if (!known.has(u)) throw new UsageError(`hypothesis unit '${u}' is not in the model's vocabulary`);
      if (u === SIL) continue;
      seen.add(u);
      out.push(u);
    }
    return out;
  });
  return { hyps: stripped, logProbs: stripped.map((h) => lm.sentenceLogProb(h)), vocabUsage: seen.size / known.size };
}

export function weightedLmPpl(hyps: string[][], lm: NgramLM, vocab: string[]): WeightedLmPpl {
  return weightedFromScores(scoreHypotheses(hyps, lm, vocab));
}

export function weightedFromScores(s: HypothesisScores): WeightedLmPpl {
  if (s.hyps.length === 0) return { lmPpl: Infinity, vocabUsage: 0, weightedPpl: Infinity };
  const tokens = s.hyps.reduce((n, h) => n + h.length + 1, 0);
  const logProb = s.logProbs.reduce((a, b) => a + b, 0);
  const lmPpl = Math.exp(-logProb / tokens);
  return { lmPpl, vocabUsage: s.vocabUsage, weightedPpl: s.vocabUsage > 0 ? lmPpl / s.vocabUsage ** 2 : Infinity };
}
