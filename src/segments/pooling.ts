/**
 * wav2vec-U 1.0's two poolings: frames → segments (runs of one cluster ID,
 * `merge_clusters.py` mode mean), then segments → pairs (`mean_pool.py`,
 * subsample rate 0.5), bringing ~50–100 Hz frames near the phone rate.
 */
import { UsageError } from '../util/errors.js';
import { matrix, type Matrix } from '../util/matrix.js';

export interface Segments {
  /** One row per segment. */
  features: Matrix;
  /** 2 × segments: [startFrame, endFrame) of each segment, in frames of the original utterance. */
  spans: Int32Array;
  /** Cluster ID of each segment (after poolPairs: the ID covering more frames of the pair, the first on a tie). */
  clusters: Int32Array;
}

/** One segment per run of identical cluster IDs; its features are the mean of the run's frames. */
export function mergeRuns(frames: Matrix, clusterIds: Int32Array): Segments {
  if (clusterIds.length !== frames.rows) {
    throw new UsageError(`mergeRuns: ${clusterIds.length} cluster IDs for ${frames.rows} frames`);
  }
  const n = frames.rows, d = frames.cols, x = frames.data;
  let runs = 0;
  for (let i = 0; i < n; i++) if (i === 0 || clusterIds[i] !== clusterIds[i - 1]) runs++;
  const features = new Float32Array(runs * d);
  const spans = new Int32Array(2 * runs);
  const clusters = new Int32Array(runs);
  const sum = new Float64Array(d);
  let seg = 0;
  for (let start = 0; start < n; seg++) {
    let end = start + 1;
    while (end < n && clusterIds[end] === clusterIds[start]) end++;
    sum.fill(0);
    for (let i = start; i < end; i++) for (let j = 0; j < d; j++) sum[j] += x[i * d + j];
    for (let j = 0; j < d; j++) features[seg * d + j] = sum[j] / (end - start);
    spans[2 * seg] = start;
    spans[2 * seg + 1] = end;
    clusters[seg] = clusterIds[start];
    start = end;
  }
  return { features: matrix(runs, d, features), spans, clusters };
}

/**
 * Average segments 0+1, 2+3, …; an odd last segment stays as it is (fairseq
 * pads by repeating it, which averages to the same). Vectors are averaged
 * unweighted, as fairseq does, whatever the segments' lengths.
 */
export function poolPairs(seg: Segments): Segments {
  const n = seg.features.rows, d = seg.features.cols, x = seg.features.data;
  const m = Math.ceil(n / 2);
  const features = new Float32Array(m * d);
  const spans = new Int32Array(2 * m);
  const clusters = new Int32Array(m);
  for (let p = 0; p < m; p++) {
    const a = 2 * p;
    const b = Math.min(a + 1, n - 1);
    for (let j = 0; j < d; j++) features[p * d + j] = (x[a * d + j] + x[b * d + j]) / 2;
    spans[2 * p] = seg.spans[2 * a];
    spans[2 * p + 1] = seg.spans[2 * b + 1];
    const lenA = seg.spans[2 * a + 1] - seg.spans[2 * a];
    const lenB = seg.spans[2 * b + 1] - seg.spans[2 * b];
    clusters[p] = lenB > lenA ? seg.clusters[b] : seg.clusters[a];
  }
  return { features: matrix(m, d, features), spans, clusters };
}
