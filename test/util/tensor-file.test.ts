import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTensorFile, writeTensorFile, crc32, type TensorMap } from '../../src/util/tensor-file.js';
import { expectArtifactError } from '../helpers/errors.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'fp-tensor-file-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tensors: TensorMap = {
  weights: { shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 2.25) },
  bias: { shape: [4], data: Float32Array.from([1e-30, -1e30, 0, -0]) },
  kernel: { shape: [2, 1, 3], data: Float32Array.from([Math.PI, Math.E, 1 / 3, -7, 8, 9]) },
};
const meta = { step: 1200, options: { lr: 2e-4, betas: [0.5, 0.999] }, note: 'rÉsumé ✓' };


/** A file with the given header fields (kind/formatVersion/payloadFloats/crc32 filled in unless given) and payload. */
function craft(name: string, header: Record<string, unknown>, payload: Float32Array): string {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  let json = JSON.stringify({ kind: 'gan-checkpoint', formatVersion: 1, meta: null, payloadFloats: payload.length, crc32: crc32(bytes), ...header });
  json += ' '.repeat((4 - (json.length % 4)) % 4);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([Buffer.from('FPSG', 'latin1'), len, Buffer.from(json, 'latin1'), bytes]));
  return path;
}

function good(name: string): { path: string; bytes: Buffer } {
  const path = join(dir, `${name}-src.bin`);
  writeTensorFile(path, 'gan-checkpoint', tensors, meta);
  return { path, bytes: readFileSync(path) };
}

describe('tensor files', () => {
  it('round-trips several named tensors and meta exactly, in order, leaving no temporary files', () => {
    const path = join(dir, 'rt', 'ckpt.bin');
    writeTensorFile(path, 'gan-checkpoint', tensors, meta);
    const back = readTensorFile(path, 'gan-checkpoint');
    expect(Object.keys(back.tensors)).toEqual(['weights', 'bias', 'kernel']);
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name].shape).toEqual(t.shape);
      expect(back.tensors[name].data).toBeInstanceOf(Float32Array);
      expect(Buffer.from(back.tensors[name].data.buffer, back.tensors[name].data.byteOffset, back.tensors[name].data.byteLength))
        .toEqual(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
    expect(back.meta).toEqual(meta);
    expect(readdirSync(join(dir, 'rt'))).toEqual(['ckpt.bin']);

    // Overwriting goes through a temporary file too and leaves only the result.
    writeTensorFile(path, 'gan-checkpoint', { only: { shape: [1], data: Float32Array.of(5) } });
    expect(readdirSync(join(dir, 'rt'))).toEqual(['ckpt.bin']);
    const again = readTensorFile(path, 'gan-checkpoint');
    expect(again.meta).toBeNull();
    expect(Object.keys(again.tensors)).toEqual(['only']);
    expect(Array.from(again.tensors.only.data)).toEqual([5]);
  });

  it('lays out magic, a 4-byte-aligned JSON header and the raw values', () => {
    const { bytes } = good('layout');
    expect(bytes.toString('latin1', 0, 4)).toBe('FPSG');
    const h = bytes.readUInt32LE(4);
    expect(h % 4).toBe(0);
    const header = JSON.parse(bytes.toString('utf8', 8, 8 + h));
    expect(header).toMatchObject({
      kind: 'gan-checkpoint',
      formatVersion: 1,
      meta,
      tensors: [{ name: 'weights', shape: [3, 4] }, { name: 'bias', shape: [4] }, { name: 'kernel', shape: [2, 1, 3] }],
      payloadFloats: 22,
    });
    expect(bytes.length).toBe(8 + h + 22 * 4);
    expect(header.crc32).toBe(crc32(bytes.subarray(8 + h)));
    expect(bytes.readFloatLE(8 + h)).toBe(tensors.weights.data[0]);
  });

  it('hands back independent tensors', () => {
    const { path } = good('aligned');
    const a = readTensorFile(path, 'gan-checkpoint');
    a.tensors.bias.data[0] = 42;
    const b = readTensorFile(path, 'gan-checkpoint');
    expect(b.tensors.bias.data[0]).toBe(tensors.bias.data[0]);
    expect(a.tensors.weights.data.buffer).not.toBe(a.tensors.bias.data.buffer);
  });

  it('crc32 matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789', 'ascii'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('refuses missing, foreign, bad-magic, cut, truncated, damaged, mixed-up and newer files, naming the file', () => {
    const { bytes } = good('corrupt');
    const at = (name: string, data: Uint8Array | string) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    };
    const read = (p: string) => () => readTensorFile(p, 'gan-checkpoint');

    const missing = join(dir, 'nope.bin');
    expectArtifactError(read(missing), missing, /GAN checkpoint file is missing/);

    const foreign = at('foreign.bin', 'hello, this is not a model');
    expectArtifactError(read(foreign), foreign, /not a valid GAN checkpoint file: .*signature/);

    const empty = at('empty.bin', '');
    expectArtifactError(read(empty), empty, /signature/);

    const magic = Buffer.from(bytes);
    magic.write('FPSH', 0, 'latin1');
    const badMagic = at('bad-magic.bin', magic);
    expectArtifactError(read(badMagic), badMagic, /signature/);

    const headerCut = at('header-cut.bin', bytes.subarray(0, 20));
    expectArtifactError(read(headerCut), headerCut, /header is cut short/);

    const hdr = Buffer.from(bytes);
    hdr[8] = '!'.charCodeAt(0); // '{' -> '!'
    const damagedHeader = at('damaged-header.bin', hdr);
    expectArtifactError(read(damagedHeader), damagedHeader, /header is damaged/);

    const truncated = at('truncated.bin', bytes.subarray(0, bytes.length - 4));
    expectArtifactError(read(truncated), truncated, /expected 88 bytes .* found 84 .*truncated/);

    const longer = at('longer.bin', Buffer.concat([bytes, Buffer.alloc(4)]));
    expectArtifactError(read(longer), longer, /found 92/);

    const f = Buffer.from(bytes);
    f[f.length - 10] ^= 0x01;
    const flipped = at('flipped.bin', f);
    expectArtifactError(read(flipped), flipped, /checksum/);

    const wrongKind = join(dir, 'generator.bin');
    writeTensorFile(wrongKind, 'generator', tensors);
    expectArtifactError(read(wrongKind), wrongKind, /not a valid GAN checkpoint file: it holds a generator/);
    const other = join(dir, 'other.bin');
    writeTensorFile(other, 'mystery', tensors);
    expectArtifactError(read(other), other, /it holds kind "mystery"/);
    expectArtifactError(() => readTensorFile(other, 'kmeans', 'k-means model'), other, /not a valid k-means model file/);

    const patch = (name: string, from: string, to: string) => {
      const text = bytes.toString('latin1');
      expect(text).toContain(from);
      expect(to.length).toBe(from.length); // keep the header length
      return at(name, Buffer.from(text.replace(from, to), 'latin1'));
    };
    const newer = patch('newer.bin', '"formatVersion":1', '"formatVersion":9');
    expectArtifactError(read(newer), newer, /format version 9; this fieldphone reads version 1/);

    const zeroDim = patch('zero-dim.bin', '"shape":[3,4]', '"shape":[0,4]');
    expectArtifactError(read(zeroDim), zeroDim, /tensor "weights" has shape \[0,4\], which is not a list of positive integers/);
    const fraction = patch('fraction.bin', '"shape":[4]', '"shape":"4"');
    expectArtifactError(read(fraction), fraction, /tensor "bias" has shape "4"/);
    const fraction2 = patch('fraction2.bin', '"shape":[2,1,3]', '"shape":[2,1.5]');
    expectArtifactError(read(fraction2), fraction2, /tensor "kernel" has shape \[2,1.5\]/);

    const four = Float32Array.of(1, 2, 3, 4);
    const dup = craft('dup.bin', { tensors: [{ name: 'a', shape: [2] }, { name: 'a', shape: [2] }] }, four);
    expectArtifactError(read(dup), dup, /missing or repeated name \("a"\)/);
    const noName = craft('no-name.bin', { tensors: [{ shape: [4] }] }, four);
    expectArtifactError(read(noName), noName, /missing or repeated name/);
    const noList = craft('no-list.bin', { tensors: 'all of them' }, four);
    expectArtifactError(read(noList), noList, /does not list the tensors/);
    const lying = craft('lying.bin', { tensors: [{ name: 'a', shape: [4] }], payloadFloats: 3 }, four);
    expectArtifactError(read(lying), lying, /truncated or damaged/);
    const ok = craft('ok.bin', { tensors: [{ name: 'a', shape: [2, 2] }] }, four);
    expect(Array.from(readTensorFile(ok, 'gan-checkpoint').tensors.a.data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses non-finite values on read (checksum intact) and on write', () => {
    // Checksum intact, so only the value check can catch it.
    const path = craft('nan.bin', { tensors: [{ name: 'a', shape: [1] }, { name: 'bias', shape: [3] }] }, Float32Array.of(0, 1, NaN, 2));
    expectArtifactError(() => readTensorFile(path, 'gan-checkpoint'), path, /tensor "bias" value 1 is NaN/);
    const inf = craft('inf.bin', { tensors: [{ name: 'a', shape: [2] }] }, Float32Array.of(-Infinity, 0));
    expectArtifactError(() => readTensorFile(inf, 'gan-checkpoint'), inf, /tensor "a" value 0 is -Infinity/);

    const out = join(dir, 'w', 'inf.bin');
    expectArtifactError(
      () => writeTensorFile(out, 'gan-checkpoint', { x: { shape: [2], data: Float32Array.of(1, Infinity) } }),
      out,
      /refusing to write GAN checkpoint: tensor "x" value 1 is Infinity/,
    );
    expectArtifactError(
      () => writeTensorFile(out, 'gan-checkpoint', { x: { shape: [3], data: Float32Array.of(1, 2) } }),
      out,
      /tensor "x" has 2 values but shape \[3\]/,
    );
    expect(readdirSync(dir)).not.toContain('w');
  });

  it('writes a large payload and reads it back', () => {
    const n = 4_000_000; // 16 MB
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (i % 1000) / 7;
    const path = join(dir, 'big.bin');
    writeTensorFile(path, 'generator', { w: { shape: [2000, 2000], data } }, { big: true });
    const back = readTensorFile(path, 'generator');
    expect(back.tensors.w.data.length).toBe(n);
    expect(back.tensors.w.data[123457]).toBe(data[123457]);
    expect(back.tensors.w.data[n - 1]).toBe(data[n - 1]);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
