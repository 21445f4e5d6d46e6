/**
 * Re-decipherment (src/decipher/relabel.ts): on a made-up language whose
 * phones sound distinct, segments labelled with wrong phones get their true
 * phones back from the audio and the text alone; spans stay, <SIL> stays,
 * and neighbours that end up alike are joined.
 */
import { beforeAll, describe, it, expect } from 'vitest';
import { joinRepeats, redecipherLabels, type SpannedLabels } from '../../src/decipher/relabel.js';
import { DEFAULT_DECIPHER } from '../../src/decipher/config.js';
import type { UtteranceInfo } from '../../src/pipeline/prepare-audio.js';
import type { Matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';

describe('joinRepeats', () => {
  it('joins touching neighbours with the same phone, and only those', () => {
    const j = joinRepeats(['a', 'a', 'b', 'b', 'a', 'a'], Int32Array.of(0, 2, 2, 5, 5, 6, 7, 9, 9, 10, 10, 12));
    // b at 5–6 and b at 7–9 do not touch (a gap at 6–7), so both stay.
    expect(j.units).toEqual(['a', 'b', 'b', 'a']);
    expect(Array.from(j.spans!)).toEqual([0, 5, 5, 6, 7, 9, 9, 12]);
  });
});

describe('redecipherLabels', () => {
  // Five phones (ids 1..5; 0 is <SIL>) in a chain where each phone has two likely successors.
  const units = ['<SIL>', 'a', 'b', 'c', 'd', 'e'];
  const rng = makeRng(11);
  const succ = [[2, 3], [3, 4], [4, 5], [5, 1], [1, 2]];
  const sentence = (n: number) => {
    const s = [1 + rng.int(5)];
    while (s.length < n) s.push(rng.next() < 0.9 ? succ[s[s.length - 1] - 1][rng.int(2)] : 1 + rng.int(5));
    return s;
  };
  const sentences = Array.from({ length: 600 }, () => Int32Array.from(sentence(10)));
  // Audio: each phone 3–5 frames of 13-d features around its own mean; one <SIL> segment first.
  const means = Array.from({ length: 6 }, () => Array.from({ length: 13 }, () => 3 * rng.normal()));
  const utterances: UtteranceInfo[] = [];
  const frames = new Map<string, Matrix>();
  const truth = new Map<string, string[]>();
  const labels = new Map<string, SpannedLabels>();
  for (let u = 0; u < 250; u++) {
    const id = `u${u}`;
    const phones = [0, ...sentence(10)];
    const rows: number[] = [];
    const spans: number[] = [];
    for (const p of phones) {
      const n = 3 + rng.int(3);
      spans.push(rows.length / 13, rows.length / 13 + n);
      for (let t = 0; t < n; t++) for (let k = 0; k < 13; k++) rows.push(means[p][k] + 0.3 * rng.normal());
    }
    utterances.push({ id } as UtteranceInfo);
    frames.set(id, { data: Float32Array.from(rows), rows: rows.length / 13, cols: 13 });
    truth.set(id, phones.map((p) => units[p]));
    // Wrong starting labels: every phone shifted by one (a→b, …, e→a); <SIL> right.
    labels.set(id, { units: phones.map((p) => (p === 0 ? '<SIL>' : units[1 + (p % 5)])), spans: Int32Array.from(spans) });
  }
  const prepared = { utterances, rawFrames: (u: UtteranceInfo) => frames.get(u.id)! };
  const cfg = { ...DEFAULT_DECIPHER, clusters: 10, clusterings: 1, restarts: 2, iterations: 200_000 };
  // One thread: the worker script is compiled JS (dist/); the CLI tests run the threads.
  let out: Map<string, SpannedLabels>;
  let result: Awaited<ReturnType<typeof redecipherLabels>>['result'];
  beforeAll(async () => {
    ({ labels: out, result } = await redecipherLabels(labels, prepared, { units, sentences }, cfg, 1));
  });

  it('gives back the phones spoken, from audio and text alone', () => {
    let right = 0;
    let all = 0;
    for (const [id, l] of out) {
      const t = truth.get(id)!.filter((p, i, a) => i === 0 || p !== a[i - 1]);
      // Compare position by position where the joined sequence has the true length.
      if (l.units.length !== t.length) continue;
      all += t.length;
      right += l.units.filter((p, i) => p === t[i]).length;
    }
    expect(all).toBeGreaterThan(0.8 * 250 * 11);
    expect(right / all).toBeGreaterThan(0.95);
    expect(result.restartScores).toHaveLength(2);
    expect(result.segments).toBe(250 * 10);
  });

  it('keeps <SIL> and the spans, joining only repeated neighbours', () => {
    for (const [id, l] of out) {
      expect(l.units[0]).toBe('<SIL>');
      const start = labels.get(id)!;
      expect(l.spans![0]).toBe(start.spans![0]);
      expect(l.spans![l.spans!.length - 1]).toBe(start.spans![start.spans!.length - 1]);
      for (let i = 1; i < l.units.length; i++) expect(l.units[i]).not.toBe(l.units[i - 1]);
    }
  });

  it('refuses labels without spans, saying what it needs', async () => {
    const bare = new Map([...labels].map(([id, l]) => [id, { units: l.units }]));
    await expect(redecipherLabels(bare, prepared, { units, sentences }, cfg, 1)).rejects.toThrow(/segment spans/);
  });
});
