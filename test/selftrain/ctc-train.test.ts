/**
 * The neural stage's network and trainer on synthetic "phones"
 * (synthetic-phones.ts): trained with CTC on labels with 40 % of the phones
 * substituted, it transcribes held-out utterances with far fewer errors than
 * its labels had; a run resumed from its checkpoint ends exactly where an
 * uninterrupted one does; greedy decoding and the model file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { CTC_FILE, ctcDecodeFrames, ctcGreedy, readCtcModel, writeCtcModel } from '../../src/selftrain/ctc-decoder.js';
import { CtcNet } from '../../src/selftrain/ctc-model.js';
import { phoneBigram } from '../../src/hmm/phone-loop.js';
import { trainNgram } from '../../src/lm/index.js';
import { DEFAULT_CTC_TRAIN, trainCtc, type CtcExample, type CtcTrainConfig } from '../../src/selftrain/ctc-train.js';
import { readNeuralDir, runNeuralStage } from '../../src/selftrain/neural-stage.js';
import type { TrainingAudio } from '../../src/selftrain/round.js';
import { perAgainst } from '../../src/selftrain/label-free-score.js';
import type { LabelSet } from '../../src/selftrain/labels.js';
import { makeRng } from '../../src/util/rng.js';
import { expectArtifactError } from '../helpers/errors.js';
import { corrupt, sentence, syntheticCorpus, syntheticTopology, UNITS } from './synthetic-phones.js';

const names = (ids: ArrayLike<number>) => Array.from(ids, (l) => UNITS[l]);
const SMALL: CtcTrainConfig = { ...DEFAULT_CTC_TRAIN, net: { stride: 2, context: 2, hidden: 64, layers: 2, kernel: 3, dropout: 0 }, learningRate: 5e-3, maxEpochs: 10, batchSize: 16 };
const dims = { inputDim: 4, numUnits: UNITS.length };

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'fieldphone-ctc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('greedy CTC decoding', () => {
  it('collapses repeats, drops blanks, keeps a repeat split by a blank; spans tile the frames, split mid-gap', () => {
    // V = 3 (units 0, 1; blank 2). Best outputs: 2 0 0 2 2 0 1 1 2 (T = 9).
    const best = [2, 0, 0, 2, 2, 0, 1, 1, 2];
    const logits = new Float32Array(9 * 3);
    best.forEach((k, t) => (logits[t * 3 + k] = 5));
    expect([...ctcGreedy(logits, 9, 3, 4.5).units]).toEqual([0, 0, 1]); // the blank still wins at 5 − 4.5 > 0
    const d = ctcGreedy(logits, 9, 3);
    expect([...d.units]).toEqual([0, 0, 1]);
    // Runs: 0 at [1,3), 0 at [5,6), 1 at [6,8). Gap [3,5) splits at 4; 0|1 are adjacent (split at 6).
    expect([...d.spans]).toEqual([0, 4, 4, 6, 6, 9]);
    const lp = 5 - Math.log(Math.exp(5) + 2); // log-softmax of the winner
    for (const s of d.scores) expect(s).toBeCloseTo(lp, 6);
    expect(ctcGreedy(logits.map((_, i) => (i % 3 === 2 ? 1 : 0)), 9, 3).units.length).toBe(0); // all blank
  });
});

describe('CTC training on noisy labels', () => {
  const rate = 0.4;
  const train = syntheticCorpus(240, 1);
  const test = syntheticCorpus(60, 2);
  const rng = makeRng(3);
  const examples: CtcExample[] = train.map((u) => ({ id: u.id, frames: u.x, labels: corrupt(u.labels, rate, rng) }));
  const labelSet = (f: (i: number) => ArrayLike<number>, us: typeof train): LabelSet => new Map(us.map((u, i) => [u.id, { units: names(f(i)) }]));
  const refs = (us: typeof train) => new Map(us.map((u) => [u.id, names(u.labels)]));

  it('learns to transcribe held-out audio with fewer errors than its labels had; blank penalty chosen without references', async () => {
    const previous = labelSet((i) => examples[i].labels, train);
    const labelPer = perAgainst(previous, refs(train));
    expect(labelPer).toBeGreaterThan(0.3);
    // The phone LM comes from other sentences of the same "language" (as in rounds.test.ts).
    const lmRng = makeRng(8);
    const lm = trainNgram(Array.from({ length: 2000 }, () => names(sentence(lmRng))), { order: 3 });
    const topology = syntheticTopology();
    const data: TrainingAudio = { utterances: train.map((u) => ({ id: u.id, frames: u.x })), topology, lm, bigram: phoneBigram(lm, UNITS), refs: refs(train) };
    const res = await runNeuralStage(data, previous, { train: SMALL, blankPenalties: [0, 1, 2, 4] }, 0);
    expect(res.training.heldOut).toBe(24);
    expect(res.training.trainedOn).toBe(216);
    // The held-out loss is on noisy labels too; it must still fall from the first epoch.
    const { epochs, bestEpoch } = res.training;
    expect(epochs[bestEpoch - 1].heldOutLoss).toBeLessThan(epochs[0].heldOutLoss);
    expect(Math.min(...res.candidates.map((c) => c.score))).toBe(res.chosen.score);
    expect(perAgainst(res.labels, data.refs as Map<string, string[]>)).toBeCloseTo(res.chosen.per as number, 12);
    const dec = res.decoder;
    const hyp = labelSet((i) => ctcDecodeFrames(dec, test[i].x).units, test);
    const per = perAgainst(hyp, refs(test));
    const byPenalty = res.candidates.map((c) => `${c.blankPenalty}: ${(100 * (c.per as number)).toFixed(1)} %`).join(', ');
    console.log(`synthetic CTC: labels ${(100 * labelPer).toFixed(1)} % PER; relabelled training audio by blank penalty ${byPenalty}; chosen ${dec.blankPenalty}, held-out ${(100 * per).toFixed(1)} %; best epoch ${bestEpoch}/${epochs.length}`);
    expect(per).toBeLessThan(labelPer * 0.75);
    // Without the blank penalty the network deletes most phones: greedy decoding alone does not get below the labels.
    expect(res.candidates[0].per as number).toBeGreaterThan(labelPer);

    // The model file round-trips to the same outputs.
    const path = join(dir, 'ctc.bin');
    writeCtcModel(path, dec, { note: 'test' });
    const back = readCtcModel(path);
    expect(back.units).toEqual(UNITS);
    expect(back.info).toEqual({ note: 'test' });
    expect([...ctcDecodeFrames(back, test[0].x).units]).toEqual([...ctcDecodeFrames(dec, test[0].x).units]);
    dec.net.dispose();
  });

  it('a run resumed from its checkpoint ends with exactly the weights of an uninterrupted run', async () => {
    // Stride 1 here (one output per frame), dropout on.
    const cfg: CtcTrainConfig = { ...SMALL, net: { ...SMALL.net, stride: 1, context: 3, dropout: 0.1 }, maxEpochs: 4, patience: 4 };
    const few = examples.slice(0, 60);
    const whole = await trainCtc(few, dims, cfg);
    const ck = join(dir, 'checkpoint.bin');
    const key = { labels: 'x' };
    const first = await trainCtc(few, dims, { ...cfg, maxEpochs: 2 }, { checkpoint: ck, key });
    expect(existsSync(ck)).toBe(true);
    // maxEpochs is not part of the key: a longer run continues from epoch 2.
    const resumed = await trainCtc(few, dims, cfg, { checkpoint: ck, key });
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(resumed.epochs.slice(0, 2)).toEqual(first.epochs);
    const a = whole.net.getWeights(), b = resumed.net.getWeights();
    for (const k of Object.keys(a)) expect(Buffer.from(b[k].data.buffer).equals(Buffer.from(a[k].data.buffer)), k).toBe(true);
    // Another key: the checkpoint is discarded and training starts afresh.
    const other = await trainCtc(few, dims, { ...cfg, maxEpochs: 1 }, { checkpoint: ck, key: { labels: 'y' } });
    expect(other.epochs.map((e) => e.epoch)).toEqual([1]);
    for (const r of [whole, first, resumed, other]) r.net.dispose();
  });

  it('a damaged model file is named', () => {
    const path = join(dir, 'bad.bin');
    writeFileSync(path, 'not a model');
    expect(() => readCtcModel(path)).toThrow(path);
  });

  it("a neural stage folder whose network outputs other units than the model's is refused, naming its ctc.bin", () => {
    const stage = join(dir, 'neural');
    mkdirSync(stage);
    const net = new CtcNet({ ...dims, ...SMALL.net }, 1);
    writeCtcModel(join(stage, CTC_FILE), { net, units: UNITS, blankPenalty: 0 }, {});
    net.dispose();
    const swapped = [UNITS[1], UNITS[0], ...UNITS.slice(2)];
    expectArtifactError(() => readNeuralDir(stage, swapped), join(stage, CTC_FILE), new RegExp(`its units \\(${UNITS.join(' ')}\\) differ from the model folder's units\\.json`));
  });
});
