import { describe, it, expect } from 'vitest';
import { alignTokens, scoreCorpus, type EditOp } from '../../src/scoring/index.js';
import { makeRng } from '../../src/util/rng.js';

const t = (s: string) => (s === '' ? [] : s.split(' '));
const show = (ops: EditOp[]) => ops.map((o) => `${o.op}:${o.ref ?? '-'}>${o.hyp ?? '-'}`);

/** Edit distance by the textbook recursion, memoised: the reference for the DP. */
function editDistance(a: string[], b: string[]): number {
  const memo = new Map<string, number>();
  const d = (i: number, j: number): number => {
    if (i === 0) return j;
    if (j === 0) return i;
    const k = `${i},${j}`;
    if (!memo.has(k)) memo.set(k, Math.min(d(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1), d(i - 1, j) + 1, d(i, j - 1) + 1));
    return memo.get(k) as number;
  };
  return d(a.length, b.length);
}

describe('alignTokens', () => {
  it('finds one substitution and one insertion', () => {
    const a = alignTokens(t('a b c d'), t('a x c d e'));
    expect(show(a.ops)).toEqual(['ok:a>a', 'sub:b>x', 'ok:c>c', 'ok:d>d', 'ins:->e']);
    expect([a.sub, a.del, a.ins, a.ok, a.refLen]).toEqual([1, 0, 1, 3, 4]);
  });

  it('counts an empty hypothesis as all deletions, an empty reference as all insertions', () => {
    const a = alignTokens(t('k a t'), []);
    expect(show(a.ops)).toEqual(['del:k>-', 'del:a>-', 'del:t>-']);
    expect([a.sub, a.del, a.ins, a.refLen]).toEqual([0, 3, 0, 3]);
    const b = alignTokens([], t('k a'));
    expect([b.sub, b.del, b.ins, b.refLen]).toEqual([0, 0, 2, 0]);
    expect(alignTokens([], []).ops).toEqual([]);
  });

  it('breaks ties deterministically: diagonal, then deletion, then insertion (from the end)', () => {
    // "a b" vs "b a": sub+sub, del+ok+ins and ins+ok+del all cost 2; the diagonal wins.
    expect(show(alignTokens(t('a b'), t('b a')).ops)).toEqual(['sub:a>b', 'sub:b>a']);
    // "a a" vs "a": deleting either 'a' costs 1; from the end the match comes first, so the first 'a' is deleted.
    expect(show(alignTokens(t('a a'), t('a')).ops)).toEqual(['del:a>-', 'ok:a>a']);
    // "a b a" vs "b a b": cost 2 either as [del a, ok b, ok a, ins b] or [ins b, ok a, ok b, del a].
    // At the end (a vs b) the diagonal costs 3, deletion and insertion 2: deletion wins there.
    expect(show(alignTokens(t('a b a'), t('b a b')).ops)).toEqual(['ins:->b', 'ok:a>a', 'ok:b>b', 'del:a>-']);
  });

  it('reaches the minimum edit distance and a consistent backtrace on random pairs', () => {
    const rng = makeRng(3);
    const sym = ['a', 'b', 'c', 'ʃ'];
    for (let k = 0; k < 300; k++) {
      const ref = Array.from({ length: rng.int(8) }, () => sym[rng.int(4)]);
      const hyp = Array.from({ length: rng.int(8) }, () => sym[rng.int(4)]);
      const a = alignTokens(ref, hyp);
      expect(a.sub + a.del + a.ins).toBe(editDistance(ref, hyp));
      // The ops spell out both sequences.
      expect(a.ops.filter((o) => o.op !== 'ins').map((o) => o.ref)).toEqual(ref);
      expect(a.ops.filter((o) => o.op !== 'del').map((o) => o.hyp)).toEqual(hyp);
      for (const o of a.ops) if (o.op === 'ok') expect(o.ref).toBe(o.hyp);
      for (const o of a.ops) if (o.op === 'sub') expect(o.ref).not.toBe(o.hyp);
    }
  });
});

describe('scoreCorpus', () => {
  it('sums counts and divides total errors by total reference length', () => {
    const r = scoreCorpus([
      { id: 'u1', ref: t('a b c d'), hyp: t('a x c d e') }, // S1 I1, N4
      { id: 'u2', ref: t('k a t'), hyp: [] }, // D3, N3
      { id: 'u3', ref: [], hyp: t('s') }, // I1, N0
      { id: 'u4', ref: [], hyp: [] },
    ]);
    expect(r.utterances.map((u) => u.id)).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(r.utterances.map((u) => u.errorRate)).toEqual([2 / 4, 3 / 3, 1, 0]); // empty ref: insertions / 1
    expect(r.utterances.map((u) => u.hypLen)).toEqual([5, 0, 1, 0]);
    expect(r.total).toEqual({ sub: 1, del: 3, ins: 2, ok: 3, refLen: 7, hypLen: 6, errorRate: 6 / 7 });
  });
});
