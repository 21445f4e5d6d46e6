/**
 * `fieldphone transcribe --workers N` through the built CLI: worker threads
 * give byte-identical outputs to one worker, a bad file is reported while the
 * others finish, a rerun redoes only what is missing, a worker that really
 * runs out of memory fails only its recording, and Ctrl-C (once: finish the
 * recordings in progress; twice: stop at once) leaves only complete outputs
 * that a rerun continues from.
 *
 * The out-of-memory crash uses the test hook of src/transcribe/worker.ts:
 * FIELDPHONE_TEST_WORKER_OOM=<file name> makes the worker handed that file
 * allocate until V8's heap limit stops it (lowered here with
 * --max-old-space-size so it happens within a second).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fieldphone, makeTrainFixture, spawnFieldphone, trainArgs, writeRecordings, type Run } from '../train/fixture.js';
import { snapshot } from '../helpers/cli.js';
import { speechLike, wavBytes } from '../pipeline/fixture-corpus.js';
import { makeRng } from '../../src/util/rng.js';

interface Summary {
  ok: number;
  alreadyDone: number;
  failed: { path: string; reason: string }[];
  audioHours: number;
  xRealTime: number;
  workers: number;
  interrupted: boolean;
}

/** Short recordings in the batch; with the long one first and one bad file. */
const SHORT = 10;
/** The first recording handed out: long enough to be still in progress when the tests press Ctrl-C. */
const LONG_SEC = 40;

let tmp: string;
let model: string;
let inDir: string;
let badWav: string;
let ids: string[];
/** Outputs of the one-worker run: the reference for every other run. */
let reference: Record<string, string>;
let one: Run;
let two: Run;

const summary = (r: Run) => JSON.parse(r.stdout) as Summary;
const out = (name: string) => join(tmp, name);
const transcribe = (outDir: string, ...args: string[]) => fieldphone('transcribe', model, inDir, '-o', outDir, '--json', ...args);
const outputNames = (list: string[]) => list.flatMap((id) => [`${id}.json`, `${id}.txt`]).sort();

/** Run the CLI; `onStderr` sees the stderr text so far and may signal the child. */
function spawnRun(args: string[], env: Record<string, string>, onStderr?: (text: string, child: ReturnType<typeof spawnFieldphone>) => void): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnFieldphone(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.stderr!.on('data', (d) => {
      stderr += String(d);
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolvePromise({ status, signal, stdout, stderr }));
  });
}

/** Every file in dir is one of the reference outputs, byte for byte, and no temporary file is left. */
function expectOnlyCompleteOutputs(dir: string): string[] {
  const names = existsSync(dir) ? readdirSync(dir).sort() : [];
  expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
  const snap = existsSync(dir) ? snapshot(dir) : {};
  for (const n of names) expect(snap[n], n).toBe(reference[n]);
  return names;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-batch-'));
  const fx = makeTrainFixture(tmp);
  const run = join(tmp, 'run');
  const t = fieldphone(...trainArgs(fx, run, '--updates', '6'));
  if (t.status !== 0) throw new Error(`train failed:\n${t.stderr}`);
  model = join(run, 'model');
  // New recordings of different lengths (1.35–2.7 s, and 40 s), so the workers finish them out of order.
  inDir = join(tmp, 'incoming');
  writeRecordings(inDir, 41, SHORT);
  writeFileSync(join(inDir, 'rec-00-long.wav'), wavBytes([speechLike(16000, LONG_SEC, makeRng(5))], 16000));
  ids = readdirSync(inDir).map((n) => n.replace(/\.wav$/, '')).sort();
  badWav = join(inDir, 'rec-07b-empty.wav');
  writeFileSync(badWav, '');
  one = transcribe(out('one'), '--workers', '1');
  reference = snapshot(out('one'));
  two = transcribe(out('two'), '--workers', '2');
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fieldphone transcribe --workers (built CLI)', () => {
  it('two workers write byte-identical outputs to one worker', () => {
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(Object.keys(reference).sort()).toEqual(outputNames(ids));
    expect(snapshot(out('two'))).toEqual(reference);
    expect(summary(one).workers).toBe(1);
    expect(summary(two).workers).toBe(2);
    expect(two.stderr).toMatch(/^backend: \S+.*, 2 workers$/m);
    expect(two.stderr).toMatch(new RegExp(`^transcribed ${ids.length} recordings \\([\\d.]+ h, [\\d.]+× real time, 2 workers\\), 1 failed → `, 'm'));
    const s = summary(two);
    // 1.2 + 0.15 i seconds for i = 1 … SHORT (writeRecordings), and the long one
    const hours = (LONG_SEC + Array.from({ length: SHORT }, (_, i) => 1.2 + 0.15 * (i + 1)).reduce((a, b) => a + b, 0)) / 3600;
    expect(s.audioHours).toBeCloseTo(hours, 6);
    expect(s.xRealTime).toBeGreaterThan(0);
  });

  it('a bad file among good ones is reported with its reason and the others finish', () => {
    const s = summary(two);
    expect(s.ok).toBe(ids.length);
    expect(s.alreadyDone).toBe(0);
    expect(s.failed).toEqual([{ path: badWav, reason: 'file is empty (0 bytes)' }]);
    expect(summary(one).failed).toEqual(s.failed);
    expect(two.stderr).toContain(`warning: failed: ${badWav}: file is empty (0 bytes)`);
    expect(two.stderr).toMatch(/^failures: 1× file is empty \(0 bytes\)$/m);
  });

  it('a rerun skips finished recordings, redoes the missing ones and leaves the rest untouched', () => {
    const dir = out('two');
    const removed = [ids[2], ids[9]];
    rmSync(join(dir, `${removed[0]}.json`));
    rmSync(join(dir, `${removed[1]}.txt`));
    const again = transcribe(dir, '--workers', '2');
    expect(again.status, again.stderr).toBe(0);
    const s = summary(again);
    expect(s.ok).toBe(2);
    expect(s.alreadyDone).toBe(ids.length - 2);
    expect(s.failed.map((f) => f.path)).toEqual([badWav]);
    // Only two recordings are left to do: one worker per recording at most.
    expect(s.workers).toBe(2);
    expect(snapshot(dir)).toEqual(reference);
    // Nothing left to do: no worker is started at all.
    const done = fieldphone('transcribe', model, ...ids.map((id) => join(inDir, `${id}.wav`)), '-o', dir, '--json', '--workers', '2');
    expect(done.status, done.stderr).toBe(0);
    expect(summary(done)).toMatchObject({ ok: 0, alreadyDone: ids.length, failed: [], workers: 0 });
  });

  it('a worker that runs out of memory fails its recording only; a new worker takes over', async () => {
    // One worker, so the recordings after the crash can only be done by its replacement.
    const dir = out('oom');
    const victim = ids[4];
    const r = await spawnRun(['transcribe', model, inDir, '-o', dir, '--json', '--workers', '1'], {
      FIELDPHONE_TEST_WORKER_OOM: `${victim}.wav`,
      NODE_OPTIONS: '--max-old-space-size=192',
    });
    expect(r.status, r.stderr).toBe(0);
    const s = summary(r);
    expect(s.ok).toBe(ids.length - 1);
    expect(s.failed.map((f) => f.path).sort()).toEqual([badWav, join(inDir, `${victim}.wav`)].sort());
    expect(s.failed.find((f) => f.path.endsWith(`${victim}.wav`))!.reason).toMatch(/^worker crashed: .*out of memory/);
    expect(r.stderr).toMatch(/^warning: worker crashed: .*; starting a new worker$/m);
    const names = expectOnlyCompleteOutputs(dir);
    expect(names).toEqual(outputNames(ids.filter((id) => id !== victim)));
  });

  it('Ctrl-C finishes the recordings in progress, keeps what is done, and a rerun does the rest', async () => {
    const dir = out('ctrl-c');
    let sent = false;
    const r = await spawnRun(['transcribe', model, inDir, '-o', dir, '--json', '--workers', '2'], {}, (text, child) => {
      // Once the workers are ready, recordings are in progress.
      if (!sent && /^backend: /m.test(text)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(r.status, r.stderr).toBe(130);
    const s = summary(r);
    expect(s.interrupted).toBe(true);
    expect(s.ok).toBeLessThan(ids.length);
    expect(r.stderr).toMatch(/interrupted: finishing the recordings in progress/);
    const names = expectOnlyCompleteOutputs(dir);
    // Every recording counted as done has both its outputs, and no other; the long one was in progress, so it was finished.
    expect(names.length).toBe(2 * s.ok);
    expect(names).toContain('rec-00-long.json');
    const rerun = transcribe(dir, '--workers', '2');
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(summary(rerun)).toMatchObject({ ok: ids.length - s.ok, alreadyDone: s.ok, interrupted: false });
    expect(snapshot(dir)).toEqual(reference);
  });

  it('a second Ctrl-C stops at once, without partial files', async () => {
    const dir = out('ctrl-c-twice');
    let sent = 0;
    const r = await spawnRun(['transcribe', model, inDir, '-o', dir, '--json', '--workers', '2'], {}, (text, child) => {
      if (sent === 0 && /^backend: /m.test(text)) {
        sent = 1;
        child.kill('SIGINT');
      } else if (sent === 1 && /^warning: interrupted/m.test(text)) {
        sent = 2;
        child.kill('SIGINT');
      }
    });
    expect(sent).toBe(2);
    expect(r.status, r.stderr).toBe(130);
    expect(summary(r).interrupted).toBe(true);
    // The long recording was cut off: neither of its outputs, nor a temporary file, is there.
    expect(r.stderr).toMatch(/^warning: stopped: [12] recording\(s\) in progress left for the next run$/m);
    const names = expectOnlyCompleteOutputs(dir);
    expect(names.filter((n) => n.startsWith('rec-00-long'))).toEqual([]);
    const rerun = transcribe(dir, '--workers', '2');
    expect(rerun.status, rerun.stderr).toBe(0);
    // A recording cut off between its two outputs is redone as a whole.
    expect(summary(rerun).ok + summary(rerun).alreadyDone).toBe(ids.length);
    expect(summary(rerun).alreadyDone).toBeLessThanOrEqual(names.length / 2);
    expect(snapshot(dir)).toEqual(reference);
  });

  it('refuses a worker count that is not a positive integer', () => {
    const r = transcribe(out('zero'), '--workers', '0');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: --workers must be a positive integer, got 0$/m);
    expect(existsSync(out('zero'))).toBe(false);
  });
});
