/**
 * End-to-end test of `fieldphone prepare-audio` through the built CLI
 * (dist/, which `npm test` compiles before vitest runs): a small synthetic
 * corpus with broken files, reruns, --reuse, a foreign output folder and an
 * interrupted run.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureStoreReader } from '../../src/features/index.js';
import { loadKMeans } from '../../src/segments/index.js';
import { CLI, fieldphone, snapshot } from '../helpers/cli.js';
import { writeFixtureCorpus, writeHeldOutCorpus, type FixtureCorpus } from './fixture-corpus.js';

const K = 8;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}



function without(snap: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(snap).filter(([k]) => !names.includes(k)));
}

function readTsv(path: string): string[][] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

const json = <T = any>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

let tmp: string;
let corpus: FixtureCorpus;
let inputHashes: Record<string, string>;
let outA: string;
let first: Run;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p .), as \`npm test\` does`);
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-prep-cli-'));
  corpus = writeFixtureCorpus(join(tmp, 'corpus'));
  inputHashes = snapshot(corpus.root);
  outA = join(tmp, 'prepA');
  first = fieldphone('prepare-audio', corpus.root, '-o', outA, '--clusters', String(K));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fieldphone prepare-audio (built CLI)', () => {
  it('prepares the usable recordings and names every unusable one with its reason', () => {
    expect(first.stderr).not.toMatch(/^error:/m);
    expect(first.status).toBe(0);

    const skippedLines = [...first.stderr.matchAll(/^warning: skipping (.+?\.wav): (.+)$/gm)].map((m) => [m[1], m[2]]);
    expect(skippedLines.map(([p]) => p).sort()).toEqual(corpus.bad.map((b) => b.path).sort());
    for (const b of corpus.bad) expect(skippedLines.find(([p]) => p === b.path)![1]).toMatch(b.reason);

    // The file cut inside its data is kept, with a warning that says how much is missing.
    const truncWarning = `warning: ${corpus.truncatedData}: file is truncated: the header announces 1.50 s of audio but only 0.90 s is present`;
    expect(first.stderr.split('\n').filter((l) => l.startsWith(truncWarning))).toHaveLength(1);

    const tsv = readTsv(join(outA, 'skipped.tsv'));
    expect(tsv[0]).toEqual(['path', 'code', 'reason']);
    expect(tsv.slice(1).map(([p, code]) => `${p} ${code}`).sort()).toEqual(corpus.bad.map((b) => `${b.path} ${b.code}`).sort());
    for (const [p, , reason] of tsv.slice(1)) expect(reason).toMatch(corpus.bad.find((b) => b.path === p)!.reason);

    const utts = json<{ id: string; path: string; speaker: string; durationSec: number; keptSec: number }[]>(join(outA, 'utterances.json'));
    expect(utts.map((u) => u.id).sort()).toEqual(Object.keys(corpus.good).sort());
    for (const u of utts) {
      expect(u.path).toBe(corpus.good[u.id]);
      expect(u.speaker).toBe(u.id.split('-')[0]);
      expect(u.keptSec).toBeGreaterThan(0.3);
      expect(u.keptSec).toBeLessThanOrEqual(u.durationSec + 1e-9);
    }
    const dur = Object.fromEntries(utts.map((u) => [u.id, u.durationSec]));
    expect(dur['anna-01']).toBeCloseTo(1.6, 3); // 22.05 kHz stereo, resampled
    expect(dur['boris-01']).toBeCloseTo(1.8, 3);
    expect(dur['boris-cut']).toBeCloseTo(0.9, 3);

    const manifest = json(join(outA, 'manifest.json'));
    expect(manifest.stage).toBe('prepare-audio');
    expect(manifest.config.kmeans.k).toBe(K);
    expect(manifest.stats).toMatchObject({ files: 9, utterances: 5, skippedFiles: 4 });
    expect(first.stderr).toMatch(/prepared 5 recordings into .*prepA \(4 skipped\)/);
  });

  it('writes frames, cluster ids and segments for exactly the prepared utterances', () => {
    const ids = json<{ id: string }[]>(join(outA, 'utterances.json')).map((u) => u.id);
    const frames = new FeatureStoreReader(join(outA, 'frames'));
    const clusters = new FeatureStoreReader(join(outA, 'clusters'));
    const segments = new FeatureStoreReader(join(outA, 'segments'));
    expect(frames.ids).toEqual(ids);
    expect(clusters.ids).toEqual(ids);
    expect(segments.ids).toEqual(ids);
    expect(frames.dim).toBe(39);
    expect(segments.dim).toBe(39); // PCA 512 capped at the 39-d input
    for (const id of ids) {
      const c = clusters.get(id).data;
      expect(c.length).toBe(frames.entry(id).rows);
      for (const v of c) expect(Number.isInteger(v) && v >= 0 && v < K).toBe(true);
      // One segment per run of equal cluster ids, and the spans tile the frames.
      const runs = c.reduce((n, v, i) => n + (i === 0 || v !== c[i - 1] ? 1 : 0), 0);
      const e = segments.entry(id);
      expect(e.rows).toBe(runs);
      const spans = e.spans as number[];
      expect(spans[0]).toBe(0);
      expect(spans[spans.length - 1]).toBe(c.length);
      for (let s = 1; s < runs; s++) expect(spans[2 * s]).toBe(spans[2 * s - 1]);
    }
  });

  it('says a finished folder is already prepared and leaves every byte of it as it was', () => {
    const before = snapshot(outA);
    const again = fieldphone('prepare-audio', corpus.root, '-o', outA, '--clusters', String(K));
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/already prepared; nothing to do/);
    expect(again.stderr).not.toMatch(/skipping/);
    expect(snapshot(outA)).toEqual(before);
  });

  it('refuses to mix settings in a folder prepared with other ones', () => {
    const before = snapshot(outA);
    const other = fieldphone('prepare-audio', corpus.root, '-o', outA, '--clusters', '4');
    expect(other.status).not.toBe(0);
    expect(other.stderr).toMatch(/^error: .*prepA holds a preparation made with other settings/m);
    expect(snapshot(outA)).toEqual(before);
  });

  it('refuses an output folder that is not empty and not its own, touching nothing in it', () => {
    const foreign = join(tmp, 'thesis');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'chapter1.txt'), 'irreplaceable');
    const r = fieldphone('prepare-audio', corpus.root, '-o', foreign, '--clusters', String(K));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*thesis exists and is not empty; refusing to write into it/m);
    expect(readdirSync(foreign)).toEqual(['chapter1.txt']);
    expect(readFileSync(join(foreign, 'chapter1.txt'), 'utf8')).toBe('irreplaceable');
  });

  it('--reuse processes new audio with the training k-means and PCA', () => {
    const heldDir = join(tmp, 'held');
    writeHeldOutCorpus(heldDir, 'boris-01', readFileSync(corpus.good['boris-01']));
    const outR = join(tmp, 'prepR');
    const r = fieldphone('prepare-audio', heldDir, '-o', outR, '--reuse', outA);
    expect(r.status).toBe(0);
    expect(readFileSync(join(outR, 'kmeans.bin')).equals(readFileSync(join(outA, 'kmeans.bin')))).toBe(true);
    expect(readFileSync(join(outR, 'pca.bin')).equals(readFileSync(join(outA, 'pca.bin')))).toBe(true);
    const mR = json(join(outR, 'manifest.json'));
    expect(mR.config).toEqual(json(join(outA, 'manifest.json')).config);
    expect(mR.inputs.reuse).toBe(outA);

    // The copy of a training file gets the very same cluster ids as in training.
    const trainClusters = new FeatureStoreReader(join(outA, 'clusters'));
    const heldClusters = new FeatureStoreReader(join(outR, 'clusters'));
    expect(heldClusters.ids).toEqual(['boris-01', 'held-01', 'held-02']);
    expect(heldClusters.get('boris-01').data).toEqual(trainClusters.get('boris-01').data);

    // New audio: every frame's id is its nearest training centroid, recomputed here from the raw
    // frames with per-utterance mean/variance normalisation (the default).
    const km = loadKMeans(join(outA, 'kmeans.bin'));
    const frames = new FeatureStoreReader(join(outR, 'frames'));
    for (const id of ['held-01', 'held-02']) {
      const x = frames.get(id);
      const ids = heldClusters.get(id).data;
      const d = x.cols;
      const mean = new Float64Array(d), sd = new Float64Array(d);
      for (let t = 0; t < x.rows; t++) for (let j = 0; j < d; j++) mean[j] += x.data[t * d + j] / x.rows;
      for (let t = 0; t < x.rows; t++) for (let j = 0; j < d; j++) sd[j] += (x.data[t * d + j] - mean[j]) ** 2 / x.rows;
      for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]);
      for (let t = 0; t < x.rows; t++) {
        const dist = (c: number) => {
          let s = 0;
          for (let j = 0; j < d; j++) s += ((x.data[t * d + j] - mean[j]) / sd[j] - km.centroids.data[c * d + j]) ** 2;
          return s;
        };
        const best = Math.min(...Array.from({ length: km.k }, (_, c) => dist(c)));
        expect(dist(ids[t])).toBeLessThanOrEqual(best * (1 + 1e-4) + 1e-4);
      }
    }
  });

  it('resumes an interrupted run and ends with the same files as an uninterrupted one', () => {
    const reference = without(snapshot(outA), 'manifest.json', 'progress.json');
    const cases: { name: string; done: string[]; remove: string[] }[] = [
      // stopped right after the frames step: CMVN, k-means, PCA and segments are redone
      { name: 'after-frames', done: ['frames'], remove: ['cmvn.json', 'kmeans.bin', 'pca.bin', 'segments', 'clusters', 'manifest.json'] },
      // stopped while writing segments: shards may be there, the index is not
      { name: 'in-segments', done: ['frames', 'cmvn', 'kmeans', 'pca'], remove: ['segments/index.json', 'clusters', 'manifest.json'] },
    ];
    for (const c of cases) {
      const out = join(tmp, `prep-${c.name}`);
      cpSync(outA, out, { recursive: true });
      const progress = json(join(out, 'progress.json'));
      writeFileSync(join(out, 'progress.json'), JSON.stringify({ ...progress, done: c.done }));
      for (const f of c.remove) rmSync(join(out, f), { recursive: true });

      const r = fieldphone('prepare-audio', corpus.root, '-o', out, '--clusters', String(K));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`resuming after step(s) ${c.done.join(', ')}`);
      expect(r.stderr).not.toMatch(/skipping/); // the frames step was not redone
      expect(without(snapshot(out), 'manifest.json', 'progress.json')).toEqual(reference);
      expect(json(join(out, 'progress.json')).done).toEqual(['frames', 'cmvn', 'kmeans', 'pca', 'segments']);
      expect(json(join(out, 'manifest.json')).stage).toBe('prepare-audio');
    }
  });

  it('leaves the input recordings untouched', () => {
    expect(snapshot(corpus.root)).toEqual(inputHashes);
  });
});
