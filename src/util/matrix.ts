/**
 * A dense row-major float32 matrix: `rows` frames (or vectors) of `cols` values.
 * The one array type every stage passes around (frames, segments, centroids).
 */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

export function matrix(rows: number, cols: number, data?: Float32Array): Matrix {
  const d = data ?? new Float32Array(rows * cols);
  if (d.length !== rows * cols) throw new Error(`matrix data length ${d.length} != ${rows}x${cols}`);
  return { data: d, rows, cols };
}

export function row(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** Rows [start, end) as a view (no copy). */
export function sliceRows(m: Matrix, start: number, end: number): Matrix {
  return { data: m.data.subarray(start * m.cols, end * m.cols), rows: end - start, cols: m.cols };
}

export function concatRows(ms: Matrix[]): Matrix {
  if (ms.length === 0) return matrix(0, 0);
  const cols = ms[0].cols;
  const rows = ms.reduce((s, m) => s + m.rows, 0);
  const out = new Float32Array(rows * cols);
  let off = 0;
  for (const m of ms) {
    if (m.cols !== cols) throw new Error(`concatRows: column mismatch ${m.cols} != ${cols}`);
    out.set(m.data, off);
    off += m.data.length;
  }
  return { data: out, rows, cols };
}

/**
 * Copies of the matrices in one SharedArrayBuffer: posted to a worker thread, they are shared,
 * not copied, so every worker reads the same frames without a copy of its own.
 */
export function sharedMatrices(ms: { rows: number; cols: number }[], from?: Matrix[]): Matrix[] {
  const total = ms.reduce((n, m) => n + m.rows * m.cols, 0);
  const buf = new SharedArrayBuffer(total * Float32Array.BYTES_PER_ELEMENT);
  let off = 0;
  return ms.map((m, i) => {
    const data = new Float32Array(buf, off * Float32Array.BYTES_PER_ELEMENT, m.rows * m.cols);
    if (from) data.set(from[i].data);
    off += m.rows * m.cols;
    return { data, rows: m.rows, cols: m.cols };
  });
}

/** The matrices as they are when already in shared memory, else copied there (all into one buffer). */
export function inSharedMemory(ms: Matrix[]): Matrix[] {
  return ms.every((m) => m.data.buffer instanceof SharedArrayBuffer) ? ms : sharedMatrices(ms, ms);
}
