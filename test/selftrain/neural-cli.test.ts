/**
 * `fieldphone self-train --neural` through the built CLI on the shared
 * training fixture: the neural stage's folder and metrics line, the
 * label-free choice between it and the best round, a model folder with
 * ctc.bin that `transcribe` decodes with the network, resumption and refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSelfTrainedModel } from '../../src/selftrain/export-model.js';
import { snapshot } from '../helpers/cli.js';
import { fieldphone, makeTrainFixture, trainArgs, type Run, type TrainFixture } from '../train/fixture.js';

let tmp: string;
let fx: TrainFixture;
let gan: string;
let out: string;
let first: Run;
/** Small settings so the test stays quick. */
const SMALL = ['--rounds', '1', '--gaussians', '2', '--passes', '2', '--no-lda', '--lm-weights', '2', '--penalties', '0'];
const NEURAL = ['--neural', '--neural-epochs', '4', '--neural-hidden', '16', '--neural-context', '2', '--blank-penalties', '0,2'];

const json = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;
const kaldi = (p: string) => new Map(readFileSync(p, 'utf8').trim().split('\n').map((l) => [l.split(' ')[0], l.split(' ').slice(1)]));
const metricsOf = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-neural-'));
  fx = makeTrainFixture(tmp);
  const t = fieldphone(...trainArgs(fx, join(tmp, 'run'), '--updates', '6'));
  if (t.status !== 0) throw new Error(`train failed:\n${t.stderr}`);
  gan = join(tmp, 'run', 'model');
  out = join(tmp, 'st');
  first = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', out, ...SMALL, ...NEURAL, '--json');
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fieldphone self-train --neural (built CLI)', () => {
  it('trains the CTC network on the last round\'s labels and keeps whichever of it and the best round scores lower', () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/neural epoch 1\/4: CTC loss per step [\d.]+ \(training\), [\d.]+ \(held out/);
    expect(first.stderr).toMatch(/neural stage done in .*blank penalty [02]/);
    const dir = join(out, 'neural');
    for (const f of ['ctc.bin', 'labels.txt', 'spans.json', 'candidates.tsv', 'epochs.tsv', 'manifest.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(existsSync(join(out, 'neural.checkpoint.bin'))).toBe(false);
    expect(readFileSync(join(dir, 'candidates.tsv'), 'utf8').trim().split('\n')).toHaveLength(1 + 2);
    const metrics = metricsOf(out);
    expect(metrics.map((m) => m.step)).toEqual([0, 1, 2]);
    expect(metrics[2].stage).toBe('ctc');
    expect(metrics[2].epochs).toBeGreaterThanOrEqual(1);
    const res = JSON.parse(first.stdout) as { chosenRound: number; chosenKind: string };
    const best = Math.min(metrics[1].score, metrics[2].score);
    expect(metrics[res.chosenRound].score).toBe(best);
    expect(res.chosenKind).toBe(res.chosenRound === 2 ? 'ctc' : 'hmm-gmm');
    const m = json<{ config: { acoustic: { kind: string; file: string } } }>(join(out, 'model', 'manifest.json'));
    expect(m.config.acoustic.kind).toBe(res.chosenKind);
    // One acoustic model per folder.
    expect(existsSync(join(out, 'model', 'ctc.bin'))).toBe(res.chosenKind === 'ctc');
    expect(existsSync(join(out, 'model', 'hmm.bin'))).toBe(res.chosenKind !== 'ctc');
  });

  it('transcribe decodes with an exported ctc.bin: its phones are the network\'s relabelling of the same recordings', () => {
    // On this fixture the run keeps the HMM (four updates of one batch do not fit the labels), so the folder
    // the run would export if the network won is made here with the same function, from the HMM model folder:
    // its hmm.bin must go, or transcribe would have two acoustic models to choose from.
    const model = exportSelfTrainedModel({
      ganModelDir: join(out, 'model'),
      sourceDir: join(out, 'neural'),
      runDir: out,
      outDir: join(tmp, 'ctc-model'),
      acoustic: { kind: 'ctc', file: 'ctc.bin', trainedOnRound: 1, blankPenalty: 0, bestEpoch: 1 },
      stats: {},
    });
    expect(existsSync(join(model, 'hmm.bin'))).toBe(false);
    expect(json<{ outputs: string[] }>(join(model, 'manifest.json')).outputs.filter((f) => f.endsWith('.bin') && f !== 'generator.bin' && !/kmeans|pca/.test(f))).toEqual(['ctc.bin']);
    const labels = kaldi(join(out, 'neural', 'labels.txt'));
    const tr = join(tmp, 'tr');
    const t = fieldphone('transcribe', model, join(tmp, 'corpus'), '-o', tr);
    expect(t.status, t.stderr).toBe(0);
    for (const id of Object.keys(fx.wavs)) {
      const j = json<{ segments: { phone: string; start: number; end: number; score: number }[] }>(join(tr, `${id}.json`));
      expect(j.segments.map((s) => s.phone)).toEqual(labels.get(id) ?? []);
      for (const s of j.segments) {
        expect(s.end).toBeGreaterThan(s.start);
        expect(s.score).toBeLessThanOrEqual(0);
      }
      // Phones tile the speech: each starts where the previous ended.
      for (let i = 1; i < j.segments.length; i++) expect(j.segments[i].start).toBeCloseTo(j.segments[i - 1].end, 6);
    }
  });

  it('a rerun reuses the neural stage; more rounds retrain it on the new labels; other settings are refused', () => {
    const before = snapshot(join(out, 'neural'));
    // References (here the starting labels) are only reported: the stage is reused with them.
    const refs = ['--valid-ref', join(out, 'round-0', 'labels.txt')];
    const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
    const again = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', out, ...SMALL, ...NEURAL, ...refs);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/neural stage: already done/);
    expect(again.stderr).not.toMatch(/neural epoch/);
    expect(snapshot(join(out, 'neural'))).toEqual(before);
    expect(again.stderr).toContain(`neural stage: PER training labels ${pct(metricsOf(out)[2].per)} (references; not used to choose)`);

    const other = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', out, ...SMALL, ...NEURAL, '--neural-hidden', '8');
    expect(other.status).not.toBe(0);
    expect(other.stderr).toContain(join(out, 'neural'));
    expect(other.stderr).toMatch(/was made with other settings or inputs/);

    const more = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', out, ...SMALL, ...NEURAL, '--rounds', '2', ...refs);
    expect(more.status, more.stderr).toBe(0);
    expect(more.stderr).toMatch(/trained on round 1's labels; training again on round 2's/);
    const metrics = metricsOf(out);
    expect(metrics.map((m) => m.stage)).toEqual(['gan', 'mono', 'mono', 'ctc']);
    // The chosen blank penalty's reference PER, as the report recomputes it from the stage's labels.
    expect(more.stderr).toMatch(new RegExp(`neural stage done in .*, PER against round 2 labels [\\d.]+ %, score [\\d.]+ \\(PER against references ${pct(metrics[3].per)}\\)`));

    // Without --neural the HMM rounds alone are compared and exported.
    const plain = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', out, ...SMALL, '--rounds', '2', '--json');
    expect(plain.status, plain.stderr).toBe(0);
    expect((JSON.parse(plain.stdout) as { chosenKind: string }).chosenKind).toBe('hmm-gmm');
    expect(existsSync(join(out, 'model', 'ctc.bin'))).toBe(false);
  });
});
