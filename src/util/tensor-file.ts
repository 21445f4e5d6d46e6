/**
 * A small binary container for named float32 tensors (models, checkpoints),
 * written atomically:
 *
 *   "FPSG" | uint32 LE header length H | H bytes of JSON (space-padded to a
 *   multiple of 4) | float32 LE payload (the tensors, back to back)
 *
 * The JSON header is
 *
 *   { kind, formatVersion, meta, tensors: [{ name, shape }], payloadFloats, crc32 }
 *
 * with the tensors in payload order and a CRC-32 of the payload bytes, so a
 * truncated, foreign or bit-rotted file is refused with an ArtifactError naming
 * it instead of silently producing garbage. `kind` says what the file holds
 * ('kmeans', 'pca', 'gan-checkpoint', ...); `meta` is any JSON the writer wants
 * to keep next to the tensors (options, step counters, ...). The values are
 * never put through JSON.
 *
 * Values are stored little-endian, as every platform Node supports is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ArtifactError, errorMessage } from './errors.js';
import { float32ToBytes, writeFileAtomic } from './fsx.js';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}
export type TensorMap = Record<string, NamedTensor>;

const MAGIC = 'FPSG';
/** Version of the container layout itself; what goes in `meta` is the writer's business. */
const FORMAT_VERSION = 1;
const PREFIX_BYTES = 8;

interface Header {
  kind: string;
  formatVersion: number;
  meta: unknown;
  tensors: { name: string; shape: number[] }[];
  payloadFloats: number;
  crc32: number;
}

/** Human names for the kinds fieldphone writes, used when a file turns out to hold another kind. */
const KIND_NAMES: Record<string, string> = {
  kmeans: 'k-means model',
  pca: 'PCA model',
  'gan-checkpoint': 'GAN checkpoint',
  generator: 'generator',
};

function kindName(kind: string): string {
  return Object.hasOwn(KIND_NAMES, kind) ? KIND_NAMES[kind] : kind;
}

function isShape(s: unknown): s is number[] {
  return Array.isArray(s) && s.every((v) => Number.isInteger(v) && v >= 1);
}

function sizeOf(shape: number[]): number {
  return shape.reduce((n, v) => n * v, 1);
}

/**
 * Write `tensors` (in insertion order) and `meta` to `path` atomically.
 * Refuses (ArtifactError naming the file) tensors whose data does not match
 * their shape or holds non-finite values, since such a file could not be read back.
 */
export function writeTensorFile(path: string, kind: string, tensors: TensorMap, meta?: unknown): void {
  const entries = Object.entries(tensors);
  let floats = 0;
  let crc = CRC_INIT;
  for (const [name, t] of entries) {
    const refuse = (msg: string) => new ArtifactError(path, `refusing to write ${kindName(kind)}: tensor "${name}" ${msg}`);
    if (!isShape(t.shape)) throw refuse(`has shape ${JSON.stringify(t.shape)}, which is not a list of positive integers`);
    if (t.data.length !== sizeOf(t.shape)) throw refuse(`has ${t.data.length} values but shape ${JSON.stringify(t.shape)}`);
    const bad = firstNonFinite(t.data);
    if (bad >= 0) throw refuse(`value ${bad} is ${t.data[bad]}`);
    floats += t.data.length;
    crc = crc32Update(crc, float32ToBytes(t.data));
  }
  const header: Header = {
    kind,
    formatVersion: FORMAT_VERSION,
    meta: meta ?? null,
    tensors: entries.map(([name, t]) => ({ name, shape: [...t.shape] })),
    payloadFloats: floats,
    crc32: crc32Final(crc),
  };
  let json = JSON.stringify(header);
  json += ' '.repeat((4 - (Buffer.byteLength(json) % 4)) % 4);
  const headerBytes = Buffer.from(json, 'utf8');
  // The only copy of the values: straight from each tensor into the output buffer.
  const out = new Uint8Array(PREFIX_BYTES + headerBytes.length + floats * 4);
  out.set(Buffer.from(MAGIC, 'ascii'), 0);
  new DataView(out.buffer).setUint32(4, headerBytes.length, true);
  out.set(headerBytes, PREFIX_BYTES);
  let off = PREFIX_BYTES + headerBytes.length;
  for (const [, t] of entries) {
    out.set(float32ToBytes(t.data), off);
    off += t.data.byteLength;
  }
  writeFileAtomic(path, out);
}

/**
 * Read a tensor file written by writeTensorFile, checking that it holds `kind`.
 * `what` names the kind in messages (default: a known name for `kind`).
 * Every problem is an ArtifactError naming the file.
 */
export function readTensorFile(path: string, kind: string, what: string = kindName(kind)): { tensors: TensorMap; meta: unknown } {
  if (!existsSync(path)) throw new ArtifactError(path, `${what} file is missing`);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new ArtifactError(path, `${what} file cannot be read (${errorMessage(e)})`);
  }
  const bad = (msg: string) => new ArtifactError(path, `not a valid ${what} file: ${msg}`);
  if (buf.length < PREFIX_BYTES || buf.toString('latin1', 0, 4) !== MAGIC) throw bad('it does not start with the fieldphone model signature');
  const headerLen = buf.readUInt32LE(4);
  if (headerLen % 4 !== 0 || PREFIX_BYTES + headerLen > buf.length) throw bad('its header is cut short or damaged');
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLen));
  } catch {
    throw bad('its header is damaged');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('its header is damaged');
  const header = parsed as Partial<Header>;
  if (header.kind !== kind) {
    const other = typeof header.kind === 'string' && Object.hasOwn(KIND_NAMES, header.kind) ? `a ${KIND_NAMES[header.kind]}` : `kind ${JSON.stringify(header.kind ?? null)}`;
    throw bad(`it holds ${other}`);
  }
  if (header.formatVersion !== FORMAT_VERSION) {
    throw new ArtifactError(
      path,
      `${what} file has format version ${String(header.formatVersion)}; this fieldphone reads version ${FORMAT_VERSION} (re-run the stage that made it, or upgrade fieldphone)`,
    );
  }
  const list = header.tensors;
  if (!Array.isArray(list)) throw bad('its header does not list the tensors it holds');
  const seen = new Set<string>();
  let floats = 0;
  for (const t of list as unknown[]) {
    const name = (t as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || seen.has(name)) throw bad(`its header lists a tensor with a missing or repeated name (${JSON.stringify(name)})`);
    seen.add(name);
    const shape = (t as { shape?: unknown }).shape;
    if (!isShape(shape)) throw bad(`tensor "${name}" has shape ${JSON.stringify(shape)}, which is not a list of positive integers`);
    floats += sizeOf(shape);
  }
  if (!Number.isSafeInteger(floats * 4)) throw bad('its header describes impossibly large tensors');
  const payloadStart = PREFIX_BYTES + headerLen;
  const payloadBytes = buf.length - payloadStart;
  if (header.payloadFloats !== floats || payloadBytes !== floats * 4) {
    throw bad(`expected ${floats * 4} bytes of values after the header, found ${payloadBytes} (the file is truncated or damaged)`);
  }
  if (crc32(buf.subarray(payloadStart)) !== header.crc32) throw bad('its values fail the checksum (the file is damaged)');
  const tensors: TensorMap = {};
  let off = payloadStart;
  for (const { name, shape } of list as { name: string; shape: number[] }[]) {
    // Copied into a fresh, aligned buffer per tensor: the file's buffer may be shared and unaligned.
    const data = new Float32Array(sizeOf(shape));
    new Uint8Array(data.buffer).set(buf.subarray(off, off + data.byteLength));
    off += data.byteLength;
    const i = firstNonFinite(data);
    if (i >= 0) throw bad(`tensor "${name}" value ${i} is ${data[i]}`);
    tensors[name] = { shape: [...shape], data };
  }
  return { tensors, meta: header.meta ?? null };
}

function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
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

const CRC_INIT = 0xffffffff;

function crc32Update(c: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c;
}

function crc32Final(c: number): number {
  return (c ^ 0xffffffff) >>> 0;
}

/** CRC-32 (IEEE, as zip/png); node:zlib only gained crc32 in 20.15. */
export function crc32(bytes: Uint8Array): number {
  return crc32Final(crc32Update(CRC_INIT, bytes));
}

/** Tensors of several parts (weights, optimiser moments…) in one file: names prefixed `part/`. */
export function prefixed(prefix: string, m: Record<string, { shape: number[]; data: Float32Array }>): TensorMap {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [`${prefix}/${k}`, v]));
}

/** The part `prefix` of a file written with prefixed(), names without the prefix. */
export function stripPrefix(prefix: string, t: TensorMap): TensorMap {
  return Object.fromEntries(Object.entries(t).filter(([k]) => k.startsWith(prefix + '/')).map(([k, v]) => [k.slice(prefix.length + 1), v]));
}
