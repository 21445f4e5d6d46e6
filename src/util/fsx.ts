/**
 * File helpers. All outputs go through writeFileAtomic: write to a temporary
 * file in the same folder, fsync, then rename, so an interrupted run never
 * leaves a half-written file under the final name.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync, existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ArtifactError } from './errors.js';

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  ensureDir(dirname(path));
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Read and parse a JSON artifact; a missing or corrupt file is an ArtifactError naming it. */
export function readJson<T>(path: string): T {
  if (!existsSync(path)) throw new ArtifactError(path, 'file is missing');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new ArtifactError(path, `not valid JSON (${(e as Error).message})`);
  }
}

/** Refuse to write into any of the user's input paths. */
export function assertNotInput(outPath: string, inputs: string[]): void {
  const out = resolve(outPath);
  for (const inp of inputs) {
    if (resolve(inp) === out) throw new ArtifactError(outPath, 'output path is one of the inputs; refusing to overwrite it');
  }
}

/** Float32Array <-> bytes without copying more than needed (little-endian hosts). */
export function float32ToBytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function bytesToFloat32(b: Uint8Array): Float32Array {
  if (b.byteLength % 4 !== 0) throw new Error(`byte length ${b.byteLength} is not a multiple of 4`);
  // Copy when unaligned: Float32Array views need 4-byte alignment.
  if (b.byteOffset % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  return new Float32Array(b.slice().buffer);
}
