/**
 * Word decoding: the model's per-step phone log-posteriors → words, by a
 * Viterbi beam search over the lexicon prefix tree with the word n-gram LM.
 *
 * Topology (the one the greedy phone decoder reads, src/decode/greedy.ts):
 * every output step carries one unit, and a run of steps with the same unit
 * is ONE phone. An utterance is a sequence of items, each covering a run of
 * consecutive steps:
 *   - a word: its (collapsed, see prefix-tree.ts) pronunciation, one run per phone;
 *   - an unknown stretch: one or more phones, no two adjacent ones equal, for
 *     what no lexicon word explains (reported as its phones, oov = true);
 *   - silence: one run of <SIL>, optional between any two items and at the
 *     ends, never two in a row.
 * A new item may start with the unit the previous one ended with (a phone
 * shared across a word boundary shows as one run, which the decoder splits).
 *
 * Path score = Σ_t log p(unit_t | step t)                    (acoustics)
 *            + lmWeight · Σ ln P_LM(word | previous words)    (unknown stretches are <unk>; </s> at the end)
 *            + wordScore · (number of words and unknown stretches)
 *            + unknownPhoneScore · (number of phones in unknown stretches).
 * The search keeps, per step and per (tree node or unit, LM context), only the
 * best path (exact recombination: the future depends on nothing else), then
 * prunes to `beamSize` paths within `beamThreshold` of the best. A unigram
 * look-ahead spread along the tree (removed again when a word ends) makes
 * paths inside words comparable to paths that ended one; final scores are exact.
 */
import { BOS, EOS, UNK, type NgramLM } from '../lm/index.js';
import { UsageError } from '../util/errors.js';
import { buildPrefixTree, type PrefixTree } from './prefix-tree.js';

export interface WordDecoderOptions {
  /** Weight of the word LM's natural-log probabilities. */
  lmWeight: number;
  /** Added for every word and unknown stretch (> 0 favours more, shorter words). */
  wordScore: number;
  /**
   * Added for every phone of an unknown stretch. Default −lmWeight · ln(number of
   * phones): the unknown word's phones scored by a uniform phone model under the
   * LM weight (on top of the LM's <unk> probability), so no transcript is needed.
   */
  unknownPhoneScore?: number;
  /** Allow unknown stretches (false: every stretch is forced into lexicon words or silence). */
  unknownWords: boolean;
  /** Paths kept per step. */
  beamSize: number;
  /** Paths more than this below the step's best are dropped. */
  beamThreshold: number;
  /**
   * A new phone (first of a word, or in an unknown stretch) may start at a step
   * only with one of the step's `tokenBeam` most probable units (flashlight's
   * beam_size_token); phones inside words follow the lexicon whatever their rank.
   */
  tokenBeam: number;
}

/**
 * Defaults, chosen without transcripts: fairseq's wav2vec-U KenLM decoder uses
 * lm_weight 2.0 and word_score 1.0 (flashlight's lexicon decoder, whose KenLM
 * scores are log10); 2.0 on log10 is 2/ln 10 ≈ 0.869 on the natural logs used here.
 */
export const DEFAULT_WORD_DECODER_OPTIONS: WordDecoderOptions = {
  lmWeight: 2 / Math.LN10,
  wordScore: 1,
  unknownWords: true,
  beamSize: 128,
  beamThreshold: 25,
  tokenBeam: 16,
};

export interface DecodedWord {
  /** The lexicon word, or the phones joined by spaces for an unknown stretch. */
  word: string;
  phones: string[];
  /** Output steps [startStep, endStep). */
  startStep: number;
  endStep: number;
  oov: boolean;
  /** The item's part of the path score: acoustics + weighted LM (+ unknown-phone scores), without wordScore. */
  score: number;
}

const SIL_ITEM = 0;
const WORD_ITEM = 1;
const UNK_ITEM = 2;

interface WordLink {
  word: string;
  phones: string[];
  /** An unknown stretch's phones, last first. */
  unk: PhoneLink | null;
  oov: boolean;
  start: number;
  end: number;
  score: number;
  prev: WordLink | null;
}

interface PhoneLink {
  unit: number;
  prev: PhoneLink | null;
}

/** An LM context (the last order−1 words), interned so paths compare contexts by id. */
interface Context {
  id: number;
  words: string[];
  /** Weighted LM score of each next word. */
  scores: Map<string, number>;
  next: Map<string, Context>;
}

interface Hyp {
  item: number;
  /** Tree node (words), unit (silence, unknown stretches). */
  node: number;
  unit: number;
  ctx: Context;
  score: number;
  /** Step where the current item started, and the (exact) path score before it. */
  start: number;
  base: number;
  unkPhones: PhoneLink | null;
  history: WordLink | null;
}

/** Between two steps: a path that just finished an item. */
interface Boundary {
  ctx: Context;
  score: number;
  afterSil: boolean;
  history: WordLink | null;
}

/** Row-wise log-softmax of [steps × units] logits. */
export function logSoftmaxRows(logits: Float32Array, steps: number, units: number): Float32Array {
  if (logits.length !== steps * units) throw new Error(`logSoftmaxRows: ${logits.length} values for ${steps} × ${units}`);
  const out = new Float32Array(logits.length);
  for (let t = 0; t < steps; t++) {
    const off = t * units;
    let max = -Infinity;
    for (let j = 0; j < units; j++) max = Math.max(max, logits[off + j]);
    let sum = 0;
    for (let j = 0; j < units; j++) sum += Math.exp(logits[off + j] - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < units; j++) out[off + j] = logits[off + j] - lse;
  }
  return out;
}

export class WordDecoder {
  readonly options: Readonly<WordDecoderOptions> & { unknownPhoneScore: number };
  readonly tree: PrefixTree;
  private readonly units: readonly string[];
  private readonly sil: number;
  private readonly phoneUnits: number[];
  /** Look-ahead of each node: the best weighted unigram score of the words below it. */
  private readonly lookahead: Float64Array;
  private readonly lmVocab: Set<string>;
  private contexts = new Map<string, Context>();

  /**
   * `lexicon`: word → pronunciations (phones); `units`: the model's output
   * units in index order; `silence`: the silence unit's name, if the model has one.
   */
  constructor(
    lexicon: ReadonlyMap<string, readonly (readonly string[])[]>,
    private readonly lm: NgramLM,
    units: readonly string[],
    silence: string | undefined,
    options: Partial<WordDecoderOptions> = {},
  ) {
    const o = { ...DEFAULT_WORD_DECODER_OPTIONS, ...options };
    for (const k of ['lmWeight', 'wordScore', 'beamThreshold'] as const)
      if (!Number.isFinite(o[k])) throw new UsageError(`word decoder: ${k} must be a finite number, got ${o[k]}`);
    if (!(Number.isInteger(o.beamSize) && o.beamSize >= 1)) throw new UsageError(`word decoder: beam size must be a positive integer, got ${o.beamSize}`);
    if (!(o.beamThreshold > 0)) throw new UsageError(`word decoder: beam threshold must be positive, got ${o.beamThreshold}`);
    if (!(Number.isInteger(o.tokenBeam) && o.tokenBeam >= 1)) throw new UsageError(`word decoder: token beam must be a positive integer, got ${o.tokenBeam}`);
    this.units = units;
    this.sil = silence === undefined ? -1 : units.indexOf(silence);
    this.phoneUnits = units.map((_, i) => i).filter((i) => i !== this.sil);
    if (this.phoneUnits.length === 0) throw new UsageError('word decoder: the model has no phone units');
    const unknownPhoneScore = o.unknownPhoneScore ?? -o.lmWeight * Math.log(this.phoneUnits.length);
    if (!Number.isFinite(unknownPhoneScore)) throw new UsageError(`word decoder: unknownPhoneScore must be a finite number, got ${unknownPhoneScore}`);
    this.options = { ...o, unknownPhoneScore };
    this.tree = buildPrefixTree(lexicon, units, silence);
    if (this.tree.prons.length === 0 && !o.unknownWords)
      throw new UsageError('word decoder: no lexicon word can be spelled with the model units, and unknown words are switched off');
    this.lmVocab = new Set(lm.vocab);

    // Look-ahead, leaves up: children always have larger ids than their parent.
    const n = this.tree.unit.length;
    this.lookahead = new Float64Array(n).fill(-Infinity);
    const empty = this.context([]);
    for (let node = n - 1; node >= 1; node--) {
      let best = -Infinity;
      for (const p of this.tree.ends[node]) best = Math.max(best, this.lmScore(empty, this.tree.prons[p].word));
      for (const c of this.tree.children[node]) best = Math.max(best, this.lookahead[c]);
      // A word the LM gives −∞ must not turn the scores of its neighbours in the tree into NaN.
      this.lookahead[node] = Number.isFinite(best) ? best : 0;
    }
    this.lookahead[0] = 0;
  }

  /** Decode one utterance: `logProbs` is [steps × units] log-posteriors (see logSoftmaxRows). */
  decode(logProbs: Float32Array, steps: number): DecodedWord[] {
    return this.search(logProbs, steps).words;
  }

  /** The best path found: its words and its total score (the formula at the top of this file). */
  search(logProbs: Float32Array, steps: number): { words: DecodedWord[]; score: number } {
    const U = this.units.length;
    if (logProbs.length !== steps * U) throw new Error(`WordDecoder.decode: ${logProbs.length} values for ${steps} steps × ${U} units`);
    if (steps === 0) return { words: [], score: 0 };
    if (this.contexts.size > 100_000) this.contexts = new Map(); // bounded memory over a long batch
    const { tree, lookahead, sil } = this;
    const { wordScore, unknownPhoneScore, unknownWords } = this.options;
    const nodes = tree.unit.length;

    let active: Hyp[] = [];
    let boundaries: Boundary[] = [{ ctx: this.context([BOS]), score: 0, afterSil: false, history: null }];
    const stride = nodes + U + 1;
    const { beamThreshold } = this.options;
    for (let t = 0; t < steps; t++) {
      const e = t * U;
      const starts = this.startUnits(logProbs, e);
      const next = new Map<number, Hyp>();
      // Anything below the best score so far minus the threshold is pruned anyway: never built.
      let floor = -Infinity;
      let best = -Infinity;
      /** Recombination: one path per (position, LM context); pos = tree node, or past the nodes for silence and unknown phones. */
      const offer = (item: number, node: number, unit: number, score: number, from: Hyp | Boundary, start: number, base: number, unk: PhoneLink | null) => {
        if (score < floor) return;
        const pos = item === WORD_ITEM ? node : item === SIL_ITEM ? nodes : nodes + 1 + unit;
        const key = from.ctx.id * stride + pos;
        const old = next.get(key);
        if (old !== undefined && old.score >= score) return;
        next.set(key, { item, node, unit, ctx: from.ctx, score, start, base, unkPhones: unk, history: from.history });
        if (score > best) [best, floor] = [score, score - beamThreshold];
      };
      if (t > 0) boundaries = this.finishItems(active, t);
      for (const h of active) {
        const s = h.score;
        offer(h.item, h.node, h.unit, s + logProbs[e + h.unit], h, h.start, h.base, h.unkPhones);
        if (h.item === WORD_ITEM) {
          const la = lookahead[h.node];
          for (const c of tree.children[h.node]) offer(WORD_ITEM, c, tree.unit[c], s + lookahead[c] - la + logProbs[e + tree.unit[c]], h, h.start, h.base, null);
        } else if (h.item === UNK_ITEM) {
          for (const u of starts.phones)
            if (u !== h.unit && s + unknownPhoneScore + logProbs[e + u] >= floor)
              offer(UNK_ITEM, 0, u, s + unknownPhoneScore + logProbs[e + u], h, h.start, h.base, { unit: u, prev: h.unkPhones });
        }
      }
      for (const b of boundaries) {
        const s = b.score;
        if (sil >= 0 && !b.afterSil) offer(SIL_ITEM, 0, sil, s + logProbs[e + sil], b, t, s, null);
        for (const c of starts.wordStarts) offer(WORD_ITEM, c, tree.unit[c], s + lookahead[c] + logProbs[e + tree.unit[c]], b, t, s, null);
        if (unknownWords) {
          const enter = s + this.lmScore(b.ctx, UNK) + wordScore + unknownPhoneScore;
          for (const u of starts.phones) if (enter + logProbs[e + u] >= floor) offer(UNK_ITEM, 0, u, enter + logProbs[e + u], b, t, s, { unit: u, prev: null });
        }
      }
      active = this.prune([...next.values()], this.options.beamSize);
    }

    let best: Boundary | undefined;
    let bestScore = -Infinity;
    for (const b of this.finishItems(active, steps, Infinity)) {
      const s = b.score + this.lmScore(b.ctx, EOS);
      if (s > bestScore) [best, bestScore] = [b, s];
    }
    const words: DecodedWord[] = [];
    for (let w = best?.history ?? null; w; w = w.prev) {
      const phones: string[] = [];
      for (let p = w.unk; p; p = p.prev) phones.unshift(this.units[p.unit]);
      const word = w.oov ? phones.join(' ') : w.word;
      words.push({ word, phones: w.oov ? phones : [...w.phones], startStep: w.start, endStep: w.end, oov: w.oov, score: w.score });
    }
    return { words: words.reverse(), score: bestScore };
  }

  /** The phones allowed to start at the step whose log-probabilities begin at `e`, and the root nodes of those. */
  private startUnits(logProbs: Float32Array, e: number): { phones: readonly number[]; wordStarts: readonly number[] } {
    const { tokenBeam } = this.options;
    if (tokenBeam >= this.phoneUnits.length) return { phones: this.phoneUnits, wordStarts: this.tree.children[0] };
    const cut = kthLargest(Float64Array.from(this.phoneUnits, (u) => logProbs[e + u]), tokenBeam);
    const phones = this.phoneUnits.filter((u) => logProbs[e + u] > cut);
    for (const u of this.phoneUnits) if (logProbs[e + u] === cut && phones.length < tokenBeam) phones.push(u);
    const ok = new Set(phones);
    return { phones, wordStarts: this.tree.children[0].filter((c) => ok.has(this.tree.unit[c])) };
  }

  /** Paths that end their item after step t−1, one per (LM context, after-silence), pruned. */
  private finishItems(active: Hyp[], t: number, maxKept = Math.max(8, this.options.beamSize >> 2)): Boundary[] {
    const { tree, lookahead } = this;
    const { wordScore } = this.options;
    const out = new Map<number, Boundary>();
    const add = (b: Boundary) => {
      const key = 2 * b.ctx.id + (b.afterSil ? 1 : 0);
      const old = out.get(key);
      if (old === undefined || b.score > old.score) out.set(key, b);
    };
    for (const h of active) {
      if (h.item === SIL_ITEM) add({ ctx: h.ctx, score: h.score, afterSil: true, history: h.history });
      else if (h.item === UNK_ITEM) {
        // The phones are spelled out only for the winning path (search()).
        const link = { word: '', phones: [], unk: h.unkPhones, oov: true, start: h.start, end: t, score: h.score - h.base - wordScore, prev: h.history };
        add({ ctx: this.advance(h.ctx, UNK), score: h.score, afterSil: false, history: link });
      } else {
        for (const p of tree.ends[h.node]) {
          const { word, phones } = tree.prons[p];
          const score = h.score - lookahead[h.node] + this.lmScore(h.ctx, word) + wordScore;
          const link = { word, phones, unk: null, oov: false, start: h.start, end: t, score: score - h.base - wordScore, prev: h.history };
          add({ ctx: this.advance(h.ctx, word), score, afterSil: false, history: link });
        }
      }
    }
    return this.prune([...out.values()], maxKept);
  }

  /** Within beamThreshold of the best, and the maxKept best of those (selection, not a sort: this runs every step). */
  private prune<T extends { score: number }>(xs: T[], maxKept: number): T[] {
    let best = -Infinity;
    for (const x of xs) best = Math.max(best, x.score);
    const kept = xs.filter((x) => x.score >= best - this.options.beamThreshold);
    if (kept.length <= maxKept) return kept;
    const cut = kthLargest(Float64Array.from(kept, (x) => x.score), maxKept);
    const out = kept.filter((x) => x.score > cut);
    for (const x of kept) if (x.score === cut && out.length < maxKept) out.push(x);
    return out;
  }

  /** lmWeight · ln P(word | context), cached per context. */
  private lmScore(ctx: Context, word: string): number {
    let s = ctx.scores.get(word);
    if (s === undefined) {
      s = this.options.lmWeight * this.lm.logProb(word, ctx.words);
      ctx.scores.set(word, s);
    }
    return s;
  }

  /** The context after `word`: the last order−1 words, words outside the LM as <unk>. */
  private advance(ctx: Context, word: string): Context {
    let c = ctx.next.get(word);
    if (c === undefined) {
      const words = [...ctx.words, this.lmVocab.has(word) ? word : UNK];
      const keep = Math.max(0, this.lm.order - 1);
      c = this.context(words.slice(Math.max(0, words.length - keep)));
      ctx.next.set(word, c);
    }
    return c;
  }

  private context(words: string[]): Context {
    const key = words.join('\u0001');
    let c = this.contexts.get(key);
    if (c === undefined) {
      c = { id: this.contexts.size, words, scores: new Map(), next: new Map() };
      this.contexts.set(key, c);
    }
    return c;
  }
}

/** The k-th largest value (1-based) of `a` (reordered in place): Hoare's quickselect. */
export function kthLargest(a: Float64Array, k: number): number {
  if (!(k >= 1 && k <= a.length)) throw new Error(`kthLargest: k = ${k} for ${a.length} values`);
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const x = a[i];
        a[i++] = a[j];
        a[j--] = x;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}
