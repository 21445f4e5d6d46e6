import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, readdirSync, existsSync, writeFileSync, truncateSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureStoreWriter, FeatureStoreReader } from '../../src/features/index.js';
import { FieldphoneError } from '../../src/util/errors.js';
import { matrix, type Matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';
import { expectArtifactError } from '../helpers/errors.js';

const DIM = 7;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fp-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function utterances(n: number, seed: number): { id: string; m: Matrix }[] {
  const rng = makeRng(seed);
  // Integer-like ids on purpose: their order must survive the JSON index.
  return Array.from({ length: n }, (_, i) => {
    const rows = i === 3 ? 0 : 1 + rng.int(30);
    return { id: String(n - i), m: matrix(rows, DIM, Float32Array.from({ length: rows * DIM }, () => rng.normal())) };
  });
}

function writeStore(utts: { id: string; m: Matrix }[], maxShardBytes = 600): void {
  const w = new FeatureStoreWriter(dir, { dim: DIM, config: { kind: 'test', n: 1 } }, { maxShardBytes });
  utts.forEach((u, i) => w.add(u.id, u.m, { speaker: `s${i % 3}`, seconds: i / 2 }));
  w.close();
}

const shardFiles = () => readdirSync(dir).filter((f) => f.startsWith('shard-')).sort();


describe('feature store round trip', () => {
  it('reads back every utterance, in order, across several shards', () => {
    const utts = utterances(12, 1);
    writeStore(utts);
    expect(shardFiles().length).toBeGreaterThan(3);
    const r = new FeatureStoreReader(dir, { dim: DIM });
    expect(r.dim).toBe(DIM);
    expect(r.config).toEqual({ kind: 'test', n: 1 });
    expect(r.ids).toEqual(utts.map((u) => u.id));
    expect(r.totalRows).toBe(utts.reduce((s, u) => s + u.m.rows, 0));
    // Random access, out of order.
    for (const i of [7, 0, 11, 3, 5]) {
      const got = r.get(utts[i].id);
      expect([got.rows, got.cols]).toEqual([utts[i].m.rows, DIM]);
      expect(Array.from(got.data)).toEqual(Array.from(utts[i].m.data));
      expect(r.entry(utts[i].id)).toMatchObject({ id: utts[i].id, rows: utts[i].m.rows, speaker: `s${i % 3}`, seconds: i / 2 });
    }
    const seen = [...r].map(([id, m]) => [id, Array.from(m.data)]);
    expect(seen).toEqual(utts.map((u) => [u.id, Array.from(u.m.data)]));
  });

  it('puts an utterance larger than the shard size in a shard of its own', () => {
    const big = matrix(100, DIM, new Float32Array(100 * DIM).fill(2));
    const small = matrix(2, DIM, new Float32Array(2 * DIM).fill(1));
    const w = new FeatureStoreWriter(dir, { dim: DIM, config: null }, { maxShardBytes: 200 });
    w.add('a', small);
    w.add('b', big);
    w.add('c', small);
    w.close();
    const r = new FeatureStoreReader(dir);
    expect(['a', 'b', 'c'].map((id) => r.entry(id).shard)).toEqual([0, 1, 2]);
    expect(r.get('b').data.every((v) => v === 2)).toBe(true);
  });

  it('rejects bad additions', () => {
    const w = new FeatureStoreWriter(dir, { dim: DIM, config: null });
    w.add('x', matrix(1, DIM));
    expect(() => w.add('x', matrix(1, DIM))).toThrow(/added twice/);
    expect(() => w.add('y', matrix(1, DIM + 1))).toThrow(FieldphoneError);
    expect(() => w.add('z', matrix(1, DIM), { rows: 3 })).toThrow(/reserved/);
  });
});

describe('feature store crash safety and validation', () => {
  it('an unfinished write leaves no index, so the reader refuses the folder', () => {
    writeStore(utterances(5, 2));
    const w = new FeatureStoreWriter(dir, { dim: DIM, config: null }, { maxShardBytes: 100 });
    for (const u of utterances(6, 3)) w.add(u.id, u.m); // shards written, never closed ("crash")
    expectArtifactError(() => new FeatureStoreReader(dir), join(dir, 'index.json'), /missing.*interrupted/);
  });

  it('rewriting a store removes the old shards the new index does not use', () => {
    writeStore(utterances(12, 4), 300);
    const before = shardFiles().length;
    writeStore(utterances(2, 5), 1 << 20);
    expect(before).toBeGreaterThan(1);
    expect(shardFiles()).toEqual(['shard-00000.f32']);
    expect(new FeatureStoreReader(dir).ids).toEqual(['2', '1']);
  });

  it('refuses to overwrite an index.json that is not a feature store', () => {
    writeFileSync(join(dir, 'index.json'), '{"something": "else"}');
    expectArtifactError(() => new FeatureStoreWriter(dir, { dim: DIM, config: null }), join(dir, 'index.json'), /refusing to overwrite/);
    expect(readFileSync(join(dir, 'index.json'), 'utf8')).toBe('{"something": "else"}');
  });

  it('names a missing shard', () => {
    writeStore(utterances(12, 6));
    const victim = shardFiles()[1];
    rmSync(join(dir, victim));
    expectArtifactError(() => new FeatureStoreReader(dir), join(dir, victim), /shard file is missing/);
  });

  it('names a truncated shard', () => {
    writeStore(utterances(12, 7));
    const victim = join(dir, shardFiles()[0]);
    truncateSync(victim, statSync(victim).size - 4);
    expectArtifactError(() => new FeatureStoreReader(dir), victim, /bytes but the index expects.*not a whole number/);
  });

  it('detects a wrong dimension (expected by the caller, or inconsistent with the shards)', () => {
    writeStore(utterances(12, 8));
    expectArtifactError(() => new FeatureStoreReader(dir, { dim: 39 }), join(dir, 'index.json'), /7-dimensional but 39 were expected/);
    const indexPath = join(dir, 'index.json');
    const idx = JSON.parse(readFileSync(indexPath, 'utf8'));
    idx.dim = 8;
    writeFileSync(indexPath, JSON.stringify(idx));
    expectArtifactError(() => new FeatureStoreReader(dir), join(dir, shardFiles()[0]), /index expects/);
  });

  it('rejects a corrupt index and entries pointing outside their shard', () => {
    writeStore(utterances(4, 9));
    const indexPath = join(dir, 'index.json');
    const good = readFileSync(indexPath, 'utf8');
    const idx = JSON.parse(good);
    idx.utterances[1].rows += 1000;
    writeFileSync(indexPath, JSON.stringify(idx));
    expectArtifactError(() => new FeatureStoreReader(dir), indexPath, /lie outside/);
    writeFileSync(indexPath, good.slice(0, 40));
    expectArtifactError(() => new FeatureStoreReader(dir), indexPath, /not valid JSON/);
    expect(existsSync(dir)).toBe(true);
  });

  it('unknown id is an error naming the index', () => {
    writeStore(utterances(2, 10));
    expectArtifactError(() => new FeatureStoreReader(dir).get('nope'), join(dir, 'index.json'), /no utterance 'nope'/);
  });
});
