/**
 * The start of every resumable run (GAN training, pretraining): a new run
 * needs an empty output folder, and --resume needs the run.json of a run
 * started with exactly the same settings and inputs, so a run is never mixed
 * with another's checkpoints.
 */
import { existsSync, readdirSync } from 'node:fs';
import { UsageError } from './errors.js';
import { readJson } from './fsx.js';

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
