/**
 * `fieldphone self-train` through the built CLI on the shared training
 * fixture (six speech-like recordings, a GAN model from a few updates):
 * round folders, metrics, plots and a model folder that `transcribe` uses
 * as is; resumption; refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshot } from '../helpers/cli.js';
import { fieldphone, makeTrainFixture, trainArgs, type Run, type TrainFixture } from '../train/fixture.js';

let tmp: string;
let fx: TrainFixture;
let gan: string;
let out: string;
let first: Run;
/** Small settings so the test stays quick. */
const SMALL = ['--rounds', '2', '--gaussians', '2', '--passes', '2', '--lm-weights', '1,4', '--penalties', '0'];

const json = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;
const kaldi = (p: string) => new Map(readFileSync(p, 'utf8').trim().split('\n').map((l) => [l.split(' ')[0], l.split(' ').slice(1)]));

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-selftrain-'));
  fx = makeTrainFixture(tmp);
  const t = fieldphone(...trainArgs(fx, join(tmp, 'run'), '--updates', '6'));
  if (t.status !== 0) throw new Error(`train failed:\n${t.stderr}`);
  gan = join(tmp, 'run', 'model');
  out = join(tmp, 'st');
  first = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', out, ...SMALL, '--json');
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fieldphone self-train (built CLI)', () => {
  it('writes the rounds, metrics, plots and a model folder with hmm.bin', () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/round 1 monophone pass 2\/2/);
    expect(first.stderr).toMatch(/round 2 done in .*: chose (mono|lda), LM weight [14], penalty 0/);
    for (const r of [0, 1, 2]) expect(existsSync(join(out, `round-${r}`, 'manifest.json'))).toBe(true);
    for (const r of [1, 2]) {
      expect(existsSync(join(out, `round-${r}`, 'hmm.bin'))).toBe(true);
      const tsv = readFileSync(join(out, `round-${r}`, 'candidates.tsv'), 'utf8').trim().split('\n');
      expect(tsv).toHaveLength(1 + 2 * 2); // header + {mono, lda} × {1, 4} × {0}
    }
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.step)).toEqual([0, 1, 2]);
    expect(metrics[0].stage).toBe('gan');
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(['agreement.svg', 'label-free-score.svg', 'lm-perplexity.svg', 'per.svg']);
    const res = JSON.parse(first.stdout) as { chosenRound: number; modelDir: string };
    const best = Math.min(...metrics.slice(1).map((m) => m.score));
    expect(metrics[res.chosenRound].score).toBe(best);
    const model = join(out, 'model');
    expect(res.modelDir).toBe(model);
    const m = json<{ stage: string; config: { acoustic: { kind: string; round: number; lmWeight: number } } }>(join(model, 'manifest.json'));
    expect(m.stage).toBe('model');
    expect(m.config.acoustic.kind).toBe('hmm-gmm');
    expect(m.config.acoustic.round).toBe(res.chosenRound);
    expect(m.config.acoustic.lmWeight).toBe(metrics[res.chosenRound].lmWeight);
    for (const f of ['hmm.bin', 'generator.bin', 'units.json', 'lm.phones.arpa', 'self-training/metrics.jsonl']) expect(existsSync(join(model, f)), f).toBe(true);
  });

  it('transcribe uses the HMM: its phones are the chosen round\'s relabelling of the same recordings', () => {
    const res = JSON.parse(first.stdout) as { chosenRound: number };
    const labels = kaldi(join(out, `round-${res.chosenRound}`, 'labels.txt'));
    const tr = join(tmp, 'tr');
    const t = fieldphone('transcribe', join(out, 'model'), join(tmp, 'corpus'), '-o', tr);
    expect(t.status, t.stderr).toBe(0);
    for (const id of Object.keys(fx.wavs)) {
      const j = json<{ segments: { phone: string; start: number; end: number; score: number }[] }>(join(tr, `${id}.json`));
      expect(j.segments.map((s) => s.phone)).toEqual(labels.get(id));
      for (const s of j.segments) {
        expect(s.end).toBeGreaterThan(s.start);
        expect(s.score).toBeLessThanOrEqual(0);
      }
    }
  });

  it('a rerun skips the finished rounds and leaves them as they were; more rounds continue from the last', () => {
    const rounds = [1, 2].map((r) => snapshot(join(out, `round-${r}`)));
    const again = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', out, ...SMALL);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/round 1: already done/);
    expect(again.stderr).toMatch(/round 2: already done/);
    expect(again.stderr).not.toMatch(/monophone pass/);
    [1, 2].forEach((r, i) => expect(snapshot(join(out, `round-${r}`))).toEqual(rounds[i]));
    const more = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', out, ...SMALL.slice(2), '--rounds', '3');
    expect(more.status, more.stderr).toBe(0);
    expect(more.stderr).toMatch(/round 3 monophone pass 1\/2/);
    expect(more.stderr).not.toMatch(/round 2 monophone/);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it('refuses to mix rounds made with other settings', () => {
    const r = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', out, ...SMALL, '--gaussians', '4');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(join(out, 'round-0'));
    expect(r.stderr).toMatch(/was made with other settings or inputs/);
  });

  it('--labels: starts from a label file; a unit the model does not know names the file', () => {
    const units = json<string[]>(join(gan, 'units.json'));
    const good = join(tmp, 'start.txt');
    writeFileSync(good, Object.keys(fx.wavs).map((id, i) => `${id} <SIL> ${units[i % 3]} ${units[(i + 1) % 3]} <SIL>`).join('\n') + '\n');
    const st = join(tmp, 'st-labels');
    const r = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', st, ...SMALL.slice(2), '--rounds', '1', '--no-lda', '--labels', good, '--valid-ref', good);
    expect(r.status, r.stderr).toBe(0);
    const metrics = readFileSync(join(st, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics[0].stage).toBe('labels');
    expect(metrics[0].per).toBe(0); // the starting labels are the references here
    // The log gives the same PERs as metrics.jsonl, and the chosen candidate's in the round's line.
    const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
    for (const m of metrics) expect(r.stderr).toContain(`round ${m.round}: PER training labels ${pct(m.per)} (references; not used to choose)`);
    expect(r.stderr).toMatch(new RegExp(`round 1 done in .*, PER against round 0 labels [\\d.]+ %, score [\\d.]+ \\(PER against references ${pct(metrics[1].per)}\\)`));
    expect(readFileSync(join(st, 'round-1', 'candidates.tsv'), 'utf8').trim().split('\n')).toHaveLength(1 + 2);
    const bad = join(tmp, 'bad.txt');
    writeFileSync(bad, 'rec-01 <SIL> ʘ <SIL>\n');
    const b = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', join(tmp, 'st-bad'), '--labels', bad);
    expect(b.status).not.toBe(0);
    expect(b.stderr).toContain(`${bad}: utterance 'rec-01': 'ʘ' is not one of the model's units`);
  });

  it('--redecipher: starts the given round from a decipherment of the previous round\'s segments, kept in round-N/deciphered', () => {
    const st = join(tmp, 'st-redecipher');
    const RE = ['--redecipher', '2', '--text', fx.textDir, '--redecipher-clusters', '4', '--redecipher-runs', '2', '--redecipher-moves', '20000'];
    const r = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', st, ...SMALL, '--no-lda', ...RE);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/round 2: re-deciphering round 1's segments \(4 clusters, 2 annealing runs\)/);
    const dir = join(st, 'round-2', 'deciphered');
    const start = kaldi(join(dir, 'labels.txt'));
    const spans = json<Record<string, number[]>>(join(dir, 'spans.json'));
    const round1 = kaldi(join(st, 'round-1', 'labels.txt'));
    const units = json<string[]>(join(gan, 'units.json'));
    expect([...start.keys()].sort()).toEqual([...round1.keys()].sort());
    for (const [id, phones] of start) {
      expect(spans[id]).toHaveLength(2 * phones.length);
      for (const p of phones) expect(units).toContain(p);
      // The segments are round 1's: the first and last frame are the same.
      const s1 = json<Record<string, number[]>>(join(st, 'round-1', 'spans.json'))[id];
      expect(spans[id][0]).toBe(s1[0]);
      expect(spans[id][spans[id].length - 1]).toBe(s1[s1.length - 1]);
    }
    const metrics = readFileSync(join(st, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics[1].decipherScore).toBeUndefined();
    expect(Number.isFinite(metrics[2].decipherScore)).toBe(true);
    expect(existsSync(join(st, 'round-1', 'deciphered'))).toBe(false);
  });

  it('--regenerate: starts the given round from a generator re-trained on the previous round\'s labels, kept in generator-N and round-N/generated', () => {
    const st = join(tmp, 'st-regenerate');
    const RG = ['--regenerate', '2', '--text', fx.textDir, '--regenerate-updates', '4'];
    const r = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', st, ...SMALL, '--no-lda', ...RG);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/round 2: re-training the generator on round 1's labels \(4 updates\)/);
    // Round 2 is the last: the score would not see the gain, and the log says what to do.
    expect(r.stderr).toMatch(/round 2, the last, starts from the re-trained generator's labels: .* run one more round \(--rounds 3\)/);
    const ids = Object.keys(fx.wavs);
    expect(r.stderr).toContain(`teacher: ${join(st, 'round-1', 'labels.txt')}, labels for`);
    // An ordinary train run folder: labels + n-gram matching, the GAN model's input.
    const run = json<{ config: { input: unknown; loss: Record<string, number>; updates: number; decipher: unknown }; inputs: { teacherLabels: string } }>(join(st, 'generator-2', 'run.json'));
    expect(run.inputs.teacherLabels).toBe(join(st, 'round-1', 'labels.txt'));
    expect(run.config.loss).toMatchObject({ teacher: 1, bigram: 1, trigram: 1, adversarial: 0 });
    expect(run.config.updates).toBe(4);
    expect(run.config.decipher).toBeNull();
    expect(run.config.input).toEqual(json<{ config: { input: unknown } }>(join(gan, 'manifest.json')).config.input);
    // Round 2 started from that generator's transcription: what `transcribe` writes with its model.
    const start = kaldi(join(st, 'round-2', 'generated', 'labels.txt'));
    const tr = join(tmp, 'tr-regenerated');
    const t = fieldphone('transcribe', join(st, 'generator-2', 'model'), join(tmp, 'corpus'), '-o', tr);
    expect(t.status, t.stderr).toBe(0);
    for (const id of ids) expect(start.get(id)).toEqual(json<{ segments: { phone: string }[] }>(join(tr, `${id}.json`)).segments.map((x) => x.phone));
    const metrics = readFileSync(join(st, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics[1].generatorPpl).toBeUndefined();
    expect(Number.isFinite(metrics[2].generatorPpl)).toBe(true);
    expect(existsSync(join(st, 'round-1', 'generated'))).toBe(false);
    // A rerun trains nothing again.
    const again = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', st, ...SMALL, '--no-lda', ...RG);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/round 2: already done/);
    expect(again.stderr).not.toMatch(/re-training the generator/);
  });

  it('--regenerate is refused without --text, for round 1, and together with --redecipher for one round', () => {
    const bad = join(tmp, 'st-rg-bad');
    const noText = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', bad, ...SMALL, '--regenerate', '2');
    expect(noText.status).not.toBe(0);
    expect(noText.stderr).toMatch(/re-training the generator reads the text: give --text/);
    const first = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', bad, ...SMALL, '--regenerate', '1', '--text', fx.textDir);
    expect(first.status).not.toBe(0);
    expect(first.stderr).toMatch(/rounds 2\.\.2, got 1/);
    const both = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', bad, ...SMALL, '--regenerate', '2', '--redecipher', '2', '--text', fx.textDir);
    expect(both.status).not.toBe(0);
    expect(both.stderr).toMatch(/re-decipherment or from a re-trained generator, not both/);
    expect(existsSync(bad)).toBe(false);
  });

  it('--redecipher is refused without --text, for round 1, and with another text\'s units, naming what to give', () => {
    const noText = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', join(tmp, 'st-re-bad'), ...SMALL, '--redecipher', '2');
    expect(noText.status).not.toBe(0);
    expect(noText.stderr).toMatch(/give --text/);
    const first = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', join(tmp, 'st-re-bad'), ...SMALL, '--redecipher', '1', '--text', fx.textDir);
    expect(first.status).not.toBe(0);
    expect(first.stderr).toMatch(/rounds 2\.\.2, got 1/);
    expect(existsSync(join(tmp, 'st-re-bad'))).toBe(false);
    // A text folder with another inventory than the model's: named, and nothing written.
    const other = join(tmp, 'text-other');
    cpSync(fx.textDir, other, { recursive: true });
    const inv = json<{ units: string[] }>(join(other, 'inventory.json'));
    writeFileSync(join(other, 'inventory.json'), JSON.stringify({ ...inv, units: [...inv.units, 'ʘ'] }));
    const wrong = fieldphone('self-train', gan, '--audio', fx.audioDir, '-o', join(tmp, 'st-re-bad'), ...SMALL, '--redecipher', '2', '--text', other);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain(`${other} has other units than the model`);
    expect(existsSync(join(tmp, 'st-re-bad'))).toBe(false);
  });
});
