/**
 * k-means and PCA models on disk. One file each, written atomically:
 *
 *   "FPSG" | uint32 LE header length H | H bytes of JSON (space-padded to a
 *   multiple of 4) | float32 LE payload
 *
 * The header says what the file holds, its shape, and a CRC-32 of the payload,
 * so a truncated, foreign or bit-rotted file is refused with a message naming
 * it instead of silently producing garbage segments.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ArtifactError } from '../util/errors.js';
import { bytesToFloat32, float32ToBytes, writeFileAtomic } from '../util/fsx.js';
import { matrix } from '../util/matrix.js';
import type { KMeansModel } from './kmeans.js';
import type { PcaModel } from './pca.js';

const MAGIC = 'FPSG';
const FORMAT_VERSION = 1;

type Kind = 'kmeans' | 'pca';
interface Header {
  kind: Kind;
  formatVersion: number;
  /** kmeans: [k, dim]; pca: [dim, inputDim]. */
  shape: [number, number];
  payloadFloats: number;
  crc32: number;
}

const KIND_NAMES: Record<Kind, string> = { kmeans: 'k-means model', pca: 'PCA model' };

export function saveKMeans(path: string, km: KMeansModel): void {
  writeModel(path, 'kmeans', [km.k, km.dim], [km.centroids.data]);
}

export function loadKMeans(path: string): KMeansModel {
  const { shape: [k, dim], payload } = readModel(path, 'kmeans', ([k, dim]) => k * dim);
  return { k, dim, centroids: matrix(k, dim, payload) };
}

export function savePca(path: string, p: PcaModel): void {
  writeModel(path, 'pca', [p.dim, p.inputDim], [p.mean, p.components.data, p.explainedVariance]);
}

export function loadPca(path: string): PcaModel {
  const { shape: [dim, inputDim], payload } = readModel(path, 'pca', ([dim, inputDim]) => inputDim + dim * inputDim + dim);
  return {
    dim,
    inputDim,
    mean: payload.slice(0, inputDim),
    components: matrix(dim, inputDim, payload.slice(inputDim, inputDim + dim * inputDim)),
    explainedVariance: payload.slice(inputDim + dim * inputDim),
  };
}

function writeModel(path: string, kind: Kind, shape: [number, number], parts: Float32Array[]): void {
  const floats = parts.reduce((s, p) => s + p.length, 0);
  const payload = new Float32Array(floats);
  let off = 0;
  for (const p of parts) {
    payload.set(p, off);
    off += p.length;
  }
  const payloadBytes = float32ToBytes(payload);
  const header: Header = { kind, formatVersion: FORMAT_VERSION, shape, payloadFloats: floats, crc32: crc32(payloadBytes) };
  let json = JSON.stringify(header);
  json += ' '.repeat((4 - (Buffer.byteLength(json) % 4)) % 4);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + payloadBytes.length);
  out.set(Buffer.from(MAGIC, 'ascii'), 0);
  new DataView(out.buffer).setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  out.set(payloadBytes, 8 + headerBytes.length);
  writeFileAtomic(path, out);
}

function readModel(path: string, kind: Kind, expectedFloats: (shape: [number, number]) => number): { shape: [number, number]; payload: Float32Array } {
  const what = KIND_NAMES[kind];
  if (!existsSync(path)) throw new ArtifactError(path, `${what} file is missing`);
  const buf = readFileSync(path);
  const bad = (msg: string) => new ArtifactError(path, `not a valid ${what} file: ${msg}`);
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) throw bad('it does not start with the fieldphone model signature');
  const headerLen = buf.readUInt32LE(4);
  if (headerLen % 4 !== 0 || 8 + headerLen > buf.length) throw bad('its header is cut short or damaged');
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + headerLen)) as Header;
  } catch {
    throw bad('its header is damaged');
  }
  if (typeof header !== 'object' || header === null) throw bad('its header is damaged');
  if (header.kind !== kind) {
    const other = Object.hasOwn(KIND_NAMES, header.kind) ? KIND_NAMES[header.kind] : `"${String(header.kind)}"`;
    throw bad(`it holds a ${other}`);
  }
  if (header.formatVersion !== FORMAT_VERSION) {
    throw new ArtifactError(path, `${what} file has format version ${header.formatVersion}; this fieldphone reads version ${FORMAT_VERSION} (re-run the stage that made it, or upgrade fieldphone)`);
  }
  const shape = header.shape;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((v) => Number.isInteger(v) && v >= 1)) {
    throw bad(`its shape ${JSON.stringify(shape)} is not two positive integers`);
  }
  if (kind === 'pca' && shape[0] > shape[1]) throw bad(`it keeps ${shape[0]} axes of ${shape[1]}-dimensional frames`);
  const floats = expectedFloats(shape);
  const payloadBytes = buf.subarray(8 + headerLen);
  if (header.payloadFloats !== floats || payloadBytes.length !== floats * 4) {
    throw bad(`expected ${floats * 4} bytes of values after the header, found ${payloadBytes.length} (the file is truncated or damaged)`);
  }
  if (crc32(payloadBytes) !== header.crc32) throw bad('its values fail the checksum (the file is damaged)');
  // Copied into a fresh buffer: the file's buffer may be shared and unaligned.
  const payload = bytesToFloat32(new Uint8Array(payloadBytes));
  for (let i = 0; i < payload.length; i++) if (!Number.isFinite(payload[i])) throw bad(`value ${i} is ${payload[i]}`);
  return { shape, payload };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as zip/png); node:zlib only gained crc32 in 20.15. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
