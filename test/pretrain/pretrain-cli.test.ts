/**
 * End to end through the built CLI: pretrain an encoder on six recordings,
 * prepare them again with its features (--features ssl), train a few GAN
 * updates on those, and transcribe a recording with the result (which
 * re-runs the encoder from the feature configuration). Also the errors a
 * user meets: --features ssl without an encoder, and an encoder folder whose
 * weights changed after the audio was prepared with it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fieldphone, makeTrainFixture, TINY_TRAIN, type TrainFixture } from '../train/fixture.js';

const TINY_PRETRAIN = ['--iterations', '2', '--updates', '6', '--clusters', '8', '--width', '16', '--blocks', '2', '--kernel', '3', '--batch-steps', '200', '--checkpoint-every', '3'];

let tmp: string;
let fx: TrainFixture;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-pretrain-cli-'));
  fx = makeTrainFixture(tmp);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fieldphone pretrain → prepare-audio --features ssl → train → transcribe', () => {
  it('runs end to end', () => {
    const run = join(tmp, 'pre');
    const p = fieldphone('pretrain', '--audio', fx.audioDir, '-o', run, ...TINY_PRETRAIN, '--json');
    expect(p.status, p.stderr).toBe(0);
    const res = JSON.parse(p.stdout) as { modelDir: string; layers: { chosen: number; layers: unknown[] } };
    expect(res.layers.layers).toHaveLength(3);
    expect(p.stderr).toMatch(/pretraining a 0\.\d+M-parameter encoder on 6 recordings/);
    for (const f of ['run.json', 'checkpoint.bin', 'metrics.jsonl', 'targets-1.bin', 'targets-2.bin', 'iteration-1.bin', 'plots/loss.svg', 'model/encoder.bin', 'model/layers.json', 'model/manifest.json'])
      expect(() => readFileSync(join(run, f)), f).not.toThrow();

    const sslAudio = join(tmp, 'audio-ssl');
    const a = fieldphone('prepare-audio', join(tmp, 'corpus'), '-o', sslAudio, '--features', 'ssl', '--encoder', res.modelDir, '--clusters', '8');
    expect(a.status, a.stderr).toBe(0);
    const features = (JSON.parse(readFileSync(join(sslAudio, 'manifest.json'), 'utf8')) as { config: { features: Record<string, unknown> } }).config.features;
    expect(features).toMatchObject({ kind: 'ssl', hopMs: 20, winMs: 35, ssl: { path: res.modelDir, layer: res.layers.chosen, dim: 16 } });

    const train = join(tmp, 'gan');
    const t = fieldphone('train', '--audio', sslAudio, '--text', fx.textDir, '-o', train, ...TINY_TRAIN.map((v, i, all) => (all[i - 1] === '--updates' ? '4' : all[i - 1] === '--valid-every' ? '2' : v)));
    expect(t.status, t.stderr).toBe(0);

    const out = join(tmp, 'transcripts');
    const tr = fieldphone('transcribe', join(train, 'model'), fx.wavs['rec-02'], '-o', out, '--workers', '1', '--json');
    expect(tr.status, tr.stderr).toBe(0);
    const segs = (JSON.parse(readFileSync(join(out, 'rec-02.json'), 'utf8')) as { segments: { start: number; end: number }[] }).segments;
    expect(segs.length).toBeGreaterThan(0);
    // Times lie in the recording (1.5 s) and follow each other.
    for (const [i, s] of segs.entries()) {
      expect(s.end).toBeGreaterThan(s.start);
      expect(s.end).toBeLessThanOrEqual(1.5 + 1e-9);
      if (i > 0) expect(s.start).toBeGreaterThanOrEqual(segs[i - 1].end - 1e-9);
    }

    // The encoder changes after the audio was prepared with it: refused, naming the file.
    const copy = join(tmp, 'pre-copy');
    cpSync(res.modelDir, copy, { recursive: true });
    const copyAudio = join(tmp, 'audio-copy');
    expect(fieldphone('prepare-audio', fx.wavs['rec-01'], '-o', copyAudio, '--features', 'ssl', '--encoder', copy, '--layer', '1', '--clusters', '2').status).toBe(0);
    const bin = join(copy, 'encoder.bin');
    const bytes = readFileSync(bin);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(bin, bytes);
    const again = fieldphone('prepare-audio', fx.wavs['rec-02'], '-o', join(tmp, 'audio-copy-2'), '--reuse', copyAudio);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain(bin);
    expect(again.stderr).toMatch(/not the encoder these features were made with/);
  });

  it('asks for the encoder folder', () => {
    const r = fieldphone('prepare-audio', join(tmp, 'corpus'), '-o', join(tmp, 'nope'), '--features', 'ssl');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--features ssl needs --encoder <dir>/);
  });
});
