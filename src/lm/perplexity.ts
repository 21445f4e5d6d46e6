import type { NgramLM } from './backoff-model.js';
import { UNK } from './tokens.js';

export interface PerplexityResult {
  /** exp(−logProb / tokens). */
  ppl: number;
  /** Total natural log probability. */
  logProb: number;
  /** Words plus one </s> per sentence, as KenLM and SRILM count them. */
  tokens: number;
  /** Words outside the LM vocabulary (scored as <unk>, included in ppl like KenLM's "including OOVs" figure). */
  oov: number;
}

export function perplexity(lm: NgramLM, sentences: string[][]): PerplexityResult {
  const known = new Set(lm.vocab);
  let logProb = 0;
  let tokens = 0;
  let oov = 0;
  for (const s of sentences) {
    logProb += lm.sentenceLogProb(s);
    tokens += s.length + 1;
    for (const w of s) if (w === UNK || !known.has(w)) oov++;
  }
  return { ppl: tokens > 0 ? Math.exp(-logProb / tokens) : NaN, logProb, tokens, oov };
}
