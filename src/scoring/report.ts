import { alignTokens, type EditOp } from './align.js';

export interface UtteranceScore {
  id: string;
  sub: number;
  del: number;
  ins: number;
  ok: number;
  refLen: number;
  hypLen: number;
  /** (S + D + I) / N; see errorRate() for N = 0. */
  errorRate: number;
  ops: EditOp[];
}

export interface ScoreReport {
  utterances: UtteranceScore[];
  total: { sub: number; del: number; ins: number; ok: number; refLen: number; hypLen: number; errorRate: number };
}

/**
 * (S + D + I) / N. With an empty reference (N = 0) the rate is the number of inserted tokens
 * (0 when the hypothesis is empty too): as if the reference had one token, so every inserted
 * token counts as 100 %. This keeps rates finite (JSON has no Infinity) and still flags
 * output where there should be none.
 */
export function errorRate(sub: number, del: number, ins: number, refLen: number): number {
  return (sub + del + ins) / Math.max(refLen, 1);
}

/** Align every pair; the corpus total is Σ errors / Σ N, not the mean of per-utterance rates. */
export function scoreCorpus(pairs: { id: string; ref: string[]; hyp: string[] }[]): ScoreReport {
  const total = { sub: 0, del: 0, ins: 0, ok: 0, refLen: 0, hypLen: 0, errorRate: 0 };
  const utterances = pairs.map(({ id, ref, hyp }): UtteranceScore => {
    const a = alignTokens(ref, hyp);
    total.sub += a.sub;
    total.del += a.del;
    total.ins += a.ins;
    total.ok += a.ok;
    total.refLen += a.refLen;
    total.hypLen += hyp.length;
    return {
      id,
      sub: a.sub,
      del: a.del,
      ins: a.ins,
      ok: a.ok,
      refLen: a.refLen,
      hypLen: hyp.length,
      errorRate: errorRate(a.sub, a.del, a.ins, a.refLen),
      ops: a.ops,
    };
  });
  total.errorRate = errorRate(total.sub, total.del, total.ins, total.refLen);
  return { utterances, total };
}
