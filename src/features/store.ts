/**
 * Feature store: one folder holding utterance feature matrices as raw
 * little-endian float32 shards (shard-00000.f32, …, each ~64 MB, utterances
 * never split across shards) plus index.json listing the shards and, in
 * order, each utterance's {id, shard, offset (first row in the shard), rows,
 * ...extra}.
 *
 * Crash safety: the writer deletes any previous index.json before writing
 * anything, writes every shard atomically, and writes the new index.json
 * atomically LAST, so an interrupted run leaves either no index (reader says
 * the store is unfinished) or a complete, consistent one.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactError, FieldphoneError } from '../util/errors.js';
import { bytesToFloat32, ensureDir, float32ToBytes, readJson, writeFileAtomic, writeJsonAtomic } from '../util/fsx.js';
import type { Matrix } from '../util/matrix.js';
import { matrix } from '../util/matrix.js';

export const STORE_FORMAT = 'fieldphone-feature-store';
export const STORE_FORMAT_VERSION = 1;
export const STORE_INDEX_FILE = 'index.json';
export const DEFAULT_SHARD_BYTES = 64 * 1024 * 1024;

export interface StoreEntry {
  id: string;
  shard: number;
  offset: number;
  rows: number;
  [extra: string]: unknown;
}

interface StoreIndex {
  format: typeof STORE_FORMAT;
  formatVersion: number;
  dtype: 'float32-le';
  dim: number;
  config: unknown;
  totalRows: number;
  shards: { file: string; rows: number }[];
  // An array, not an id-keyed object: JS objects reorder integer-like keys ("10" before "9").
  utterances: StoreEntry[];
}

const RESERVED_KEYS = new Set(['id', 'shard', 'offset', 'rows']);

function shardName(i: number): string {
  return `shard-${String(i).padStart(5, '0')}.f32`;
}

export class FeatureStoreWriter {
  private readonly dir: string;
  private readonly dim: number;
  private readonly config: unknown;
  private readonly maxShardBytes: number;
  private readonly shards: { file: string; rows: number }[] = [];
  private readonly entries: StoreEntry[] = [];
  private readonly seen = new Set<string>();
  private readonly previousShards: string[];
  private pending: Float32Array[] = [];
  private pendingRows = 0;
  private pendingEntries = 0;
  private closed = false;

  constructor(dir: string, meta: { dim: number; config: unknown }, opts: { maxShardBytes?: number } = {}) {
    if (!Number.isInteger(meta.dim) || meta.dim < 1) throw new Error(`feature store dim must be a positive integer, got ${meta.dim}`);
    this.dir = dir;
    this.dim = meta.dim;
    this.config = meta.config;
    this.maxShardBytes = opts.maxShardBytes ?? DEFAULT_SHARD_BYTES;
    ensureDir(dir);
    this.previousShards = this.retirePreviousIndex();
  }

  /** Append one utterance (its data is copied, so the caller may reuse m). */
  add(id: string, m: Matrix, extra: Record<string, unknown> = {}): void {
    if (this.closed) throw new Error(`feature store ${this.dir} is already closed`);
    if (typeof id !== 'string' || id.length === 0) throw new FieldphoneError('bad-id', 'utterance id must be a non-empty string');
    if (this.seen.has(id)) throw new FieldphoneError('duplicate-id', `utterance id '${id}' was added twice to the feature store ${this.dir}`);
    if (m.cols !== this.dim)
      throw new FieldphoneError('dimension-mismatch', `utterance '${id}' has ${m.cols}-dim features but the store ${this.dir} holds ${this.dim}-dim`);
    for (const k of Object.keys(extra)) if (RESERVED_KEYS.has(k)) throw new Error(`feature store: extra field '${k}' is reserved`);
    const bytes = m.rows * this.dim * 4;
    if (this.pendingEntries > 0 && (this.pendingRows * this.dim * 4 + bytes > this.maxShardBytes)) this.flushShard();
    this.entries.push({ ...extra, id, shard: this.shards.length, offset: this.pendingRows, rows: m.rows });
    this.seen.add(id);
    this.pending.push(m.data.slice(0, m.rows * this.dim));
    this.pendingRows += m.rows;
    this.pendingEntries++;
  }

  /** Write the last shard, then the index; only now does the store become readable. */
  close(): void {
    if (this.closed) throw new Error(`feature store ${this.dir} is already closed`);
    if (this.pendingEntries > 0) this.flushShard();
    const index: StoreIndex = {
      format: STORE_FORMAT,
      formatVersion: STORE_FORMAT_VERSION,
      dtype: 'float32-le',
      dim: this.dim,
      config: this.config,
      totalRows: this.shards.reduce((s, sh) => s + sh.rows, 0),
      shards: this.shards,
      utterances: this.entries,
    };
    writeJsonAtomic(join(this.dir, STORE_INDEX_FILE), index);
    this.closed = true;
    const current = new Set(this.shards.map((s) => s.file));
    for (const f of this.previousShards) if (!current.has(f)) rmSync(join(this.dir, f), { force: true });
  }

  private flushShard(): void {
    const bytes = new Uint8Array(this.pendingRows * this.dim * 4);
    let off = 0;
    for (const chunk of this.pending) {
      bytes.set(float32ToBytes(chunk), off);
      off += chunk.byteLength;
    }
    const file = shardName(this.shards.length);
    writeFileAtomic(join(this.dir, file), bytes);
    this.shards.push({ file, rows: this.pendingRows });
    this.pending = [];
    this.pendingRows = 0;
    this.pendingEntries = 0;
  }

  /**
   * Remove an earlier store's index (so no index can describe half-replaced
   * shards) and return its shard names for cleanup at close. An index.json
   * that is not a feature store index is someone else's file: refuse.
   */
  private retirePreviousIndex(): string[] {
    const path = join(this.dir, STORE_INDEX_FILE);
    if (!existsSync(path)) return [];
    let old: Partial<StoreIndex> | undefined;
    try {
      old = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoreIndex>;
    } catch {
      old = undefined;
    }
    if (!old || old.format !== STORE_FORMAT)
      throw new ArtifactError(path, 'exists and is not a fieldphone feature store index; refusing to overwrite it (choose another output folder)');
    rmSync(path);
    return Array.isArray(old.shards) ? old.shards.map((s) => s.file).filter((f) => typeof f === 'string' && /^shard-\d+\.f32$/.test(f)) : [];
  }
}

export class FeatureStoreReader implements Iterable<[string, Matrix]> {
  readonly dir: string;
  readonly dim: number;
  readonly config: unknown;
  readonly totalRows: number;
  readonly ids: string[];
  private readonly indexPath: string;
  private readonly shards: { file: string; rows: number }[];
  private readonly byId = new Map<string, StoreEntry>();
  // One decoded shard is cached: reads in index order touch each shard once.
  private cachedShard = -1;
  private cachedData: Float32Array = new Float32Array(0);

  /** Opens and validates the store; `expect.dim` additionally checks the feature dimension. */
  constructor(dir: string, expect: { dim?: number } = {}) {
    this.dir = dir;
    this.indexPath = join(dir, STORE_INDEX_FILE);
    if (!existsSync(dir)) throw new ArtifactError(dir, 'feature store folder not found');
    if (!existsSync(this.indexPath))
      throw new ArtifactError(this.indexPath, 'missing: this is not a feature store, or writing it was interrupted (re-run the features step)');
    const idx = readJson<Partial<StoreIndex>>(this.indexPath);
    const bad = (msg: string) => new ArtifactError(this.indexPath, msg);
    if (idx.format !== STORE_FORMAT) throw bad('not a fieldphone feature store index');
    if (idx.formatVersion !== STORE_FORMAT_VERSION)
      throw bad(`feature store format version ${idx.formatVersion} is not supported (this fieldphone reads ${STORE_FORMAT_VERSION}); re-run the features step`);
    const dim = idx.dim;
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) throw bad(`invalid dim ${JSON.stringify(dim)}`);
    if (expect.dim !== undefined && dim !== expect.dim) throw bad(`features are ${dim}-dimensional but ${expect.dim} were expected`);
    if (!Array.isArray(idx.shards) || !Array.isArray(idx.utterances)) throw bad("'shards' or 'utterances' list is missing");
    this.dim = dim;
    this.config = idx.config;
    this.shards = idx.shards;
    this.shards.forEach((s, i) => this.checkShard(s, i));
    this.ids = [];
    for (const e of idx.utterances) {
      const where = `utterance ${JSON.stringify(e?.id)}`;
      if (typeof e?.id !== 'string' || e.id.length === 0) throw bad(`${where}: invalid id`);
      if (this.byId.has(e.id)) throw bad(`${where} is listed twice`);
      if (!isCount(e.shard) || e.shard >= this.shards.length) throw bad(`${where}: shard ${e.shard} does not exist`);
      if (!isCount(e.offset) || !isCount(e.rows) || e.offset + e.rows > this.shards[e.shard].rows)
        throw bad(`${where}: rows ${e.offset}..${e.offset + e.rows} lie outside ${this.shards[e.shard].file} (${this.shards[e.shard].rows} rows)`);
      this.byId.set(e.id, e);
      this.ids.push(e.id);
    }
    this.totalRows = this.shards.reduce((s, sh) => s + sh.rows, 0);
  }

  entry(id: string): StoreEntry {
    const e = this.byId.get(id);
    if (!e) throw new ArtifactError(this.indexPath, `has no utterance '${id}'`);
    return e;
  }

  /** A copy of the utterance's features (rows × dim). */
  get(id: string): Matrix {
    const e = this.entry(id);
    const data = this.shardData(e.shard);
    return matrix(e.rows, this.dim, data.slice(e.offset * this.dim, (e.offset + e.rows) * this.dim));
  }

  *[Symbol.iterator](): Iterator<[string, Matrix]> {
    for (const id of this.ids) yield [id, this.get(id)];
  }

  private checkShard(s: { file: string; rows: number }, i: number): void {
    if (typeof s?.file !== 'string' || !/^shard-\d+\.f32$/.test(s.file) || !isCount(s.rows))
      throw new ArtifactError(this.indexPath, `shard entry ${i} is malformed: ${JSON.stringify(s)}`);
    const path = join(this.dir, s.file);
    if (!existsSync(path)) throw new ArtifactError(path, 'shard file is missing (the feature store is incomplete; re-run the features step)');
    this.checkSize(path, statSync(path).size, s.rows);
  }

  private checkSize(path: string, size: number, rows: number): void {
    const expected = rows * this.dim * 4;
    if (size === expected) return;
    const rowBytes = this.dim * 4;
    const hint = size % rowBytes === 0 ? `it holds ${size / rowBytes} rows` : `not a whole number of ${this.dim}-dim float32 rows: wrong dimension or truncated`;
    throw new ArtifactError(path, `has ${size} bytes but the index expects ${rows} rows × ${this.dim} dims × 4 = ${expected} (${hint})`);
  }

  private shardData(i: number): Float32Array {
    if (i !== this.cachedShard) {
      const path = join(this.dir, this.shards[i].file);
      if (!existsSync(path)) throw new ArtifactError(path, 'shard file is missing (the feature store is incomplete; re-run the features step)');
      const bytes = readFileSync(path);
      this.checkSize(path, bytes.byteLength, this.shards[i].rows);
      this.cachedData = bytesToFloat32(bytes);
      this.cachedShard = i;
    }
    return this.cachedData;
  }
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
