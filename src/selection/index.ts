/**
 * Label-free model selection: the weighted phone-LM perplexity of greedy
 * transcripts, an output-length diagnostic, and two rules for choosing among
 * candidate models.
 */
export { weightedLmPpl, type WeightedLmPpl } from './lm-metric.js';
export { lengthRatio, TYPICAL_PHONES_PER_SECOND, type LengthRatio } from './length-ratio.js';
export {
  chooseByWeightedPpl,
  chooseByPaperRule,
  type Candidate,
  type CandidateScore,
  type CandidateStatus,
  type Choice,
  type PaperChoice,
  type ChooseOptions,
  type PaperRuleOptions,
} from './choose.js';
