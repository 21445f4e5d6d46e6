import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { phoneBigram } from '../../src/hmm/phone-loop.js';
import { DEFAULT_HMM_TRAIN } from '../../src/hmm/train.js';
import { perplexity, trainNgram } from '../../src/lm/index.js';
import { DEFAULT_SELF_TRAIN, type SelfTrainConfig } from '../../src/selftrain/config.js';
import { labelFreeScore, perAgainst } from '../../src/selftrain/label-free-score.js';
import { noisyLabels, readLabelsDir, readLabelsFile, writeLabels, type LabelSet } from '../../src/selftrain/labels.js';
import { runRound, type TrainingAudio } from '../../src/selftrain/round.js';
import { makeRng } from '../../src/util/rng.js';
import { expectInputError } from '../helpers/errors.js';
import { sentence, syntheticCorpus, syntheticTopology, UNITS } from './synthetic-phones.js';

const names = (ids: ArrayLike<number>) => Array.from(ids, (l) => UNITS[l]);

describe('labels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldphone-labels-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('write → read keeps phones and frame spans', () => {
    const labels: LabelSet = new Map([
      ['u1', { units: ['<SIL>', 'a', 'b', '<SIL>'], spans: Int32Array.of(0, 3, 3, 5, 5, 9, 9, 12) }],
      ['u2', { units: ['c'] }],
    ]);
    writeLabels(dir, labels);
    const back = readLabelsDir(dir, UNITS);
    expect(back.get('u1')).toEqual(labels.get('u1'));
    expect(back.get('u2')).toEqual({ units: ['c'] });
  });

  it('a token that is not a model unit names the file and the utterance', () => {
    const path = join(dir, 'start.txt');
    writeFileSync(path, 'u1 a b\nu2 a q b\n');
    expectInputError(() => readLabelsFile(path, UNITS), path, /utterance 'u2': 'q' is not one of the model's units/);
  });

  it('noisy labels substitute about the given share of phones, never with <SIL>', () => {
    const refs = new Map(Array.from({ length: 200 }, (_, i) => [`u${i}`, names(sentence(makeRng(i))).filter((p) => p !== '<SIL>')]));
    const noisy = noisyLabels(refs, 0.3, UNITS, makeRng(1));
    let changed = 0, total = 0;
    for (const [id, r] of refs) {
      const n = noisy.get(id)?.units as string[];
      expect(n[0]).toBe('<SIL>');
      expect(n[n.length - 1]).toBe('<SIL>');
      expect(n.slice(1, -1).includes('<SIL>')).toBe(false);
      r.forEach((p, i) => {
        total++;
        if (n[i + 1] !== p) changed++;
      });
    }
    expect(changed / total).toBeGreaterThan(0.25);
    expect(changed / total).toBeLessThan(0.35);
  });
});

describe('label-free score', () => {
  it('is ln(perplexity of the output, <SIL> left out) × PER against the previous labels', () => {
    const lm = trainNgram([['a', 'b'], ['a', 'c'], ['b', 'c', 'a']], { order: 2 });
    const hyps: LabelSet = new Map([['u1', { units: ['<SIL>', 'a', 'b', '<SIL>'] }], ['u2', { units: ['c', 'a'] }]]);
    const prev: LabelSet = new Map([['u1', { units: ['a', 'c'] }], ['u2', { units: ['<SIL>', 'c', 'a', 'b'] }]]);
    const s = labelFreeScore(hyps, prev, lm, 0);
    const ppl = perplexity(lm, [['a', 'b'], ['c', 'a']]).ppl;
    expect(s.lmPpl).toBeCloseTo(ppl, 12);
    // u1: a b vs a c → 1 substitution; u2: c a vs c a b → 1 deletion; 2 errors / 5 reference phones.
    expect(s.perVsPrevious).toBeCloseTo(2 / 5, 12);
    expect(s.score).toBeCloseTo(Math.log(ppl) * 0.4, 12);
    expect(labelFreeScore(hyps, hyps, lm, 0.05).score).toBeCloseTo(Math.log(ppl) * 0.05, 12);
    expect(perAgainst(hyps, new Map([['zz', ['a']]]))).toBeNaN();
  });
});

describe('self-training rounds on synthetic frames', () => {
  it('start from 40 % substituted labels: each round relabels with fewer errors, chosen without references', async () => {
    const topology = syntheticTopology();
    const corpus = syntheticCorpus(200, 21, 4, 1.3);
    const refs = new Map(corpus.map((u) => [u.id, names(u.labels)]));
    // The phone LM comes from other sentences of the same "language".
    const rng = makeRng(8);
    const lm = trainNgram(Array.from({ length: 2000 }, () => names(sentence(rng))), { order: 3 });
    // One thread: worker threads run the compiled scripts in dist/ (round-train.test.ts checks that they change nothing).
    const data: TrainingAudio = { utterances: corpus.map((u) => ({ id: u.id, frames: u.x })), topology, lm, bigram: phoneBigram(lm, UNITS), refs, workers: 1 };
    const cfg: SelfTrainConfig = {
      ...DEFAULT_SELF_TRAIN,
      mono: { ...DEFAULT_HMM_TRAIN, maxGaussians: 2, passes: 4 },
      lda: { splice: 1, dim: 4, maxFrames: 5000, train: { ...DEFAULT_HMM_TRAIN, maxGaussians: 2, passes: 3 } },
      lmWeights: [0.5, 1, 2, 4],
      insertionPenalties: [-2, 0, 2],
    };
    const noisy = noisyLabels(new Map([...refs].map(([id, r]) => [id, r.filter((p) => p !== '<SIL>')])), 0.4, UNITS, makeRng(3));
    let labels: LabelSet = noisy;
    const pers = [perAgainst(noisy, refs)];
    for (let r = 1; r <= 3; r++) {
      const res = await runRound(r, data, labels, cfg);
      expect(res.candidates).toHaveLength(2 * 4 * 3);
      // The chosen candidate has the lowest label-free score, and its labels are the round's output.
      expect(Math.min(...res.candidates.map((c) => c.score))).toBe(res.chosen.score);
      expect(perAgainst(res.labels, refs)).toBeCloseTo(res.chosen.per as number, 12);
      for (const [id, l] of res.labels) {
        const T = data.utterances.find((u) => u.id === id)?.frames.rows;
        expect(l.spans?.[l.spans.length - 1]).toBe(T);
      }
      labels = res.labels;
      pers.push(perAgainst(labels, refs));
    }
    console.log(`synthetic self-training: PER by round ${pers.map((p) => (100 * p).toFixed(1) + ' %').join(' → ')}`);
    expect(pers[0]).toBeGreaterThan(0.3);
    expect(pers[1]).toBeLessThan(pers[0] * 0.8);
    expect(pers[2]).toBeLessThan(pers[1]);
    expect(pers[3]).toBeLessThanOrEqual(pers[2] + 0.01);
  });
});
