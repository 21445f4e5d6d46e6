/**
 * Driving the built CLI (dist/, which `npm test` compiles before vitest runs)
 * and fingerprinting output folders, for the end-to-end tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const childEnv = (extra: Record<string, string> = {}) => ({ ...process.env, FIELDPHONE_DEBUG: '', ...extra });

/** Run the built CLI to completion. */
export function fieldphone(...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: childEnv(), maxBuffer: 64 << 20 });
  // A child that could not be started or was killed says so in stderr, where the tests' messages look.
  const why = r.error ? `\n[spawn error: ${r.error.message}]` : r.signal ? `\n[killed by ${r.signal}]` : '';
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + why };
}

/** Start the built CLI without waiting for it. */
export function spawnFieldphone(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Relative path → sha256 of every file under dir. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}
