/**
 * Choosing among candidate models (checkpoints, seeds, penalty settings) from
 * their greedy transcripts of the same held-out audio, without labels.
 *
 * Two rules:
 *  - chooseByWeightedPpl: lowest lm_ppl / usage² (what fairseq's code does).
 *  - chooseByPaperRule: the anchor-and-margin procedure of the wav2vec-U
 *    paper §3.3 (notes §6), which fairseq does not implement:
 *      NLL(P) = mean over utterances of −ln P(hyp) / (|hyp| + 1)
 *      U(P)   = vocabulary usage (as in weightedLmPpl)
 *      1. anchor Â = argmin NLL − ln U
 *      2. keep P if NLL(P) < NLL(Â) + ln(U(P)/U(Â)) + ln 1.2
 *      3. choose the survivor with the largest total ln P (un-normalised,
 *         so longer outputs pay for every extra phone).
 *    The per-utterance normalisation counts </s> as a token, like lm_ppl; U's
 *    denominator cancels in step 2 and shifts every candidate equally in step 1.
 *
 * Both rules first set aside candidates that predict nothing but silence and,
 * when a range is given, those whose length ratio (lengthRatio) is outside it
 * (notes §10 item 6 suggests 0.6–1.5).
 */
import type { NgramLM } from '../lm/index.js';
import { UsageError } from '../util/errors.js';
import { scoreHypotheses, weightedFromScores } from './lm-metric.js';

export interface Candidate {
  id: string;
  /** Greedy transcripts of the validation utterances, the same utterances in the same order for every candidate. */
  hyps: string[][];
  /** From lengthRatio(); needed when a lengthRatioRange is given. */
  lengthRatio?: number;
}

export interface ChooseOptions {
  /** Candidates whose lengthRatio is outside [min, max] are not chosen. */
  lengthRatioRange?: [number, number];
}

export interface PaperRuleOptions extends ChooseOptions {
  /** Factor of the paper's margin (1.2: keep candidates within ln 1.2 of the anchor, usage-adjusted). */
  margin?: number;
}

export type CandidateStatus =
  | 'chosen'
  /** Eligible but beaten. */
  | 'eligible'
  /** Paper rule: outside the anchor's margin. */
  | 'outside-margin'
  | 'length-out-of-range'
  /** Only <SIL> (or nothing) predicted. */
  | 'no-output';

export interface CandidateScore {
  id: string;
  lmPpl: number;
  vocabUsage: number;
  weightedPpl: number;
  /** Paper's NLL(P): mean per-utterance length-normalised negative log-likelihood. */
  meanNll: number;
  /** Σ ln P(hyp): the paper rule's final criterion. */
  totalLogProb: number;
  lengthRatio?: number;
  status: CandidateStatus;
}

export interface Choice {
  /** Id of the chosen candidate; undefined when none is eligible. */
  best: string | undefined;
  /** In input order. */
  table: CandidateScore[];
}

export interface PaperChoice extends Choice {
  /** Id of the paper rule's anchor Â. */
  anchor: string | undefined;
}

function scoreCandidates(cands: Candidate[], lm: NgramLM, vocab: string[], opts: ChooseOptions): CandidateScore[] {
  if (cands.length === 0) throw new UsageError('no candidate models to choose from');
  const ids = new Set<string>();
  for (const c of cands) {
    if (ids.has(c.id)) throw new UsageError(`candidate id '${c.id}' appears twice`);
    ids.add(c.id);
    if (c.hyps.length !== cands[0].hyps.length)
      throw new UsageError(`candidate '${c.id}' has ${c.hyps.length} transcripts, '${cands[0].id}' has ${cands[0].hyps.length}: all must decode the same utterances`);
  }
  if (cands[0].hyps.length === 0) throw new UsageError('the candidates have no validation transcripts');
  const range = opts.lengthRatioRange;
  if (range && !(range[0] <= range[1])) throw new UsageError(`bad length-ratio range [${range[0]}, ${range[1]}]`);

  return cands.map((c) => {
    const s = scoreHypotheses(c.hyps, lm, vocab);
    const w = weightedFromScores(s);
    const meanNll = s.logProbs.reduce((acc, lp, i) => acc - lp / (s.hyps[i].length + 1), 0) / s.hyps.length;
    let status: CandidateStatus = 'eligible';
    if (range) {
      if (c.lengthRatio === undefined) throw new UsageError(`candidate '${c.id}' has no length ratio, but a length-ratio range was given`);
      if (!(c.lengthRatio >= range[0] && c.lengthRatio <= range[1])) status = 'length-out-of-range';
    }
    if (s.vocabUsage === 0) status = 'no-output';
    return {
      id: c.id,
      ...w,
      meanNll,
      totalLogProb: s.logProbs.reduce((a, b) => a + b, 0),
      ...(c.lengthRatio === undefined ? {} : { lengthRatio: c.lengthRatio }),
      status,
    };
  });
}

/** Index of the eligible row with the smallest key (first on ties), or -1. */
function argBest(table: CandidateScore[], key: (r: CandidateScore) => number): number {
  let best = -1;
  table.forEach((r, i) => {
    if (r.status === 'eligible' && (best < 0 || key(r) < key(table[best]))) best = i;
  });
  return best;
}

export function chooseByWeightedPpl(cands: Candidate[], lm: NgramLM, vocab: string[], opts: ChooseOptions = {}): Choice {
  const table = scoreCandidates(cands, lm, vocab, opts);
  const best = argBest(table, (r) => r.weightedPpl);
  if (best >= 0) table[best].status = 'chosen';
  return { best: best >= 0 ? table[best].id : undefined, table };
}

export function chooseByPaperRule(cands: Candidate[], lm: NgramLM, vocab: string[], opts: PaperRuleOptions = {}): PaperChoice {
  const margin = opts.margin ?? 1.2;
  if (!(margin >= 1 && Number.isFinite(margin))) throw new UsageError(`the paper rule's margin must be a number ≥ 1, got ${margin}`);
  const table = scoreCandidates(cands, lm, vocab, opts);
  const a = argBest(table, (r) => r.meanNll - Math.log(r.vocabUsage));
  if (a < 0) return { best: undefined, anchor: undefined, table };
  const anchor = table[a];
  for (const r of table)
    if (r.status === 'eligible' && r !== anchor && !(r.meanNll < anchor.meanNll + Math.log(r.vocabUsage / anchor.vocabUsage) + Math.log(margin)))
      r.status = 'outside-margin';
  const best = argBest(table, (r) => -r.totalLogProb);
  table[best].status = 'chosen';
  return { best: table[best].id, anchor: anchor.id, table };
}
