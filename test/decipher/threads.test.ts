/**
 * Decipherment over worker threads gives exactly what one thread gives: each
 * annealing run depends on its seed alone, not on the thread that ran it. The
 * worker script is compiled JavaScript, so this test imports the build in
 * dist/ (`npm test` compiles first), as the CLI tests run it.
 */
import { describe, it, expect } from 'vitest';
import type { decipherSegments as DecipherSegments } from '../../src/decipher/index.js';
import { DEFAULT_DECIPHER } from '../../src/decipher/config.js';
import type { Matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';

const BUILT = new URL('../../dist/src/decipher/index.js', import.meta.url).href;

describe('decipherSegments on worker threads', () => {
  it('returns the same scores, choice and labels with 1 and 3 threads', async () => {
    const { decipherSegments } = (await import(BUILT)) as { decipherSegments: typeof DecipherSegments };
    const rng = makeRng(4);
    const units = ['<SIL>', 'a', 'b', 'c', 'd'];
    const sentences = Array.from({ length: 200 }, () => Int32Array.from({ length: 8 }, (_, i) => 1 + ((i + rng.int(2)) % 4)));
    // Segments of 6-d features around one mean per phone.
    const segments: Matrix[] = Array.from({ length: 40 }, () => {
      const n = 8;
      const data = new Float32Array(n * 6);
      for (let i = 0; i < n; i++) {
        const p = 1 + ((i + rng.int(2)) % 4);
        for (let k = 0; k < 6; k++) data[i * 6 + k] = (k === p ? 3 : 0) + 0.3 * rng.normal();
      }
      return { data, rows: n, cols: 6 };
    });
    const cfg = { ...DEFAULT_DECIPHER, clusters: 8, clusterings: 2, restarts: 3, iterations: 30_000 };
    const one = await decipherSegments(segments, sentences, units, cfg, 1);
    const three = await decipherSegments(segments, sentences, units, cfg, 3);
    expect(three.restartScores).toHaveLength(6);
    expect(three.restartScores).toEqual(one.restartScores);
    expect(three.chosen).toBe(one.chosen);
    expect(three.labels.map((l) => Array.from(l))).toEqual(one.labels.map((l) => Array.from(l)));
    // The runs differ from each other, so equal lists are not a coincidence of identical runs.
    expect(new Set(one.restartScores).size).toBeGreaterThan(1);
  });
});
