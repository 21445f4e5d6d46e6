/**
 * `train --decipher` through the built CLI on the tiny fixture: the run labels
 * every training segment by decipherment, keeps the labels in decipher.json,
 * learns from them (the teacher loss falls), reuses them on --resume, and is
 * refused with frame input.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fieldphone, makeTrainFixture, trainArgs, type Run, type TrainFixture } from './fixture.js';

const DECIPHER = ['--input', 'change', '--decipher', '--decipher-clusters', '6', '--decipher-clusterings', '1', '--decipher-runs', '2', '--decipher-moves', '20000', '--adversarial', '0', '--smoothness', '0', '--diversity', '0', '--no-aux'];

let tmp: string;
let fx: TrainFixture;
let run: string;
let res: Run;

interface DecipherFile {
  restartScores: number[];
  chosen: number;
  segments: number;
  labels: Record<string, number[]>;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fp-decipher-train-'));
  fx = makeTrainFixture(tmp);
  run = join(tmp, 'run');
  res = fieldphone(...trainArgs(fx, run, ...DECIPHER));
}, 240_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('train --decipher', () => {
  it('labels every training segment with a phone of the inventory (never <SIL>) and keeps the best-scoring run', () => {
    expect(res.status, res.stderr).toBe(0);
    const d = JSON.parse(readFileSync(join(run, 'decipher.json'), 'utf8')) as DecipherFile;
    const units = JSON.parse(readFileSync(join(fx.textDir, 'inventory.json'), 'utf8')).units as string[];
    expect(d.restartScores).toHaveLength(2);
    expect(d.restartScores[d.chosen]).toBe(Math.max(...d.restartScores));
    const ids = Object.keys(d.labels);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    for (const id of ids) expect(Object.keys(fx.wavs)).toContain(id);
    const all = Object.values(d.labels).flat();
    expect(all.length).toBe(d.segments);
    for (const u of all) {
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(units.length);
      expect(units[u]).not.toBe('<SIL>');
    }
    expect(res.stderr).toMatch(/decipherment: score per segment/);
  });

  it('learns from the labels: the teacher loss falls and is plotted with the others', () => {
    const rows = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows[0].g_teacher).toBeGreaterThan(0);
    expect(rows[rows.length - 1].g_teacher).toBeLessThan(rows[0].g_teacher);
    expect(existsSync(join(run, 'model', 'manifest.json'))).toBe(true);
  });

  it('reuses decipher.json on --resume instead of annealing again', () => {
    const before = readFileSync(join(run, 'decipher.json'), 'utf8');
    const again = fieldphone(...trainArgs(fx, run, ...DECIPHER, '--resume'));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/annealing runs/);
    expect(readFileSync(join(run, 'decipher.json'), 'utf8')).toBe(before);
  });

  it('is refused with frame input, naming the option to use, and writes nothing', () => {
    const out = join(tmp, 'frames-run');
    const r = fieldphone(...trainArgs(fx, out, '--decipher'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--input change/);
    expect(existsSync(out)).toBe(false);
  });
});
