/**
 * Every on-disk artifact folder gets a manifest.json: which stage made it,
 * with what configuration, from which inputs, with which versions. Later
 * stages check `stage` and `formatVersion` before trusting a folder.
 */
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readJson, writeJsonAtomic } from './fsx.js';
import { ArtifactError } from './errors.js';

export interface Manifest<C = unknown> {
  stage: string;
  formatVersion: number;
  createdAt: string;
  tool: { name: 'fieldphone'; version: string; node: string };
  config: C;
  inputs?: unknown;
  outputs?: unknown;
  stats?: Record<string, unknown>;
}

let cachedVersion: string | undefined;
export function toolVersion(): string {
  if (cachedVersion) return cachedVersion;
  // Walk up from this file to the package.json (works from src/ under vitest and dist/src/ when built).
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      cachedVersion = (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
      return cachedVersion;
    }
    dir = join(dir, '..');
  }
  return (cachedVersion = 'unknown');
}

export function writeManifest<C>(dir: string, m: Omit<Manifest<C>, 'createdAt' | 'tool'>): Manifest<C> {
  const full: Manifest<C> = {
    ...m,
    createdAt: new Date().toISOString(),
    tool: { name: 'fieldphone', version: toolVersion(), node: process.version },
  };
  writeJsonAtomic(join(dir, 'manifest.json'), full);
  return full;
}

/** Read a manifest and check it was made by the expected stage in a format we understand. */
export function readManifest<C>(dir: string, stage: string, formatVersion: number): Manifest<C> {
  const path = join(dir, 'manifest.json');
  // The command that makes each kind of folder (a model folder comes out of `train`).
  const maker = stage === 'model' ? 'train' : stage;
  if (!existsSync(dir)) throw new ArtifactError(dir, `folder not found (expected the output of \`fieldphone ${maker}\`)`);
  if (!existsSync(path)) throw new ArtifactError(dir, `is not a finished '${stage}' folder (no manifest.json): run \`fieldphone ${maker}\` into it first, or let it finish`);
  const m = readJson<Manifest<C>>(path);
  if (m.stage !== stage) throw new ArtifactError(path, `expected a '${stage}' folder, found '${m.stage}'`);
  if (m.formatVersion !== formatVersion)
    throw new ArtifactError(path, `format version ${m.formatVersion} is not supported (this fieldphone reads version ${formatVersion}); re-run the '${stage}' step`);
  return m;
}
