/**
 * `prepare-audio --features onnx` end to end through the built CLI, on the
 * training fixture's recordings and the project's tiny encoder: the prepared
 * folder records the encoder (path + sha256), training runs on its frames, and
 * transcription re-extracts the same features from the model folder, failing
 * clearly once the encoder is gone.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_DIM, TINY_FIXTURES } from '../../scripts/make-tiny-onnx.js';
import { numFrames, resolveFeatureConfig } from '../../src/features/config.js';
import { FeatureStoreReader } from '../../src/features/store.js';
import { scratchFolder } from '../helpers/scratch.js';
import { SENTENCES, TINY_TRAIN, fieldphone, writeRecordings } from '../train/fixture.js';

const STACKED = fileURLToPath(new URL(`../fixtures/${TINY_FIXTURES.stacked}`, import.meta.url));

describe('prepare-audio --features onnx → train → transcribe', () => {
  const tmp = scratchFolder('fieldphone-onnx-cli-');
  const root = tmp.dir;
  const encoder = join(root, 'enc', 'encoder.onnx');
  const audioDir = join(root, 'audio');
  let wavs: Record<string, string>;
  let prep: ReturnType<typeof fieldphone>;

  beforeAll(() => {
    mkdirSync(join(root, 'enc'));
    copyFileSync(STACKED, encoder);
    wavs = writeRecordings(join(root, 'corpus'));
    prep = fieldphone('prepare-audio', join(root, 'corpus'), '-o', audioDir, '--features', 'onnx', '--encoder', encoder, '--layer', '1', '--clusters', '8', '--pca-dim', '8', '--json');
  });

  it('prepares the recordings with the encoder and records it in the manifest', () => {
    expect(prep.status, prep.stderr).toBe(0);
    expect(prep.stderr).toMatch(/encoder: .*encoder\.onnx \(hidden state 1 of 3, 8-dim, ONNX Runtime on cpu\)/);
    const manifest = JSON.parse(readFileSync(join(audioDir, 'manifest.json'), 'utf8'));
    const sha = createHash('sha256').update(readFileSync(STACKED)).digest('hex');
    expect(manifest.config.features).toMatchObject({ kind: 'onnx', hopMs: 20, winMs: 25, encoder: { path: encoder, sha256: sha, layer: 1, output: 'hidden_states', dim: TINY_DIM } });
    const frames = new FeatureStoreReader(join(audioDir, 'frames'));
    expect(frames.dim).toBe(TINY_DIM);
    // One frame every 20 ms of the voiced audio, on the 400/320-sample grid.
    const cfg = resolveFeatureConfig(manifest.config.features);
    const utts = JSON.parse(readFileSync(join(audioDir, 'utterances.json'), 'utf8')) as { id: string; keptSec: number }[];
    expect(utts.map((u) => u.id).sort()).toEqual(Object.keys(wavs).sort());
    for (const u of utts) expect(frames.entry(u.id).rows).toBe(numFrames(Math.round(u.keptSec * 16000), cfg));
  });

  it('processes new audio like the training audio with --reuse', () => {
    const out = join(root, 'audio-new');
    const r = fieldphone('prepare-audio', wavs['rec-01'], '-o', out, '--reuse', audioDir);
    expect(r.status, r.stderr).toBe(0);
    const a = new FeatureStoreReader(join(audioDir, 'frames')).get('rec-01');
    const b = new FeatureStoreReader(join(out, 'frames')).get('rec-01');
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it('trains on the encoder frames and transcribes new audio with the same encoder', () => {
    const textFile = join(root, 'text.txt');
    writeFileSync(textFile, SENTENCES.join('\n') + '\n');
    const t = fieldphone('prepare-text', textFile, '-o', join(root, 'text'), '--phonemizer', 'graphemes', '--min-phone-count', '1');
    expect(t.status, t.stderr).toBe(0);
    const run = join(root, 'run');
    const tr = fieldphone('train', '--audio', audioDir, '--text', join(root, 'text'), '-o', run, ...TINY_TRAIN);
    expect(tr.status, tr.stderr).toBe(0);
    const model = join(run, 'model');
    const out = join(root, 'out');
    const r = fieldphone('transcribe', model, wavs['rec-02'], '-o', out, '--workers', '1', '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'rec-02.json'), 'utf8'));
    const segs = doc.segments as { phone: string; start: number; end: number }[];
    expect(segs.length).toBeGreaterThan(0);
    for (const p of segs) {
      expect(p.start).toBeLessThan(p.end);
      expect(p.end).toBeLessThanOrEqual(doc.durationSec + 1e-9);
    }

    // The encoder moved away: the model folder still names it, and says so.
    renameSync(encoder, encoder + '.moved');
    try {
      const gone = fieldphone('transcribe', model, wavs['rec-03'], '-o', join(root, 'out-gone'), '--workers', '1');
      expect(gone.status).not.toBe(0);
      expect(gone.stderr).toContain(`rec-03.wav: ONNX encoder ${encoder} not found: these features were made with it (sha256 `);
      expect(existsSync(join(root, 'out-gone', 'rec-03.json'))).toBe(false);
    } finally {
      renameSync(encoder + '.moved', encoder);
    }
  });

  it('rejects encoder options without --features onnx, and --features onnx without an encoder', () => {
    const a = fieldphone('prepare-audio', join(root, 'corpus'), '-o', join(root, 'x1'), '--features', 'onnx');
    expect(a.status).not.toBe(0);
    expect(a.stderr).toContain('--features onnx needs --encoder <model.onnx>');
    const b = fieldphone('prepare-audio', join(root, 'corpus'), '-o', join(root, 'x2'), '--encoder', encoder);
    expect(b.status).not.toBe(0);
    expect(b.stderr).toContain('need --features onnx');
    const c = fieldphone('prepare-audio', join(root, 'corpus'), '-o', join(root, 'x3'), '--features', 'onnx', '--encoder', encoder, '--layer', '7');
    expect(c.status).not.toBe(0);
    expect(c.stderr).toMatch(/--layer 7 is out of range: .*encoder\.onnx has hidden states 0\.\.2/);
    expect(existsSync(join(root, 'x3'))).toBe(false);
  });
});
