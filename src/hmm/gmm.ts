/**
 * Diagonal-covariance Gaussian mixtures, the HMM states' emission densities:
 *
 *   ln p(x) = ln Σ_m w_m N(x; μ_m, diag σ²_m)
 *   ln w_m N(x; μ_m, σ²_m) = ln w_m − ½ Σ_d [ln 2πσ²_md + (x_d − μ_md)² / σ²_md]
 *
 * evaluated as  g_m + Σ_d x_d (μ_md/σ²_md − ½ x_d / σ²_md)  with the
 * constant g_m precomputed, so one component costs 2·D multiply-adds.
 * EM statistics (occupancy, Σ γx, Σ γx²) accumulate in double precision;
 * variances are floored, and mixtures grow by splitting the heaviest
 * component along its standard deviation (HTK's HHEd MU, Kaldi's gmm-mixup).
 */

const LOG_2PI = Math.log(2 * Math.PI);

export class DiagGmm {
  readonly dim: number;
  readonly numComponents: number;
  readonly weights: Float64Array;
  /** M × D row-major. */
  readonly means: Float64Array;
  readonly vars: Float64Array;
  /** μ/σ² and −½/σ², M × D. */
  private readonly lin: Float64Array;
  private readonly quad: Float64Array;
  private readonly consts: Float64Array;

  constructor(weights: Float64Array, means: Float64Array, vars: Float64Array) {
    const M = weights.length;
    const D = M > 0 ? means.length / M : 0;
    if (M === 0 || !Number.isInteger(D) || D === 0 || vars.length !== M * D) throw new Error(`DiagGmm: inconsistent shapes (${M} weights, ${means.length} means, ${vars.length} variances)`);
    this.dim = D;
    this.numComponents = M;
    this.weights = weights;
    this.means = means;
    this.vars = vars;
    this.lin = new Float64Array(M * D);
    this.quad = new Float64Array(M * D);
    this.consts = new Float64Array(M);
    for (let m = 0; m < M; m++) {
      let c = Math.log(weights[m]) - 0.5 * D * LOG_2PI;
      for (let d = 0; d < D; d++) {
        const i = m * D + d;
        if (!(vars[i] > 0)) throw new Error(`DiagGmm: variance ${vars[i]} of component ${m}, dimension ${d} is not positive`);
        this.lin[i] = means[i] / vars[i];
        this.quad[i] = -0.5 / vars[i];
        c -= 0.5 * (Math.log(vars[i]) + means[i] * means[i] / vars[i]);
      }
      this.consts[m] = c;
    }
  }

  /** One Gaussian with the given mean and variance. */
  static single(mean: ArrayLike<number>, variance: ArrayLike<number>): DiagGmm {
    return new DiagGmm(Float64Array.of(1), Float64Array.from(mean), Float64Array.from(variance));
  }

  /**
   * ln(w_m N(x; μ_m, σ²_m)) of every component into `out` (length ≥ M);
   * returns ln p(x). `x` is read at [off, off + D).
   */
  componentLogLiks(x: ArrayLike<number>, off: number, out: Float64Array): number {
    const D = this.dim, M = this.numComponents;
    const lin = this.lin, quad = this.quad, consts = this.consts;
    let max = -Infinity;
    for (let m = 0; m < M; m++) {
      const b = m * D;
      let v = consts[m];
      for (let d = 0; d < D; d++) {
        const xd = x[off + d];
        v += xd * (lin[b + d] + xd * quad[b + d]);
      }
      out[m] = v;
      if (v > max) max = v;
    }
    if (M === 1) return out[0];
    let s = 0;
    for (let m = 0; m < M; m++) s += Math.exp(out[m] - max);
    return max + Math.log(s);
  }

  logLikelihood(x: ArrayLike<number>, off = 0, scratch = new Float64Array(this.numComponents)): number {
    return this.componentLogLiks(x, off, scratch);
  }
}

/** EM sufficient statistics of one GMM. */
export class GmmStats {
  readonly dim: number;
  readonly numComponents: number;
  readonly occ: Float64Array;
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  /** Σ weight · ln p(x) over the accumulated frames (for monitoring EM). */
  logLik = 0;
  private readonly scratch: Float64Array;

  constructor(numComponents: number, dim: number) {
    this.dim = dim;
    this.numComponents = numComponents;
    this.occ = new Float64Array(numComponents);
    this.sum = new Float64Array(numComponents * dim);
    this.sumSq = new Float64Array(numComponents * dim);
    this.scratch = new Float64Array(numComponents);
  }

  /** Statistics summed elsewhere (PassAccum), to update a GMM from. */
  static from(p: { occ: Float64Array; sum: Float64Array; sumSq: Float64Array }, dim: number): GmmStats {
    const st = new GmmStats(p.occ.length, dim);
    st.occ.set(p.occ);
    st.sum.set(p.sum);
    st.sumSq.set(p.sumSq);
    return st;
  }

  /** Add frame x (at [off, off+D)) with state occupancy `weight`, split over the components by their posteriors. */
  accumulate(gmm: DiagGmm, x: ArrayLike<number>, off: number, weight = 1): void {
    const D = this.dim, M = this.numComponents;
    const ll = gmm.componentLogLiks(x, off, this.scratch);
    this.logLik += weight * ll;
    for (let m = 0; m < M; m++) {
      const g = M === 1 ? weight : weight * Math.exp(this.scratch[m] - ll);
      if (g < 1e-10) continue;
      this.occ[m] += g;
      const b = m * D;
      for (let d = 0; d < D; d++) {
        const xd = x[off + d];
        this.sum[b + d] += g * xd;
        this.sumSq[b + d] += g * xd * xd;
      }
    }
  }

  /** Add frame x wholly to component m (used to initialise from a hard assignment). */
  accumulateHard(m: number, x: ArrayLike<number>, off: number, weight = 1): void {
    const D = this.dim, b = m * this.dim;
    this.occ[m] += weight;
    for (let d = 0; d < D; d++) {
      const xd = x[off + d];
      this.sum[b + d] += weight * xd;
      this.sumSq[b + d] += weight * xd * xd;
    }
  }

  totalOcc(): number {
    let s = 0;
    for (let m = 0; m < this.numComponents; m++) s += this.occ[m];
    return s;
  }
}

export interface GmmUpdateOptions {
  /** Per-dimension variance floor (e.g. a fraction of the global variance). */
  varFloor: ArrayLike<number>;
  /** Components with less occupancy than this are dropped (keep at least one). */
  minOcc: number;
}

/**
 * Maximum-likelihood update from the statistics. A component that saw too
 * little data is removed and its weight shared out; a GMM whose statistics
 * are all empty is returned unchanged (the caller keeps the old model).
 */
export function updateGmm(old: DiagGmm, st: GmmStats, o: GmmUpdateOptions): DiagGmm {
  const D = old.dim;
  const total = st.totalOcc();
  if (!(total > 0)) return old;
  const keep: number[] = [];
  for (let m = 0; m < st.numComponents; m++) if (st.occ[m] >= o.minOcc) keep.push(m);
  if (keep.length === 0) {
    // Everything below the threshold: one Gaussian from the pooled statistics.
    let best = 0;
    for (let m = 1; m < st.numComponents; m++) if (st.occ[m] > st.occ[best]) best = m;
    keep.push(best);
    pool(st, best);
  }
  const kept = keep.reduce((s, m) => s + st.occ[m], 0);
  const weights = new Float64Array(keep.length);
  const means = new Float64Array(keep.length * D);
  const vars = new Float64Array(keep.length * D);
  keep.forEach((m, j) => {
    const n = st.occ[m];
    weights[j] = n / kept;
    for (let d = 0; d < D; d++) {
      const mu = st.sum[m * D + d] / n;
      means[j * D + d] = mu;
      vars[j * D + d] = Math.max(st.sumSq[m * D + d] / n - mu * mu, o.varFloor[d]);
    }
  });
  return new DiagGmm(weights, means, vars);
}

/** Fold every component's statistics into component `into`. */
function pool(st: GmmStats, into: number): void {
  const D = st.dim;
  for (let m = 0; m < st.numComponents; m++) {
    if (m === into) continue;
    st.occ[into] += st.occ[m];
    for (let d = 0; d < D; d++) {
      st.sum[into * D + d] += st.sum[m * D + d];
      st.sumSq[into * D + d] += st.sumSq[m * D + d];
    }
  }
}

/**
 * Grow to `target` components (never shrinks) by repeatedly splitting the
 * heaviest one into two of half its weight whose means sit ±`perturb`
 * standard deviations from the original (variances copied).
 */
export function splitGmm(gmm: DiagGmm, target: number, perturb = 0.2): DiagGmm {
  const D = gmm.dim;
  const w = Array.from(gmm.weights);
  const mu: Float64Array[] = [];
  const v: Float64Array[] = [];
  for (let m = 0; m < gmm.numComponents; m++) {
    mu.push(gmm.means.slice(m * D, (m + 1) * D));
    v.push(gmm.vars.slice(m * D, (m + 1) * D));
  }
  while (w.length < target) {
    let h = 0;
    for (let m = 1; m < w.length; m++) if (w[m] > w[h]) h = m;
    const a = new Float64Array(D), b = new Float64Array(D);
    for (let d = 0; d < D; d++) {
      const s = perturb * Math.sqrt(v[h][d]);
      a[d] = mu[h][d] + s;
      b[d] = mu[h][d] - s;
    }
    w[h] /= 2;
    mu[h] = a;
    w.push(w[h]);
    mu.push(b);
    v.push(v[h].slice());
  }
  const M = w.length;
  const means = new Float64Array(M * D), vars = new Float64Array(M * D);
  for (let m = 0; m < M; m++) {
    means.set(mu[m], m * D);
    vars.set(v[m], m * D);
  }
  return new DiagGmm(Float64Array.from(w), means, vars);
}
