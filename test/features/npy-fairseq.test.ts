import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, writeNpy, readFairseqSplit, writeFairseqSplit } from '../../src/features/index.js';
import { matrix, type Matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';
import { expectInputError } from '../helpers/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fp-npy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * An .npy file built by hand from the format spec: "\x93NUMPY", major, minor,
 * header length (uint16 LE for 1.x, uint32 LE for 2.x/3.x), an ASCII dict
 * padded with spaces and ended by '\n' so the data starts at a multiple of 64.
 */
function handMadeNpy(descr: string, shape: string, data: Uint8Array, opts: { major?: number; fortran?: boolean } = {}): Uint8Array {
  const major = opts.major ?? 1;
  const dict = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const pre = major === 1 ? 10 : 12;
  let header = dict + '\n';
  while ((pre + header.length) % 64 !== 0) header = dict + ' '.repeat(header.length - dict.length) + '\n';
  const out = new Uint8Array(pre + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(data, pre + header.length);
  return out;
}

const le = (arr: Float32Array | Float64Array | Uint16Array) => new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);

function put(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}


describe('readNpy on hand-made files', () => {
  it('float32 2-D', () => {
    const m = readNpy(put('a.npy', handMadeNpy('<f4', '(3, 2)', le(Float32Array.from([1, 2, 3, 4, 5, -6.5])))));
    expect([m.rows, m.cols, ...m.data]).toEqual([3, 2, 1, 2, 3, 4, 5, -6.5]);
  });
  it('float64, version 2.0 header', () => {
    const m = readNpy(put('b.npy', handMadeNpy('<f8', '(2, 2)', le(Float64Array.from([0.25, -1, 1e10, 3])), { major: 2 })));
    expect([m.rows, m.cols, ...m.data]).toEqual([2, 2, 0.25, -1, 1e10, 3]);
  });
  it('float16, including a subnormal and infinity; 1-D reads as one column', () => {
    // 0x3c00 = 1, 0xc000 = -2, 0x3555 = 0.333251953125, 0x0001 = 2^-24, 0x7c00 = +inf
    const m = readNpy(put('c.npy', handMadeNpy('<f2', '(5,)', le(Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00])))));
    expect([m.rows, m.cols]).toEqual([5, 1]);
    expect(Array.from(m.data)).toEqual([1, -2, Math.fround(0.333251953125), Math.fround(2 ** -24), Infinity]);
  });
  it('Fortran order is fine when it does not change the layout', () => {
    const m = readNpy(put('d.npy', handMadeNpy('<f4', '(1, 3)', le(Float32Array.from([7, 8, 9])), { fortran: true })));
    expect([m.rows, m.cols, ...m.data]).toEqual([1, 3, 7, 8, 9]);
  });
  it('clear errors for what it cannot read', () => {
    const f4 = le(Float32Array.from([1, 2, 3, 4, 5, 6]));
    const cases: [string, Uint8Array, RegExp][] = [
      ['be.npy', handMadeNpy('>f4', '(3, 2)', f4), /big-endian/],
      ['int.npy', handMadeNpy('<i8', '(3, 1)', f4.subarray(0, 24)), /unsupported dtype '<i8'/],
      ['short.npy', handMadeNpy('<f4', '(4, 2)', f4), /truncated.*32 bytes.*24/],
      ['long.npy', handMadeNpy('<f4', '(2, 2)', f4), /8 unexpected bytes/],
      ['3d.npy', handMadeNpy('<f4', '(1, 3, 2)', f4), /1-D or 2-D/],
      ['fortran.npy', handMadeNpy('<f4', '(3, 2)', f4, { fortran: true }), /Fortran/],
      ['magic.npy', Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), /not a NumPy/],
      ['header.npy', handMadeNpy('<f4', '(3, 2)', f4).subarray(0, 40), /truncated \.npy header/],
    ];
    for (const [name, bytes, re] of cases) expectInputError(() => readNpy(put(name, bytes)), join(dir, name), re);
    expectInputError(() => readNpy(join(dir, 'none.npy')), join(dir, 'none.npy'), /not found/);
  });
});

describe('writeNpy', () => {
  it('writes a spec-conforming v1.0 header and round-trips', () => {
    const rng = makeRng(5);
    const m = matrix(17, 39, Float32Array.from({ length: 17 * 39 }, () => rng.normal()));
    const p = join(dir, 'x.npy');
    writeNpy(p, m);
    const bytes = readFileSync(p);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const hlen = bytes.readUInt16LE(8);
    expect((10 + hlen) % 64).toBe(0);
    const header = bytes.subarray(10, 10 + hlen).toString('latin1');
    expect(header.endsWith('\n')).toBe(true);
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(17, 39\), \} *\n$/);
    expect(bytes.length).toBe(10 + hlen + 17 * 39 * 4);
    const back = readNpy(p);
    expect([back.rows, back.cols]).toEqual([17, 39]);
    expect(Array.from(back.data)).toEqual(Array.from(m.data));
  });
  it('writes an empty array', () => {
    const p = join(dir, 'e.npy');
    writeNpy(p, matrix(0, 5));
    const back = readNpy(p);
    expect([back.rows, back.cols, back.data.length]).toEqual([0, 5, 0]);
  });
});

describe('fairseq split folders', () => {
  const rng = makeRng(9);
  const feats = (rows: number): Matrix => matrix(rows, 4, Float32Array.from({ length: rows * 4 }, () => rng.normal()));
  const utts = [
    { id: 'spk1/a.wav', features: feats(3), numSamples: 800 },
    { id: 'spk1/b.wav', features: feats(0), numSamples: 100 },
    { id: 'spk2/c.wav', features: feats(6), numSamples: 1280 },
  ];

  it('round-trips features and ids through .npy + .lengths + .tsv', () => {
    writeFairseqSplit(dir, 'train', utts, '/data/audio');
    expect(readFileSync(join(dir, 'train.lengths'), 'utf8')).toBe('3\n0\n6\n');
    expect(readFileSync(join(dir, 'train.tsv'), 'utf8')).toBe('/data/audio\nspk1/a.wav\t800\nspk1/b.wav\t100\nspk2/c.wav\t1280\n');
    expect([readNpy(join(dir, 'train.npy')).rows, readNpy(join(dir, 'train.npy')).cols]).toEqual([9, 4]);
    const back = readFairseqSplit(dir, 'train');
    expect(back.ids).toEqual(utts.map((u) => u.id));
    back.utterances.forEach((m, i) => {
      expect([m.rows, m.cols]).toEqual([utts[i].features.rows, 4]);
      expect(Array.from(m.data)).toEqual(Array.from(utts[i].features.data));
    });
  });

  it('without a .tsv, ids follow fairseq’s utt%010d', () => {
    writeFairseqSplit(dir, 'valid', utts);
    expect(existsSync(join(dir, 'valid.tsv'))).toBe(false);
    expect(readFairseqSplit(dir, 'valid').ids).toEqual(['utt0000000000', 'utt0000000001', 'utt0000000002']);
  });

  it('reads a hand-built folder', () => {
    writeFileSync(join(dir, 'test.npy'), handMadeNpy('<f4', '(3, 2)', le(Float32Array.from([1, 2, 3, 4, 5, 6]))));
    writeFileSync(join(dir, 'test.lengths'), '1\n2\n');
    const { ids, utterances } = readFairseqSplit(dir, 'test');
    expect(ids).toEqual(['utt0000000000', 'utt0000000001']);
    expect(utterances.map((m) => Array.from(m.data))).toEqual([[1, 2], [3, 4, 5, 6]]);
  });

  it('reports files that do not belong together', () => {
    writeFairseqSplit(dir, 'train', utts, '/data/audio');
    writeFileSync(join(dir, 'train.lengths'), '3\n0\n5\n');
    expectInputError(() => readFairseqSplit(dir, 'train'), join(dir, 'train.lengths'), /add up to 8 frames.*9 rows/);
    writeFileSync(join(dir, 'train.lengths'), '9\n');
    expectInputError(() => readFairseqSplit(dir, 'train'), join(dir, 'train.tsv'), /lists 3 utterances.*has 1/);
    writeFileSync(join(dir, 'train.lengths'), '9\nx\n');
    expectInputError(() => readFairseqSplit(dir, 'train'), join(dir, 'train.lengths'), /line 2/);
    expectInputError(() => readFairseqSplit(dir, 'nosuch'), join(dir, 'nosuch.lengths'), /not found/);
  });

  it('needs numSamples for every utterance when writing a .tsv', () => {
    expect(() => writeFairseqSplit(dir, 'x', [{ id: 'a', features: feats(1) }], '/root')).toThrow(/numSamples/);
  });
});
