/**
 * The n-gram model in backoff form, the shape ARPA files store: for every
 * stored n-gram a probability, and for every stored context a backoff weight.
 *
 *   P(w | h) = prob(h w)                  when h w is stored
 *            = backoff(h) · P(w | h')     otherwise (h' = h without its first word;
 *                                         backoff(h) = 1 when h is not stored)
 *
 * Interpolated Kneser-Ney models convert to this form exactly (see kneser-ney.ts).
 */
import { BOS, EOS, KEY_SEP, UNK } from './tokens.js';

export interface NgramLM {
  readonly order: number;
  /** Includes '<s>', '</s>' and '<unk>'. */
  readonly vocab: string[];
  /** Natural log P(word | last order-1 words of context); words outside the vocabulary count as <unk>. */
  logProb(word: string, context: string[]): number;
  /** Natural log probability of a sentence, with <s> before it and </s> predicted after it. */
  sentenceLogProb(words: string[]): number;
}

/** How the n-gram tables were estimated, for logs and checks. */
export interface NgramTrainingStats {
  sentences: number;
  /** Words plus one </s> per sentence. */
  tokens: number;
  /** Words replaced by <unk> because they were rarer than unkCountThreshold. */
  unkReplaced: number;
  /** discounts[n-1] = [D1, D2, D3+] of order n. */
  discounts: [number, number, number][];
  /** Orders whose counts-of-counts were too degenerate for Chen & Goodman's estimates (fallback 0.5, 1, 1.5 used). */
  fallbackOrders: number[];
}

export class BackoffNgramLM implements NgramLM {
  readonly order: number;
  readonly vocab: string[];
  /** logProbs[n-1]: key of n words (joined by KEY_SEP) → natural log P(w_n | w_1 … w_n-1). */
  readonly logProbs: Map<string, number>[];
  /** backoffs[n-1]: key of n words → natural log backoff weight of that context (orders 1 … order-1). */
  readonly backoffs: Map<string, number>[];
  readonly trainingStats?: NgramTrainingStats;
  private readonly known: Set<string>;

  constructor(
    order: number,
    vocab: string[],
    logProbs: Map<string, number>[],
    backoffs: Map<string, number>[],
    trainingStats?: NgramTrainingStats,
  ) {
    this.order = order;
    this.vocab = vocab;
    this.logProbs = logProbs;
    this.backoffs = backoffs;
    this.trainingStats = trainingStats;
    this.known = new Set(vocab);
  }

  /** The word as the model sees it: itself when in the vocabulary, else <unk>. */
  mapWord(word: string): string {
    return this.known.has(word) ? word : UNK;
  }

  logProb(word: string, context: string[]): number {
    const n = Math.min(context.length, this.order - 1);
    // contextKeys[k] = key of the last k context words.
    const contextKeys: string[] = [''];
    for (let k = 1; k <= n; k++) {
      const c = this.mapWord(context[context.length - k]);
      contextKeys.push(k === 1 ? c : c + KEY_SEP + contextKeys[k - 1]);
    }
    return this.lookup(this.mapWord(word), contextKeys);
  }

  sentenceLogProb(words: string[]): number {
    const mapped = [BOS, ...words.map((w) => this.mapWord(w)), EOS];
    let total = 0;
    for (let i = 1; i < mapped.length; i++) {
      const contextKeys: string[] = [''];
      for (let k = 1; k <= Math.min(i, this.order - 1); k++) {
        const c = mapped[i - k];
        contextKeys.push(k === 1 ? c : c + KEY_SEP + contextKeys[k - 1]);
      }
      total += this.lookup(mapped[i], contextKeys);
    }
    return total;
  }

  /** Backoff recursion from the longest context down to the unigram; `word` is already mapped. */
  private lookup(word: string, contextKeys: string[]): number {
    let backoff = 0;
    for (let k = contextKeys.length - 1; k >= 1; k--) {
      const p = this.logProbs[k].get(contextKeys[k] + KEY_SEP + word);
      if (p !== undefined) return backoff + p;
      backoff += this.backoffs[k - 1].get(contextKeys[k]) ?? 0;
    }
    // Every vocabulary word, <unk> included, has a unigram entry (trainNgram and readArpa guarantee it).
    return backoff + (this.logProbs[0].get(word) as number);
  }
}
