/** prepare-audio on frames extracted elsewhere (fairseq's .npy + .lengths layout), through the real CLI. */
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureStoreReader, writeFairseqSplit } from '../../src/features/index.js';
import { matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';
import { fieldphone } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'fieldphone-fairseq-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function randomUtterance(rows: number, cols: number, seed: number) {
  const rng = makeRng(seed);
  return matrix(rows, cols, Float32Array.from({ length: rows * cols }, () => rng.normal()));
}

describe('prepare-audio --from-fairseq', () => {
  it('imports each utterance, keeps its frames exactly, clusters and segments them, and --reuse processes another split alike', () => {
    const feats = join(tmp, 'feats');
    const train = [40, 55, 23].map((rows, i) => ({ id: `spk1/utt${i}.wav`, features: randomUtterance(rows, 16, i + 1), numSamples: rows * 320 }));
    const valid = [31].map((rows, i) => ({ id: `spk2/other${i}.wav`, features: randomUtterance(rows, 16, 100 + i), numSamples: rows * 320 }));
    writeFairseqSplit(feats, 'train', train, '/corpus');
    writeFairseqSplit(feats, 'valid', valid, '/corpus');

    const out = join(tmp, 'prep-train');
    const r = fieldphone('prepare-audio', '--from-fairseq', join(feats, 'train'), '-o', out, '--clusters', '4');
    expect(r.status, r.stderr).toBe(0);
    const utts = JSON.parse(readFileSync(join(out, 'utterances.json'), 'utf8')) as { id: string; durationSec: number }[];
    expect(utts.map((u) => u.id)).toEqual(['utt0', 'utt1', 'utt2']);
    // 40 frames at a 20 ms step with a 25 ms window: 39·0.02 + 0.025 s.
    expect(utts[0].durationSec).toBeCloseTo(39 * 0.02 + 0.025, 6);
    const frames = new FeatureStoreReader(join(out, 'frames'));
    expect(Array.from(frames.get('utt1').data)).toEqual(Array.from(train[1].features.data));
    const segs = new FeatureStoreReader(join(out, 'segments'));
    expect(segs.ids).toEqual(['utt0', 'utt1', 'utt2']);

    const outValid = join(tmp, 'prep-valid');
    const v = fieldphone('prepare-audio', '--from-fairseq', join(feats, 'valid'), '-o', outValid, '--reuse', out);
    expect(v.status, v.stderr).toBe(0);
    expect(readFileSync(join(outValid, 'kmeans.bin'))).toEqual(readFileSync(join(out, 'kmeans.bin')));
    expect(new FeatureStoreReader(join(outValid, 'segments')).ids).toEqual(['other0']);
  });

  it('a missing .npy is an error naming the file', () => {
    const r = fieldphone('prepare-audio', '--from-fairseq', join(tmp, 'nowhere', 'train'), '-o', join(tmp, 'prep-missing'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/nowhere\/train\.(npy|lengths)/);
    expect(existsSync(join(tmp, 'prep-missing', 'manifest.json'))).toBe(false);
  });
});
