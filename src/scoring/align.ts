/**
 * Levenshtein alignment of token sequences with unit costs (substitution, deletion and
 * insertion each cost 1), as sclite and Kaldi's compute-wer count errors.
 */
export type EditOp = { op: 'ok' | 'sub' | 'del' | 'ins'; ref?: string; hyp?: string };

export interface Alignment {
  ops: EditOp[];
  sub: number;
  del: number;
  ins: number;
  ok: number;
  refLen: number;
}

/**
 * Minimum-cost alignment. Several alignments often share the minimum cost; to make the
 * choice deterministic the backtrace walks back from the ends of both sequences and at each
 * step takes the first move that stays on a minimum-cost path, in this order: the diagonal
 * (match or substitution), a deletion (REF token without HYP token), an insertion.
 * Examples: REF "a b" / HYP "b a" → two substitutions (not a deletion plus an insertion);
 * REF "a a" / HYP "a" → [del a, ok a]; REF "a b a" / HYP "b a b" → [ins b, ok a, ok b, del a].
 */
export function alignTokens(ref: string[], hyp: string[]): Alignment {
  const n = ref.length;
  const m = hyp.length;
  const w = m + 1;
  // cost[i*w + j] = edit distance between ref[0..i) and hyp[0..j).
  const cost = new Int32Array((n + 1) * w);
  for (let j = 0; j <= m; j++) cost[j] = j;
  for (let i = 1; i <= n; i++) {
    cost[i * w] = i;
    for (let j = 1; j <= m; j++) {
      const diag = cost[(i - 1) * w + j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      const del = cost[(i - 1) * w + j] + 1;
      const ins = cost[i * w + j - 1] + 1;
      cost[i * w + j] = Math.min(diag, del, ins);
    }
  }

  const ops: EditOp[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const here = cost[i * w + j];
    if (i > 0 && j > 0) {
      const same = ref[i - 1] === hyp[j - 1];
      if (cost[(i - 1) * w + j - 1] + (same ? 0 : 1) === here) {
        ops.push({ op: same ? 'ok' : 'sub', ref: ref[i - 1], hyp: hyp[j - 1] });
        i--;
        j--;
        continue;
      }
    }
    if (i > 0 && cost[(i - 1) * w + j] + 1 === here) {
      ops.push({ op: 'del', ref: ref[i - 1] });
      i--;
    } else {
      ops.push({ op: 'ins', hyp: hyp[j - 1] });
      j--;
    }
  }
  ops.reverse();

  const counts = { ok: 0, sub: 0, del: 0, ins: 0 };
  for (const o of ops) counts[o.op]++;
  return { ops, ...counts, refLen: n };
}
