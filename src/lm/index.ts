/**
 * n-gram language models: interpolated modified Kneser-Ney training, backoff-form lookup,
 * perplexity and ARPA I/O. The phone LM (phones as words, <SIL> an ordinary token) and word
 * LMs use the same code.
 */
export { type NgramLM, type NgramTrainingStats, BackoffNgramLM } from './backoff-model.js';
export { type NgramOptions, trainNgram, modifiedKnDiscounts, FALLBACK_DISCOUNTS, MAX_ORDER } from './kneser-ney.js';
export { type PerplexityResult, perplexity } from './perplexity.js';
export { writeArpa, readArpa } from './arpa.js';
export { readSentencesFile } from './text-file.js';
export { BOS, EOS, UNK } from './tokens.js';
