/**
 * The pretraining run's resume guarantee through the built CLI: a run killed
 * with SIGKILL inside its second iteration and continued with --resume ends
 * with the same encoder, layer choice and metrics as a run never interrupted.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fieldphone, makeTrainFixture, spawnFieldphone, type TrainFixture } from '../train/fixture.js';
import { snapshot } from '../helpers/cli.js';

const ARGS = ['--iterations', '2', '--updates', '24', '--clusters', '8', '--width', '16', '--blocks', '2', '--kernel', '3', '--batch-steps', '200', '--checkpoint-every', '3'];
/** metrics.jsonl lines after which run B is killed: iteration 1 writes 24 / 3 = 8, so this is inside iteration 2. */
const KILL_AFTER_LINES = 10;

let tmp: string;
let fx: TrainFixture;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-pretrain-kill-'));
  fx = makeTrainFixture(tmp);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function metricLines(run: string): number {
  const p = join(run, 'metrics.jsonl');
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).length : 0;
}

function metricsWithoutTime(run: string): Record<string, unknown>[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const { seconds: _seconds, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
}

function startAndKill(run: string): Promise<{ signal: NodeJS.Signals | null; lines: number }> {
  return new Promise((done, fail) => {
    const child = spawnFieldphone(['pretrain', '--audio', fx.audioDir, '-o', run, ...ARGS]);
    child.stdout!.resume();
    child.stderr!.resume();
    let lines = -1;
    const timer = setInterval(() => {
      const n = metricLines(run);
      if (lines < 0 && n >= KILL_AFTER_LINES) {
        lines = n;
        child.kill('SIGKILL');
      }
    }, 10);
    child.on('error', (e) => (clearInterval(timer), fail(e)));
    child.on('exit', (_status, signal) => (clearInterval(timer), done({ signal, lines })));
  });
}

describe('fieldphone pretrain: SIGKILL and --resume', () => {
  it('a killed and resumed run ends exactly like an uninterrupted one', async () => {
    const runA = join(tmp, 'a');
    const a = fieldphone('pretrain', '--audio', fx.audioDir, '-o', runA, ...ARGS);
    expect(a.status, a.stderr).toBe(0);

    const runB = join(tmp, 'b');
    const killed = await startAndKill(runB);
    // The kill landed inside iteration 2, before the run finished.
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.lines).toBeGreaterThanOrEqual(KILL_AFTER_LINES);
    expect(existsSync(join(runB, 'model', 'encoder.bin'))).toBe(false);

    const b = fieldphone('pretrain', '--audio', fx.audioDir, '-o', runB, ...ARGS, '--resume');
    expect(b.status, b.stderr).toBe(0);
    // It continued from the checkpoint inside iteration 2 rather than starting over.
    const at = /resuming at iteration (\d+), update (\d+) of 24/.exec(b.stderr);
    expect(at, b.stderr).not.toBeNull();
    expect(Number(at![1])).toBe(2);
    expect(Number(at![2])).toBeGreaterThan(0);
    // Every metric but the wall-clock seconds is the same, line for line.
    expect(metricsWithoutTime(runB)).toEqual(metricsWithoutTime(runA));
    expect(metricsWithoutTime(runA)).toHaveLength(16);
    const sa = snapshot(join(runA, 'model'));
    const sb = snapshot(join(runB, 'model'));
    expect(sb['encoder.bin']).toBe(sa['encoder.bin']);
    expect(JSON.parse(readFileSync(join(runB, 'model', 'layers.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(runA, 'model', 'layers.json'), 'utf8')));
  });
});
