/**
 * Interpolated modified Kneser-Ney estimation (Chen & Goodman 1998, as KenLM's lmplz does it).
 *
 * Adjusted counts a(g) of an n-gram g:
 *   - highest order: the raw count;
 *   - lower orders: the continuation count N1+(• g), the number of distinct words seen
 *     before g, except for n-grams starting with <s>, which nothing can precede and so keep
 *     their raw count.
 * Discounts per order from the counts-of-counts t_k (number of n-grams with a(g) = k):
 *   Y = t1 / (t1 + 2 t2),  D_k = k − (k+1) Y t_{k+1} / t_k   for k = 1, 2, 3 (D3 serves counts ≥ 3).
 * Small corpora make these degenerate (some t_k = 0, or D_k outside (0, k]); that order then
 * uses 0.5, 1, 1.5, like lmplz --discount_fallback.
 * Interpolation, for context h with total T(h) = Σ_w a(h w) and N_k(h) = number of w with
 * a(h w) = k (N3 counts ≥ 3):
 *   p(w | h) = (a(h w) − D(a(h w))) / T(h) + γ(h) · p(w | h'),
 *   γ(h)     = (D1 N1(h) + D2 N2(h) + D3 N3(h)) / T(h),
 * and the unigram level interpolates with the uniform distribution over the vocabulary
 * without <s> (which is never predicted). Because the stored p(w | h) already includes the
 * lower-order term, the backoff form needs backoff(h) = γ(h) exactly.
 */
import { FieldphoneError, UsageError } from '../util/errors.js';
import { BackoffNgramLM, type NgramTrainingStats } from './backoff-model.js';
import { BOS, EOS, KEY_SEP, LN10, UNK, tokenProblem } from './tokens.js';

export interface NgramOptions {
  /** N of the n-gram model (4 for the phone LM). */
  order: number;
  /** Words seen fewer times than this are replaced by <unk> before counting (default 0: none). */
  unkCountThreshold?: number;
  discounts?: 'modified-kn';
}

/** lmplz --discount_fallback values for D1, D2, D3+. */
export const FALLBACK_DISCOUNTS: readonly [number, number, number] = [0.5, 1, 1.5];

/** Most orders a model may have; far beyond any useful phone or word LM, it guards against typos. */
export const MAX_ORDER = 10;

/**
 * Chen & Goodman's discounts from counts-of-counts t[1..4] (t[0] unused), or undefined when
 * they cannot be estimated.
 */
export function modifiedKnDiscounts(t: readonly number[]): [number, number, number] | undefined {
  if (t[1] === 0 || t[2] === 0 || t[3] === 0) return undefined;
  const y = t[1] / (t[1] + 2 * t[2]);
  const d: [number, number, number] = [1 - (2 * y * t[2]) / t[1], 2 - (3 * y * t[3]) / t[2], 3 - (4 * y * t[4]) / t[3]];
  // D_k ≤ k keeps every discounted count non-negative; D_k > 0 keeps every backoff weight positive.
  return d.every((v, i) => v > 0 && v <= i + 1) ? d : undefined;
}

export function trainNgram(sentences: string[][], opts: NgramOptions): BackoffNgramLM {
  const { order } = opts;
  if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER)
    throw new UsageError(`n-gram order must be an integer from 1 to ${MAX_ORDER}, got ${order}`);
  const threshold = opts.unkCountThreshold ?? 0;
  if (!Number.isInteger(threshold) || threshold < 0)
    throw new UsageError(`unkCountThreshold must be a non-negative integer, got ${threshold}`);
  if ((opts.discounts ?? 'modified-kn') !== 'modified-kn')
    throw new UsageError(`unknown discounting '${opts.discounts}'; only 'modified-kn' is implemented`);
  if (sentences.length === 0) throw new FieldphoneError('empty-lm-text', 'no sentences to train the language model on');

  const wordCounts = new Map<string, number>();
  sentences.forEach((s, i) => {
    for (const w of s) {
      const problem = tokenProblem(w);
      if (problem) throw new FieldphoneError('bad-lm-text', `sentence ${i + 1}: ${problem}`);
      wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    }
  });
  const kept = [...wordCounts.keys()].filter((w) => w !== UNK && (wordCounts.get(w) as number) >= threshold).sort();
  const vocab = [BOS, EOS, UNK, ...kept];
  const keptSet = new Set(kept);

  // Raw counts of every n-gram of the padded sentences, keys joined by KEY_SEP.
  const raw: Map<string, number>[] = Array.from({ length: order }, () => new Map());
  let tokens = 0;
  let unkReplaced = 0;
  for (const s of sentences) {
    const toks = [BOS];
    for (const w of s) {
      if (keptSet.has(w)) toks.push(w);
      else {
        toks.push(UNK);
        if (w !== UNK) unkReplaced++;
      }
    }
    toks.push(EOS);
    tokens += toks.length - 1;
    for (let i = 0; i < toks.length; i++) {
      let key = toks[i];
      for (let n = 1; n <= order && i + n <= toks.length; n++) {
        if (n > 1) key += KEY_SEP + toks[i + n - 1];
        const m = raw[n - 1];
        m.set(key, (m.get(key) ?? 0) + 1);
      }
    }
  }
  raw[0].delete(BOS); // <s> is only ever a context, never predicted.

  const adjusted = adjustCounts(raw);
  const discounts: [number, number, number][] = [];
  const fallbackOrders: number[] = [];
  for (let n = 1; n <= order; n++) {
    const d = modifiedKnDiscounts(countsOfCounts(adjusted[n - 1]));
    if (!d) fallbackOrders.push(n);
    discounts.push(d ?? [...FALLBACK_DISCOUNTS]);
  }

  const logProbs: Map<string, number>[] = Array.from({ length: order }, () => new Map());
  const backoffs: Map<string, number>[] = Array.from({ length: order - 1 }, () => new Map());

  // Unigrams: interpolate with the uniform distribution over the vocabulary without <s>.
  const uni = contextStats(adjusted[0], discounts[0], () => '').get('') as ContextStats;
  const uniform = 1 / (vocab.length - 1);
  logProbs[0].set(BOS, -99 * LN10); // the ARPA convention for "never predicted"
  for (const w of vocab) {
    if (w === BOS) continue;
    const a = adjusted[0].get(w) ?? 0;
    logProbs[0].set(w, Math.log((a - discount(discounts[0], a)) / uni.total + uni.gamma * uniform));
  }

  for (let n = 2; n <= order; n++) {
    const counts = adjusted[n - 1];
    const d = discounts[n - 1];
    const stats = contextStats(counts, d, (key) => key.slice(0, key.lastIndexOf(KEY_SEP)));
    const lower = logProbs[n - 2];
    const probs = logProbs[n - 1];
    for (const [key, a] of counts) {
      const st = stats.get(key.slice(0, key.lastIndexOf(KEY_SEP))) as ContextStats;
      // The suffix h'w occurs wherever hw does, so it is always in the lower table.
      const pLower = Math.exp(lower.get(key.slice(key.indexOf(KEY_SEP) + 1)) as number);
      probs.set(key, Math.log((a - discount(d, a)) / st.total + st.gamma * pLower));
    }
    for (const [ctx, st] of stats) backoffs[n - 2].set(ctx, Math.log(st.gamma));
  }

  const trainingStats: NgramTrainingStats = { sentences: sentences.length, tokens, unkReplaced, discounts, fallbackOrders };
  return new BackoffNgramLM(order, vocab, logProbs, backoffs, trainingStats);
}

/** Raw counts → Kneser-Ney adjusted counts (see the header comment). */
function adjustCounts(raw: Map<string, number>[]): Map<string, number>[] {
  const order = raw.length;
  const adjusted = [...raw];
  for (let n = order - 1; n >= 1; n--) {
    const continuation = new Map<string, number>();
    for (const key of raw[n].keys()) {
      const suffix = key.slice(key.indexOf(KEY_SEP) + 1);
      continuation.set(suffix, (continuation.get(suffix) ?? 0) + 1);
    }
    const a = new Map<string, number>();
    const bosPrefix = BOS + KEY_SEP;
    for (const [key, c] of raw[n - 1]) a.set(key, key.startsWith(bosPrefix) ? c : (continuation.get(key) as number));
    adjusted[n - 1] = a;
  }
  return adjusted;
}

/** t[k] = number of n-grams with adjusted count k, k = 1..4 (t[0] unused). */
function countsOfCounts(counts: Map<string, number>): number[] {
  const t = [0, 0, 0, 0, 0];
  for (const c of counts.values()) if (c <= 4) t[c]++;
  return t;
}

function discount(d: readonly [number, number, number], count: number): number {
  return count === 0 ? 0 : count === 1 ? d[0] : count === 2 ? d[1] : d[2];
}

interface ContextStats {
  total: number;
  /** Mass left for the lower order, γ(h). */
  gamma: number;
}

function contextStats(
  counts: Map<string, number>,
  d: readonly [number, number, number],
  contextOf: (key: string) => string,
): Map<string, ContextStats> {
  const stats = new Map<string, ContextStats>();
  for (const [key, a] of counts) {
    const ctx = contextOf(key);
    let st = stats.get(ctx);
    if (!st) stats.set(ctx, (st = { total: 0, gamma: 0 }));
    st.total += a;
    st.gamma += discount(d, a); // Σ_w D(a(hw)) = D1 N1 + D2 N2 + D3 N3+; divided by T below
  }
  for (const st of stats.values()) st.gamma /= st.total;
  return stats;
}
