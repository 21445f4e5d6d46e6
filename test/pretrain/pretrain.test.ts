/**
 * Pretraining in-process on six short speech-like recordings: masking, the
 * layer-choice statistic, that the masked loss falls, that a run stopped and
 * resumed twice ends with exactly the weights of an uninterrupted one, and that
 * 'ssl' features land on the right 20 ms grid of the 10 ms timeline.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { computeFeatures, frameCenterTime, numFrames, resolveFeatureConfig } from '../../src/features/index.js';
import { loadAudio, removeSilence } from '../../src/audio/index.js';
import { prepareAudio, recordingFrames, DEFAULT_PREPARE_AUDIO_CONFIG } from '../../src/pipeline/prepare-audio.js';
import { spanMask } from '../../src/pretrain/masking.js';
import { adjustedRand, modeFilter, probe, spreadEvenly } from '../../src/pretrain/layers.js';
import { matrix } from '../../src/util/matrix.js';
import { lengthBatches, encoderInput } from '../../src/pretrain/data.js';
import { pretrain, PretrainStopped } from '../../src/pretrain/run.js';
import { loadEncoderFolder, sslFeatureConfig } from '../../src/pretrain/model-folder.js';
import type { PretrainOverrides } from '../../src/pretrain/config.js';
import { makeRng } from '../../src/util/rng.js';
import { readTensorFile } from '../../src/util/tensor-file.js';
import { setLogLevel } from '../../src/util/log.js';
import { writeRecordings } from '../train/fixture.js';

const TINY: PretrainOverrides = {
  iterations: 2,
  updates: 12,
  clusters: 8,
  encoder: { width: 24, blocks: 2, kernel: 3 },
  batchSteps: 200,
  maxSteps: 60,
  checkpointEvery: 4,
  learningRate: 3e-3,
};

let tmp: string;
let wavs: Record<string, string>;
let audioDir: string;

beforeAll(async () => {
  setLogLevel('quiet');
  await initBackend('wasm');
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-pretrain-'));
  wavs = writeRecordings(join(tmp, 'corpus'));
  audioDir = join(tmp, 'audio');
  await prepareAudio({ inputs: [join(tmp, 'corpus')], outDir: audioDir, config: { kmeans: { ...DEFAULT_PREPARE_AUDIO_CONFIG.kmeans, k: 8 } } });
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const metricRows = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);

describe('span masking', () => {
  it('is a function of the seed, masks about half the steps, in runs of at least the span', () => {
    const cfg = { prob: 0.65, span: 5 };
    const a = spanMask(1000, cfg, makeRng(3));
    expect(spanMask(1000, cfg, makeRng(3))).toEqual(a);
    expect(spanMask(1000, cfg, makeRng(4))).not.toEqual(a);
    // 130 spans of 5 at uniform starts over 996 positions: each step is missed by all with prob ≈ (1 − 5/996)^130 ≈ 0.52.
    const frac = a.reduce((s, v) => s + v, 0) / a.length;
    expect(frac).toBeGreaterThan(0.4);
    expect(frac).toBeLessThan(0.56);
    let run = 0;
    for (let t = 0; t <= a.length; t++) {
      if (t < a.length && a[t]) run++;
      else {
        if (run > 0) expect(run).toBeGreaterThanOrEqual(5);
        run = 0;
      }
    }
    // Short utterances still get one span (of at most their length).
    expect(Array.from(spanMask(3, cfg, makeRng(1)))).toEqual([1, 1, 1]);
  });
});

describe('layer-choice statistic', () => {
  it('adjusted Rand index matches a brute-force pair count', () => {
    const rng = makeRng(9);
    for (let trial = 0; trial < 5; trial++) {
      const n = 40;
      const a = Int32Array.from({ length: n }, () => rng.int(4));
      const b = Int32Array.from({ length: n }, (_, i) => (rng.next() < 0.6 ? a[i] : rng.int(5)));
      // Brute force over all pairs: agreements (same/same) and the Rand index's expectation from the marginals.
      let both = 0, sameA = 0, sameB = 0;
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++) {
          const sa = a[i] === a[j], sb = b[i] === b[j];
          if (sa && sb) both++;
          if (sa) sameA++;
          if (sb) sameB++;
        }
      const pairs = (n * (n - 1)) / 2;
      const expected = (sameA * sameB) / pairs;
      expect(adjustedRand(a, b)).toBeCloseTo((both - expected) / ((sameA + sameB) / 2 - expected), 12);
    }
    const x = Int32Array.from([0, 0, 1, 1, 2, 2]);
    expect(adjustedRand(x, Int32Array.from([5, 5, 3, 3, 9, 9]))).toBe(1);
  });

  it('spreads reference phones evenly over steps', () => {
    expect(Array.from(spreadEvenly(3, 7))).toEqual([0, 0, 0, 1, 1, 2, 2]);
  });

  it('smooths probe labels with a mode filter (hand-worked)', () => {
    expect(Array.from(modeFilter(Int32Array.from([0, 0, 1, 0, 0, 2, 2, 2, 1, 2]), 1))).toEqual([0, 0, 0, 0, 0, 2, 2, 2, 2, 1]);
  });

  it('probe: separable phones score 0, features without phone information score badly', () => {
    const rng = makeRng(5);
    const refs = [['a', 'b', 'c'], ['c', 'a', 'b'], ['b', 'c', 'a'], ['a', 'c', 'b'], ['b', 'a', 'c'], ['c', 'b', 'a']];
    const phoneOf = { a: 0, b: 1, c: 2 } as Record<string, number>;
    const feats = (informative: boolean) =>
      refs.map((r) => {
        const m = matrix(12, 3);
        const lab = spreadEvenly(3, 12);
        for (let t = 0; t < 12; t++) for (let j = 0; j < 3; j++) m.data[t * 3 + j] = (informative && j === phoneOf[r[lab[t]]] ? 3 : 0) + 0.1 * rng.normal();
        return m;
      });
    const train = refs.map((_, i) => i < 4);
    const ids = refs.map((_, i) => `u${i}`);
    expect(probe(feats(true), refs, train, ids)).toEqual({ per: 0, frameError: 0 });
    const noise = probe(feats(false), refs, train, ids);
    expect(noise.frameError).toBeGreaterThan(0.3);
    expect(noise.per).toBeGreaterThan(0.3);
  });

  it('batches by length within the step budget', () => {
    const lengths = [5, 50, 7, 48, 6, 51, 30];
    const batches = lengthBatches(lengths, 100, makeRng(1));
    expect(batches.flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const b of batches) expect(b.length * Math.max(...b.map((i) => lengths[i]))).toBeLessThanOrEqual(100);
    expect(lengthBatches(lengths, 100, makeRng(1))).toEqual(batches);
  });
});

describe('pretraining run', () => {
  let runA: string;
  beforeAll(async () => {
    runA = join(tmp, 'runA');
    await pretrain({ audioDir, outDir: runA, config: TINY });
  });

  it('lowers the masked-prediction loss in each iteration', () => {
    const rows = metricRows(runA);
    expect(rows.map((r) => r.step)).toEqual([4, 8, 12, 16, 20, 24]);
    const it1 = rows.filter((r) => r.iteration === 1).map((r) => r.loss);
    const it2 = rows.filter((r) => r.iteration === 2).map((r) => r.loss);
    // Chance is ln 8 ≈ 2.08 nats.
    expect(it1[0]).toBeGreaterThan(1.8);
    expect(it1[2]).toBeLessThan(it1[0] - 0.2);
    expect(it2[2]).toBeLessThan(it2[0]);
  });

  it('writes an encoder folder with a chosen layer', async () => {
    const f = await loadEncoderFolder(join(runA, 'model'));
    expect(f.layers!.layers.map((l) => l.layer)).toEqual([0, 1, 2]);
    for (const l of f.layers!.layers) expect(l.stability).toBeGreaterThan(-0.1), expect(l.stability).toBeLessThanOrEqual(1);
    const best = Math.max(...f.layers!.layers.map((l) => l.stability));
    expect(f.layers!.layers[f.layers!.chosen].stability).toBe(best);
    f.encoder.dispose();
  });

  it('resumed twice after stopping ends with the weights of the uninterrupted run', async () => {
    const runB = join(tmp, 'runB');
    // Stop inside iteration 1 (after update 6; last checkpoint at 4), then inside iteration 2 (update 18; checkpoint at 16).
    await expect(pretrain({ audioDir, outDir: runB, config: TINY, stopAfter: 6 })).rejects.toBeInstanceOf(PretrainStopped);
    await expect(pretrain({ audioDir, outDir: runB, config: TINY, resume: true, stopAfter: 14 })).rejects.toBeInstanceOf(PretrainStopped);
    expect(readTensorFile(join(runB, 'checkpoint.bin'), 'ssl-checkpoint').meta).toMatchObject({ iteration: 2, update: 4 });
    await pretrain({ audioDir, outDir: runB, config: TINY, resume: true });
    const a = readTensorFile(join(runA, 'model', 'encoder.bin'), 'ssl-encoder').tensors;
    const b = readTensorFile(join(runB, 'model', 'encoder.bin'), 'ssl-encoder').tensors;
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(Buffer.from(b[k].data.buffer).equals(Buffer.from(a[k].data.buffer))).toBe(true);
    const strip = (r: Record<string, number>) => ({ ...r, seconds: 0 });
    expect(metricRows(runB).map(strip)).toEqual(metricRows(runA).map(strip));
  });

  it('refuses to resume with other settings', async () => {
    await expect(pretrain({ audioDir, outDir: runA, config: { ...TINY, updates: 13 }, resume: true })).rejects.toThrow(/other settings/);
  });

  it("extracts 'ssl' features on the 20 ms grid of the stacked 10 ms frames", async () => {
    const cfg = await sslFeatureConfig({ path: join(runA, 'model'), layer: 1 });
    expect(cfg).toMatchObject({ kind: 'ssl', winMs: 35, hopMs: 20, deltas: false });
    const mfcc = resolveFeatureConfig();
    // Step i covers MFCC frames 2i and 2i+1: the grid's frame count and centres follow.
    for (let n = 0; n < 6000; n += 37) expect(numFrames(n, cfg)).toBe(Math.floor(numFrames(n, mfcc) / 2));
    for (const i of [0, 1, 17]) expect(frameCenterTime(i, cfg)).toBeCloseTo((frameCenterTime(2 * i, mfcc) + frameCenterTime(2 * i + 1, mfcc)) / 2, 12);

    const path = wavs['rec-03'];
    const rec = await recordingFrames(path, { ...DEFAULT_PREPARE_AUDIO_CONFIG, features: cfg });
    const voiced = removeSilence(await loadAudio(path, { sampleRate: 16000 })).samples;
    expect(rec.frames.rows).toBe(numFrames(voiced.length, cfg));
    expect(rec.frames.cols).toBe(24);
    // The same as running the encoder by hand on the normalised MFCC pairs.
    const f = await loadEncoderFolder(join(runA, 'model'));
    const byHand = f.encoder.hiddenStates(encoderInput(computeFeatures(voiced, mfcc), 2))[1];
    expect(Array.from(rec.frames.data)).toEqual(Array.from(byHand.data));
    // In chunks (long recordings) with the receptive radius as context: the same rows.
    const x = encoderInput(computeFeatures(voiced, mfcc), 2);
    expect(Array.from(f.encoder.features(x, 2, 7).data)).toEqual(Array.from(f.encoder.hiddenStates(x)[2].data));
    f.encoder.dispose();
    await expect(sslFeatureConfig({ path: join(runA, 'model'), layer: 3 })).rejects.toThrow(/out of range: .* 0\.\.2/);
  });
});
