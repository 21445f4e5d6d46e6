/** `fieldphone sweep` through the real CLI: every run trains, the winner is the lowest weighted LM perplexity, references never choose. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fieldphone, makeTrainFixture, TINY_TRAIN, type TrainFixture } from './fixture.js';
import { sweepPoints, type SweepResult } from '../../src/train/sweep.js';

let tmp: string;
let fx: TrainFixture;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-sweep-'));
  fx = makeTrainFixture(join(tmp, 'fx'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sweep', () => {
  it('enumerates every combination of penalties and seeds, each with its own name', () => {
    const pts = sweepPoints({ seeds: [0, 1], gradientPenalty: [1.5], smoothness: [0.5, 1], diversity: [2, 4] });
    expect(pts).toHaveLength(8);
    expect(new Set(pts.map((p) => p.name)).size).toBe(8);
    expect(pts[0]).toEqual({ name: 'gp1.5-sm0.5-div2-seed0', seed: 0, gradientPenalty: 1.5, smoothness: 0.5, diversity: 2 });
  });

  it('trains each run, chooses by weighted LM perplexity alone, copies the winner, and reports PER beside it', () => {
    // Reference phones for the held-out recordings (graphemes of a made-up text): only reported.
    const refs = join(tmp, 'refs.txt');
    writeFileSync(refs, Object.keys(fx.wavs).map((id) => `${id} b a t a l u m i`).join('\n') + '\n');
    const out = join(tmp, 'sweep');
    const r = fieldphone('sweep', '--audio', fx.audioDir, '--text', fx.textDir, '--valid-audio', fx.audioDir, '--valid-ref', refs, '-o', out, '--seeds', '0,1', '--diversity', '2', '--jobs', '2', '--json', '--', ...TINY_TRAIN);
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as SweepResult;
    expect(res.rows).toHaveLength(2);
    for (const row of res.rows) {
      expect(row.error).toBeUndefined();
      expect(Number.isFinite(row.metric!.weightedPpl)).toBe(true);
      expect(row.metric!.per).toBeGreaterThanOrEqual(0);
    }
    const best = res.rows.reduce((a, b) => (b.metric!.weightedPpl < a.metric!.weightedPpl ? b : a));
    expect(res.chosen).toBe(best.name);
    expect(res.chosenPer).toBe(best.metric!.per);
    const lowestPer = Math.min(...res.rows.map((x) => x.metric!.per!));
    expect(res.oraclePer).toBe(lowestPer);
    // The chosen run's model folder is the sweep's model.
    expect(readFileSync(join(out, 'model', 'generator.bin'))).toEqual(readFileSync(join(out, best.name, 'model', 'generator.bin')));
    const tsv = readFileSync(join(out, 'sweep.tsv'), 'utf8').trim().split('\n');
    expect(tsv).toHaveLength(3);
    expect(tsv.find((l) => l.endsWith('*'))!.startsWith(best.name)).toBe(true);

    // A rerun finds every run finished (their model folders exist) and comes to the same choice.
    const again = fieldphone('sweep', '--audio', fx.audioDir, '--text', fx.textDir, '--valid-audio', fx.audioDir, '--valid-ref', refs, '-o', out, '--seeds', '0,1', '--diversity', '2', '--json', '--', ...TINY_TRAIN);
    expect(again.status, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as SweepResult).chosen).toBe(res.chosen);
    expect(existsSync(join(out, 'sweep.json'))).toBe(true);
  });
});
