/**
 * For the server and web page tests: a tiny model trained on the shared
 * training fixture, and `fieldphone serve --port 0` started through the built
 * CLI with its own TMPDIR (so the test can watch the private upload folder),
 * stopped with a signal at the end.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fieldphone, makeTrainFixture, spawnFieldphone, trainArgs, type TrainFixture } from '../train/fixture.js';

export interface ServedModel {
  fx: TrainFixture;
  /** The model folder (run/model: the server calls it 'run'). */
  model: string;
}

/** Fixture + a 12-update training run (two validations, so the training log has two points). */
export function trainServedModel(root: string): ServedModel {
  const fx = makeTrainFixture(root);
  const run = join(root, 'run');
  const t = fieldphone(...trainArgs(fx, run, '--updates', '12'));
  if (t.status !== 0) throw new Error(`train failed:\n${t.stderr}`);
  return { fx, model: join(run, 'model') };
}

export interface Server {
  url: string;
  /** The TMPDIR the server was given: its private folder is made inside. */
  tmpDir: string;
  proc: ChildProcess;
  stderr(): string;
  /** Send a signal and wait for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start the server and wait for the address it prints on stdout. */
export async function startServe(model: string, tmpDir: string, ...args: string[]): Promise<Server> {
  mkdirSync(tmpDir, { recursive: true });
  const proc = spawnFieldphone(['serve', '--model', model, '--port', '0', ...args], { TMPDIR: tmpDir, FIELDPHONE_TEST_SLOW: '1' });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no address within 60 s; stderr:\n${err}`)), 60_000);
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n');
      if (line.length > 1) {
        clearTimeout(timer);
        resolve(line[0].trim());
      }
    });
    void exited.then(({ code }) => reject(new Error(`serve exited (${code}) before printing its address; stderr:\n${err}`)));
  });
  return {
    url,
    tmpDir,
    proc,
    stderr: () => err,
    stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}
