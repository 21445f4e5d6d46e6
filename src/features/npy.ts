/**
 * NumPy .npy files (format spec: numpy.lib.format), the array format of
 * fairseq feature folders. Reading accepts versions 1.0–3.0, little-endian
 * float16/32/64, C order, 1-D (read as one column) or 2-D; anything else is an
 * InputFileError saying what was found. Writing emits version 1.0, '<f4'.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputFileError } from '../util/errors.js';
import { float32ToBytes, writeFileAtomic } from '../util/fsx.js';
import type { Matrix } from '../util/matrix.js';
import { matrix } from '../util/matrix.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** numpy pads the header so the data starts on a 64-byte boundary. */
const HEADER_ALIGN = 64;

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

export function readNpy(path: string): Matrix {
  if (!existsSync(path)) throw new InputFileError(path, 'file not found');
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const header = readHeader(fd, size, path);
    const itemSize = itemSizeOf(header.descr, path);
    const [rows, cols] = shapeToRowsCols(header, path);
    const expected = rows * cols * itemSize;
    const actual = size - header.dataOffset;
    if (actual < expected)
      throw new InputFileError(path, `truncated: shape (${header.shape.join(', ')}) needs ${expected} bytes of data but only ${actual} are present`);
    if (actual > expected)
      throw new InputFileError(path, `${actual - expected} unexpected bytes after the data of shape (${header.shape.join(', ')})`);
    // Read straight into a fresh (hence aligned) buffer, then view it as the stored type.
    const buf = new ArrayBuffer(expected);
    readFully(fd, new Uint8Array(buf), header.dataOffset, path);
    const n = rows * cols;
    let data: Float32Array;
    if (itemSize === 4) data = new Float32Array(buf);
    else if (itemSize === 8) data = Float32Array.from(new Float64Array(buf));
    else {
      const half = new Uint16Array(buf);
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = halfToFloat(half[i]);
    }
    return matrix(rows, cols, data);
  } finally {
    closeSync(fd);
  }
}

export function writeNpy(path: string, m: Matrix): void {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${m.rows}, ${m.cols}), }`;
  // magic(6) + version(2) + length(2) + dict + padding spaces + '\n' ≡ 0 mod 64
  const unpadded = 10 + dict.length + 1;
  const headerText = dict + ' '.repeat((HEADER_ALIGN - (unpadded % HEADER_ALIGN)) % HEADER_ALIGN) + '\n';
  const out = new Uint8Array(10 + headerText.length + m.rows * m.cols * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerText.length, true);
  out.set(Buffer.from(headerText, 'latin1'), 10);
  out.set(float32ToBytes(m.data.subarray(0, m.rows * m.cols)), 10 + headerText.length);
  writeFileAtomic(path, out);
}

function readHeader(fd: number, size: number, path: string): NpyHeader {
  const notNpy = () => new InputFileError(path, 'not a NumPy .npy file (bad magic bytes)');
  if (size < 10) throw notNpy();
  const pre = new Uint8Array(12);
  readFully(fd, pre.subarray(0, Math.min(12, size)), 0, path);
  for (let i = 0; i < MAGIC.length; i++) if (pre[i] !== MAGIC[i]) throw notNpy();
  const major = pre[6];
  if (major < 1 || major > 3) throw new InputFileError(path, `unsupported .npy format version ${major}.${pre[7]} (fieldphone reads 1.0–3.0)`);
  const view = new DataView(pre.buffer);
  const lenBytes = major === 1 ? 2 : 4;
  if (size < 8 + lenBytes) throw new InputFileError(path, 'truncated .npy header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lenBytes + headerLen;
  if (dataOffset > size) throw new InputFileError(path, `truncated .npy header (declares ${headerLen} bytes, file has ${size})`);
  const raw = new Uint8Array(headerLen);
  readFully(fd, raw, 8 + lenBytes, path);
  const text = Buffer.from(raw).toString(major === 3 ? 'utf8' : 'latin1');
  const bad = (what: string) => new InputFileError(path, `malformed .npy header (${what}): ${JSON.stringify(text.trim())}`);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined) throw bad("no 'descr'");
  if (fortran === undefined) throw bad("no 'fortran_order'");
  if (shapeText === undefined) throw bad("no 'shape'");
  const shape = shapeText
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+$/.test(s)) throw bad(`shape entry '${s}'`);
      return Number(s);
    });
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset };
}

function itemSizeOf(descr: string, path: string): number {
  const sizes: Record<string, number> = { '<f2': 2, '<f4': 4, '<f8': 8 };
  const s = sizes[descr];
  if (s !== undefined) return s;
  if (/^>f[248]$/.test(descr))
    throw new InputFileError(path, `big-endian data ('${descr}') is not supported; convert it with numpy: a.astype('<f4')`);
  throw new InputFileError(path, `unsupported dtype '${descr}'; fieldphone reads little-endian float16/float32/float64`);
}

function shapeToRowsCols(h: NpyHeader, path: string): [number, number] {
  if (h.shape.length === 1) return [h.shape[0], 1];
  if (h.shape.length !== 2) throw new InputFileError(path, `expected a 1-D or 2-D array, found shape (${h.shape.join(', ')})`);
  const [rows, cols] = h.shape;
  // Fortran order only changes the layout when both dimensions exceed 1.
  if (h.fortranOrder && rows > 1 && cols > 1)
    throw new InputFileError(path, 'array is stored in Fortran (column-major) order; save it with numpy.ascontiguousarray first');
  return [rows, cols];
}

function readFully(fd: number, into: Uint8Array, position: number, path: string): void {
  let off = 0;
  while (off < into.length) {
    const n = readSync(fd, into, off, Math.min(into.length - off, 1 << 30), position + off);
    if (n === 0) throw new InputFileError(path, `unexpected end of file at byte ${position + off} (was it changed while being read?)`);
    off += n;
  }
}

/** IEEE 754 binary16 → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
