/**
 * The run folder of every resumable run (GAN training, pretraining). At the
 * start, a new run needs an empty output folder, and --resume needs the
 * run.json of a run started with exactly the same settings and inputs, so a
 * run is never mixed with another's checkpoints. While it runs, metrics.jsonl
 * gets a line per interval and, on resuming, loses the lines written after
 * the checkpoint.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { readJson, writeFileAtomic } from './fsx.js';

export function checkRunFolder(o: { outDir: string; runPath: string; resume?: boolean; what: string; config: unknown; inputs: unknown }): void {
  if (o.resume) {
    if (!existsSync(o.runPath)) throw new UsageError(`${o.outDir} has no ${o.what} to resume (run.json missing)`);
    const prev = readJson<{ config: unknown; inputs: unknown }>(o.runPath);
    if (JSON.stringify(prev.config) !== JSON.stringify(o.config) || JSON.stringify(prev.inputs) !== JSON.stringify(o.inputs))
      throw new UsageError(`${o.outDir} was started with other settings or inputs; resume it with the same options, or start a new -o folder`);
  } else if (existsSync(o.outDir) && readdirSync(o.outDir).length > 0) {
    throw new UsageError(`${o.outDir} is not empty; use --resume to continue the run in it, or choose a new -o folder`);
  }
}

/** One line of a run's metrics.jsonl (the file is rewritten atomically). */
export function appendMetrics(path: string, row: Record<string, unknown>): void {
  const prev = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileAtomic(path, prev + JSON.stringify(row) + '\n');
}

/** Drop metric lines written after the checkpoint a run resumes from (they will be recomputed). */
export function truncateMetrics(path: string, update: number): void {
  if (!existsSync(path)) return;
  const keep = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => {
      try {
        return l.trim() !== '' && (JSON.parse(l) as { step: number }).step <= update;
      } catch {
        return false;
      }
    });
  writeFileAtomic(path, keep.map((l) => l + '\n').join(''));
}
