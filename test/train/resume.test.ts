/**
 * The training run's key guarantee, through the built CLI: a run killed with
 * SIGKILL part-way and then resumed with --resume ends with the same metrics
 * and the same exported generator as a run that was never interrupted. Also:
 * --resume with other options, and a non-empty --out without --resume, are
 * refused without touching the folder.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTensorFile, type TensorMap } from '../../src/util/tensor-file.js';
import { fieldphone, makeTrainFixture, spawnFieldphone, trainArgs, type Run, type TrainFixture } from './fixture.js';
import { snapshot } from '../helpers/cli.js';

type Row = Record<string, number | boolean>;

const UPDATES = 24;
const VALID_EVERY = 6;

let tmp: string;
let fx: TrainFixture;
let runA: string;
let runB: string;
let resA: Run;
let killed: { signal: NodeJS.Signals | null; status: number | null; update: number; stderr: string };
let resB: Run;

const rows = (dir: string): Row[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row);

const withoutSeconds = (r: Row): Row => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'seconds'));

const checkpointUpdate = (dir: string): number | undefined => {
  const p = join(dir, 'checkpoint.bin');
  if (!existsSync(p)) return undefined;
  try {
    return (readTensorFile(p, 'gan-checkpoint').meta as { update: number }).update;
  } catch {
    return undefined; // replaced while being read
  }
};


function expectSameTensors(a: TensorMap, b: TensorMap): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const k of Object.keys(a)) {
    expect(b[k].shape, k).toEqual(a[k].shape);
    const same = Buffer.from(a[k].data.buffer).equals(Buffer.from(b[k].data.buffer));
    expect(same, `tensor ${k} differs`).toBe(true);
  }
}

/**
 * Start run B and SIGKILL it as soon as a checkpoint at update ≥ VALID_EVERY
 * exists (polled), i.e. somewhere inside the next validation interval.
 */
function startAndKill(out: string, args: string[]): Promise<typeof killed> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnFieldphone(args);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    child.stdout!.resume();
    let update = -1;
    const timer = setInterval(() => {
      const u = checkpointUpdate(out);
      if (u !== undefined && u >= VALID_EVERY && update < 0) {
        update = u;
        child.kill('SIGKILL');
      }
    }, 15);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('exit', (status, signal) => {
      clearInterval(timer);
      resolvePromise({ status, signal, update, stderr });
    });
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-resume-'));
  fx = makeTrainFixture(tmp);
  runA = join(tmp, 'runA');
  runB = join(tmp, 'runB');
  // A (uninterrupted) and B (killed) at the same time: they share nothing but the inputs.
  const a = new Promise<Run>((res) => {
    const c = spawnFieldphone(trainArgs(fx, runA));
    let stdout = '';
    let stderr = '';
    c.stdout!.on('data', (d) => (stdout += String(d)));
    c.stderr!.on('data', (d) => (stderr += String(d)));
    c.on('exit', (status, signal) => res({ status, signal, stdout, stderr }));
  });
  killed = await startAndKill(runB, trainArgs(fx, runB));
  resA = await a;
  resB = fieldphone(...trainArgs(fx, runB, '--resume'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fieldphone train --resume after SIGKILL (built CLI)', () => {
  it('the uninterrupted run finishes and exports a model', () => {
    expect(resA.status, resA.stderr).toBe(0);
    expect(existsSync(join(runA, 'model', 'generator.bin'))).toBe(true);
    expect(rows(runA).map((r) => r.step)).toEqual([6, 12, 18, 24]);
  });

  it('run B was really killed part-way, before it could finish', () => {
    expect(killed.signal, `run B exited by itself (status ${killed.status}):\n${killed.stderr}`).toBe('SIGKILL');
    expect(killed.update).toBeGreaterThanOrEqual(VALID_EVERY);
    expect(killed.update).toBeLessThan(UPDATES);
    // the resumed run says where it picked up
    expect(resB.stderr).toMatch(/resuming at update (\d+) of 24/);
    const from = Number(/resuming at update (\d+) of 24/.exec(resB.stderr)![1]);
    expect(from).toBeGreaterThan(VALID_EVERY);
    expect(from).toBeLessThanOrEqual(UPDATES);
    expect((from - 1) % VALID_EVERY).toBe(0);
  });

  it('the resumed run ends with the same metrics as the uninterrupted one (all but seconds, exactly)', () => {
    expect(resB.status, resB.stderr).toBe(0);
    const a = rows(runA);
    const b = rows(runB);
    expect(b.map((r) => r.step)).toEqual(a.map((r) => r.step));
    for (let i = 0; i < a.length; i++) {
      expect(Object.keys(b[i]).sort()).toEqual(Object.keys(a[i]).sort());
      expect(withoutSeconds(b[i]), `metrics at step ${a[i].step}`).toEqual(withoutSeconds(a[i]));
      expect(typeof b[i].seconds).toBe('number');
    }
    // The resumed run's clock continues from the checkpoint's.
    for (let i = 1; i < b.length; i++) expect(b[i].seconds as number).toBeGreaterThanOrEqual(b[i - 1].seconds as number);
  });

  it('the resumed run exports the same generator, best weights and final checkpoint', () => {
    const ga = readTensorFile(join(runA, 'model', 'generator.bin'), 'generator');
    const gb = readTensorFile(join(runB, 'model', 'generator.bin'), 'generator');
    expectSameTensors(ga.tensors, gb.tensors);
    expect(gb.meta).toEqual(ga.meta);
    expectSameTensors(readTensorFile(join(runA, 'best.bin'), 'generator').tensors, readTensorFile(join(runB, 'best.bin'), 'generator').tensors);
    const ca = readTensorFile(join(runA, 'checkpoint.bin'), 'gan-checkpoint');
    const cb = readTensorFile(join(runB, 'checkpoint.bin'), 'gan-checkpoint');
    expectSameTensors(ca.tensors, cb.tensors);
    const meta = (m: unknown) => ({ ...(m as Record<string, unknown>), elapsedSec: undefined });
    expect(meta(cb.meta)).toEqual(meta(ca.meta));
    const manifest = (d: string) => JSON.parse(readFileSync(join(d, 'model', 'manifest.json'), 'utf8'));
    expect(manifest(runB).stats.selectedUpdate).toBe(manifest(runA).stats.selectedUpdate);
    expect(manifest(runB).stats.selection).toEqual(manifest(runA).stats.selection);
  });

  it('refuses --resume with other options, touching nothing', () => {
    const before = snapshot(runB);
    const r = fieldphone(...trainArgs(fx, runB, '--resume', '--seed', '2'));
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: .*runB was started with other settings or inputs; resume it with the same options/m);
    expect(snapshot(runB)).toEqual(before);
  });

  it('refuses a non-empty --out without --resume, touching nothing', () => {
    const before = snapshot(runA);
    const r = fieldphone(...trainArgs(fx, runA));
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: .*runA is not empty; use --resume to continue the run in it/m);
    expect(snapshot(runA)).toEqual(before);
  });

  it('refuses --resume in a folder that holds no run', () => {
    const r = fieldphone(...trainArgs(fx, join(tmp, 'nothing-here'), '--resume'));
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: .*nothing-here has no training run to resume \(run\.json missing\)/m);
  });
});
