import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitKMeans, fitPca, loadKMeans, loadPca, saveKMeans, savePca } from '../../src/segments/index.js';
import { matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';
import { expectArtifactError } from '../helpers/errors.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'fp-segments-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rng = makeRng(3);
const data = matrix(300, 5, Float32Array.from({ length: 1500 }, () => rng.normal() * 3 + 1));
const km = fitKMeans(data, { k: 7, seed: 1 });
const pca = fitPca(data, 3);


describe('k-means and PCA model files', () => {
  it('round-trips a k-means model exactly, leaving no temporary files', () => {
    const path = join(dir, 'rt', 'kmeans.bin');
    saveKMeans(path, km);
    const back = loadKMeans(path);
    expect(back.k).toBe(7);
    expect(back.dim).toBe(5);
    expect(back.centroids.rows).toBe(7);
    expect(back.centroids.data).toEqual(km.centroids.data);
    expect(readdirSync(join(dir, 'rt'))).toEqual(['kmeans.bin']);
  });

  it('round-trips a PCA model exactly', () => {
    const path = join(dir, 'pca.bin');
    savePca(path, pca);
    const back = loadPca(path);
    expect([back.dim, back.inputDim]).toEqual([3, 5]);
    expect(back.mean).toEqual(pca.mean);
    expect(back.components.data).toEqual(pca.components.data);
    expect([back.components.rows, back.components.cols]).toEqual([3, 5]);
    expect(back.explainedVariance).toEqual(pca.explainedVariance);
  });

  it('refuses missing, foreign, truncated, damaged and mixed-up files with an ArtifactError naming the file', () => {
    const good = join(dir, 'good.bin');
    saveKMeans(good, km);
    const bytes = readFileSync(good);

    expectArtifactError(() => loadKMeans(join(dir, 'nope.bin')), join(dir, 'nope.bin'), /missing/);

    const foreign = join(dir, 'foreign.bin');
    writeFileSync(foreign, 'hello, this is not a model');
    expectArtifactError(() => loadKMeans(foreign), foreign, /signature/);

    const truncated = join(dir, 'truncated.bin');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 4));
    expectArtifactError(() => loadKMeans(truncated), truncated, /truncated/);

    const headerCut = join(dir, 'header-cut.bin');
    writeFileSync(headerCut, bytes.subarray(0, 20));
    expectArtifactError(() => loadKMeans(headerCut), headerCut, /header/);

    const flipped = join(dir, 'flipped.bin');
    const f = Buffer.from(bytes);
    f[f.length - 10] ^= 0x01;
    writeFileSync(flipped, f);
    expectArtifactError(() => loadKMeans(flipped), flipped, /checksum/);

    const pcaPath = join(dir, 'is-pca.bin');
    savePca(pcaPath, pca);
    expectArtifactError(() => loadKMeans(pcaPath), pcaPath, /PCA model/);
    expectArtifactError(() => loadPca(good), good, /k-means model/);

    const newer = join(dir, 'newer.bin');
    writeFileSync(newer, Buffer.from(bytes.toString('latin1').replace('"formatVersion":1', '"formatVersion":9'), 'latin1'));
    expectArtifactError(() => loadKMeans(newer), newer, /format version 9/);
  });
});
