import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAcousticModel, setSelfLoops, stateLogLiks, writeAcousticModel, type AcousticModel } from '../../src/hmm/acoustic-model.js';
import { applyTransform, estimateLda } from '../../src/hmm/feature-transform.js';
import { DiagGmm } from '../../src/hmm/gmm.js';
import { makeTopology } from '../../src/hmm/topology.js';
import { matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';
import { expectArtifactError } from '../helpers/errors.js';

describe('LDA', () => {
  it('two classes: the first direction is Fisher\'s Sw⁻¹(μ₁ − μ₀), and within-class variance comes out 1', () => {
    const rng = makeRng(2);
    const n = 4000;
    // Correlated within-class noise, classes apart along (1, 2, 0).
    const rows: number[] = [], cls: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      const z = [rng.normal(), rng.normal(), rng.normal()];
      rows.push(c + z[0] + 0.5 * z[1], 2 * c + 0.5 * z[1], 0.3 * z[2] + 0.2 * z[0]);
      cls.push(c);
    }
    const x = matrix(n, 3, Float32Array.from(rows));
    const P = estimateLda([x], [Int32Array.from(cls)], 2, { splice: 0, dim: 3 });
    // Direct Fisher direction from sample statistics.
    const mean = [[0, 0, 0], [0, 0, 0]];
    for (let i = 0; i < n; i++) for (let d = 0; d < 3; d++) mean[cls[i]][d] += rows[3 * i + d] / (n / 2);
    const Sw = Array.from({ length: 3 }, () => [0, 0, 0]);
    for (let i = 0; i < n; i++)
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) Sw[a][b] += ((rows[3 * i + a] - mean[cls[i]][a]) * (rows[3 * i + b] - mean[cls[i]][b])) / n;
    const diff = [0, 1, 2].map((d) => mean[1][d] - mean[0][d]);
    const fisher = solve3(Sw, diff);
    const first = [P[0], P[1], P[2]];
    const cos = dot(first, fisher) / Math.sqrt(dot(first, first) * dot(fisher, fisher));
    expect(Math.abs(cos)).toBeCloseTo(1, 6);
    // Projected within-class covariance is the identity.
    const y = applyTransform({ inputDim: 3, splice: 0, lda: { dim: 3, matrix: P } }, x);
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 3; b++) {
        let s = 0;
        const m = [0, 1].map((c) => {
          let v = [0, 0];
          for (let i = c; i < n; i += 2) v = [v[0] + y.data[3 * i + a] / (n / 2), v[1] + y.data[3 * i + b] / (n / 2)];
          return v;
        });
        for (let i = 0; i < n; i++) s += ((y.data[3 * i + a] - m[cls[i]][0]) * (y.data[3 * i + b] - m[cls[i]][1])) / n;
        expect(s).toBeCloseTo(a === b ? 1 : 0, 4);
      }
  });

  it('spliced input: the matrix has (2·splice + 1)·D columns and keeps at most dim rows', () => {
    const rng = makeRng(3);
    const x = matrix(300, 2, Float32Array.from({ length: 600 }, () => rng.normal()));
    const cls = Int32Array.from({ length: 300 }, (_, i) => Math.floor(i / 100));
    const P = estimateLda([x], [cls], 3, { splice: 1, dim: 4 });
    expect(P.length).toBe(4 * 6);
    const y = applyTransform({ inputDim: 2, splice: 1, lda: { dim: 4, matrix: P } }, x);
    expect([y.rows, y.cols]).toEqual([300, 4]);
  });
});

function dot(a: number[], b: number[]): number {
  return a.reduce((s, v, i) => s + v * b[i], 0);
}

/** 3×3 linear solve by Cramer's rule. */
function solve3(A: number[][], b: number[]): number[] {
  const det = (M: number[][]) => M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
  const d = det(A);
  return [0, 1, 2].map((k) => det(A.map((row, i) => row.map((v, j) => (j === k ? b[i] : v)))) / d);
}

describe('hmm.bin', () => {
  let dir: string;
  let model: AcousticModel;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldphone-hmm-'));
    const rng = makeRng(4);
    const topology = makeTopology(['a', 'b', '<SIL>']);
    // 3-d frames, spliced ±1 (9-d) and projected to 2-d by an LDA matrix: the GMMs are 2-d.
    const D = 2;
    const gmms = Array.from({ length: topology.numStates }, (_, s) => {
      const M = 1 + (s % 3);
      const w = Float64Array.from({ length: M }, () => 0.2 + rng.next());
      const z = w.reduce((a, b) => a + b, 0);
      return new DiagGmm(w.map((v) => v / z), Float64Array.from({ length: M * D }, () => rng.normal()), Float64Array.from({ length: M * D }, () => 0.5 + rng.next()));
    });
    const P = Float64Array.from({ length: D * 9 }, () => rng.normal());
    model = { topology, transform: { inputDim: 3, splice: 1, lda: { dim: D, matrix: P } }, gmms, logSelf: new Float64Array(5), logExit: new Float64Array(5) };
    setSelfLoops(model, [0.5, 0.6, 0.7, 0.8, 0.9]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written: same likelihoods (float32), transform, self-loops and decode settings', () => {
    const path = join(dir, 'hmm.bin');
    writeAcousticModel(path, model, { lmWeight: 6, insertionPenalty: -1.5 }, { round: 2 });
    const back = readAcousticModel(path);
    expect(back.decode).toEqual({ lmWeight: 6, insertionPenalty: -1.5 });
    expect(back.info).toEqual({ round: 2 });
    expect(back.model.topology.units).toEqual(['a', 'b', '<SIL>']);
    expect(back.model.topology.statesPerUnit).toEqual([1, 1, 3]);
    const rng = makeRng(9);
    const x = matrix(7, 3, Float32Array.from({ length: 21 }, () => rng.normal()));
    const a = stateLogLiks(model, applyTransform(model.transform, x));
    const b = stateLogLiks(back.model, applyTransform(back.model.transform, x));
    for (let i = 0; i < a.logLik.length; i++) expect(b.logLik[i]).toBeCloseTo(a.logLik[i], 4);
    for (let s = 0; s < 5; s++) expect(back.model.logSelf[s]).toBeCloseTo(model.logSelf[s], 6);
  });

  it('a damaged or foreign file is an ArtifactError naming it', () => {
    const path = join(dir, 'cut.bin');
    writeAcousticModel(path, model, { lmWeight: 1, insertionPenalty: 0 });
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 8));
    expectArtifactError(() => readAcousticModel(path), path, /truncated or damaged/);
    const notHmm = join(dir, 'other.bin');
    writeFileSync(notHmm, 'not a model at all');
    expectArtifactError(() => readAcousticModel(notHmm), notHmm, /not a valid HMM acoustic model file/);
  });
});
