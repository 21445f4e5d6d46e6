/**
 * Cepstral mean (and variance) normalisation, per utterance or over any group
 * of utterances (e.g. a speaker) via accumulated statistics, as Kaldi's
 * compute-cmvn-stats / apply-cmvn. Statistics are float64 so long recordings
 * do not lose precision.
 */
import { FieldphoneError } from '../util/errors.js';
import type { Matrix } from '../util/matrix.js';
import { matrix } from '../util/matrix.js';

export interface CmvnStats {
  count: number;
  sum: Float64Array;
  sumSq: Float64Array;
}

export interface CmvnOptions {
  /** Also scale to unit variance (default true). Kaldi's apply-cmvn default is mean only. */
  variance?: boolean;
}

/** Below this variance a dimension is treated as constant and only centred (avoids dividing by ~0). */
const MIN_VARIANCE = 1e-10;

/** Add m's rows to stats (a new object is returned when stats is undefined; otherwise stats is updated and returned). */
export function accumulateCmvn(stats: CmvnStats | undefined, m: Matrix): CmvnStats {
  const s = stats ?? { count: 0, sum: new Float64Array(m.cols), sumSq: new Float64Array(m.cols) };
  checkDim(s, m);
  const { rows, cols, data } = m;
  for (let t = 0; t < rows; t++) {
    const o = t * cols;
    for (let c = 0; c < cols; c++) {
      const v = data[o + c];
      s.sum[c] += v;
      s.sumSq[c] += v * v;
    }
  }
  s.count += rows;
  return s;
}

/** A normalised copy of m using the given statistics. */
export function applyCmvn(m: Matrix, stats: CmvnStats, opts: CmvnOptions = {}): Matrix {
  checkDim(stats, m);
  if (stats.count <= 0) throw new FieldphoneError('empty-cmvn-stats', 'CMVN statistics are empty (no frames were accumulated)');
  const variance = opts.variance ?? true;
  const { rows, cols, data } = m;
  const shift = new Float64Array(cols);
  const scale = new Float64Array(cols).fill(1);
  for (let c = 0; c < cols; c++) {
    const mean = stats.sum[c] / stats.count;
    shift[c] = mean;
    if (variance) {
      const v = stats.sumSq[c] / stats.count - mean * mean;
      if (v > MIN_VARIANCE) scale[c] = 1 / Math.sqrt(v);
    }
  }
  const out = new Float32Array(rows * cols);
  for (let t = 0; t < rows; t++) {
    const o = t * cols;
    for (let c = 0; c < cols; c++) out[o + c] = (data[o + c] - shift[c]) * scale[c];
  }
  return matrix(rows, cols, out);
}

/** Per-utterance CMVN. An empty utterance is returned unchanged. */
export function cmvnUtterance(m: Matrix, opts: CmvnOptions = {}): Matrix {
  if (m.rows === 0) return matrix(0, m.cols);
  return applyCmvn(m, accumulateCmvn(undefined, m), opts);
}

function checkDim(stats: CmvnStats, m: Matrix): void {
  if (stats.sum.length !== m.cols || stats.sumSq.length !== m.cols)
    throw new FieldphoneError('dimension-mismatch', `CMVN statistics have dimension ${stats.sum.length} but the features have ${m.cols}`);
}
