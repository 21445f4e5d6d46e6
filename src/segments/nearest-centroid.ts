/**
 * The k-means hot loop: nearest centroid for a range of rows.
 *
 * Uses ‖x − c‖² = ‖x‖² + (‖c‖² − 2x·c): the bracket is all that decides the
 * winner, so ‖x‖² is added once per row, and ‖c‖² is precomputed per pass.
 * Sums are in float64 (JS numbers) whatever the storage.
 */

/** ‖c‖² for each of the k rows of `cents` (k × d). */
export function rowSquaredNorms(cents: Float64Array, k: number, d: number, out: Float64Array): void {
  for (let c = 0; c < k; c++) {
    const o = c * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += cents[o + j] * cents[o + j];
    out[c] = s;
  }
}

/**
 * For rows [start, end) of `x` (row-major, d columns): the index of the nearest
 * centroid (ties go to the lower index) into `labels[i]` and the squared
 * distance to it (clamped at 0 against rounding) into `dists[i]`.
 * Returns the sum of those distances.
 */
export function assignNearest(
  x: Float32Array,
  d: number,
  start: number,
  end: number,
  cents: Float64Array,
  centNorms: Float64Array,
  k: number,
  labels: Int32Array,
  dists: Float64Array,
): number {
  let total = 0;
  const k4 = k - (k % 4);
  // Rows go in pairs (an odd last row is paired with itself): each centroid
  // value loaded then serves two rows, each row value four centroids.
  for (let i = start; i < end; i += 2) {
    const ia = i, ib = i + 1 < end ? i + 1 : i;
    const xa = ia * d, xb = ib * d;
    let bestA = Infinity, bestB = Infinity, ca = 0, cb = 0;
    for (let c = 0; c < k4; c += 4) {
      const o0 = c * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let j = 0; j < d; j++) {
        const va = x[xa + j], vb = x[xb + j];
        const c0 = cents[o0 + j], c1 = cents[o1 + j], c2 = cents[o2 + j], c3 = cents[o3 + j];
        a0 += va * c0; a1 += va * c1; a2 += va * c2; a3 += va * c3;
        b0 += vb * c0; b1 += vb * c1; b2 += vb * c2; b3 += vb * c3;
      }
      let v = centNorms[c] - 2 * a0;
      if (v < bestA) { bestA = v; ca = c; }
      v = centNorms[c + 1] - 2 * a1;
      if (v < bestA) { bestA = v; ca = c + 1; }
      v = centNorms[c + 2] - 2 * a2;
      if (v < bestA) { bestA = v; ca = c + 2; }
      v = centNorms[c + 3] - 2 * a3;
      if (v < bestA) { bestA = v; ca = c + 3; }
      v = centNorms[c] - 2 * b0;
      if (v < bestB) { bestB = v; cb = c; }
      v = centNorms[c + 1] - 2 * b1;
      if (v < bestB) { bestB = v; cb = c + 1; }
      v = centNorms[c + 2] - 2 * b2;
      if (v < bestB) { bestB = v; cb = c + 2; }
      v = centNorms[c + 3] - 2 * b3;
      if (v < bestB) { bestB = v; cb = c + 3; }
    }
    for (let c = k4; c < k; c++) {
      const o = c * d;
      let a = 0, b = 0;
      for (let j = 0; j < d; j++) {
        a += x[xa + j] * cents[o + j];
        b += x[xb + j] * cents[o + j];
      }
      let v = centNorms[c] - 2 * a;
      if (v < bestA) { bestA = v; ca = c; }
      v = centNorms[c] - 2 * b;
      if (v < bestB) { bestB = v; cb = c; }
    }
    let na = 0, nb = 0;
    for (let j = 0; j < d; j++) {
      na += x[xa + j] * x[xa + j];
      nb += x[xb + j] * x[xb + j];
    }
    const da = na + bestA > 0 ? na + bestA : 0;
    const db = nb + bestB > 0 ? nb + bestB : 0;
    labels[ia] = ca;
    dists[ia] = da;
    total += da;
    if (ib !== ia) {
      labels[ib] = cb;
      dists[ib] = db;
      total += db;
    }
  }
  return total;
}
