/**
 * Power spectrum of a real frame via an N/2-point complex radix-2 FFT (the
 * standard "pack even/odd samples as re/im, then split" trick). The hot path
 * allocates nothing: bit-reversal table, per-stage twiddles (contiguous, so
 * the inner loop reads them sequentially) and work buffers are precomputed;
 * the first two stages are fused into one multiplication-free radix-4 pass.
 */
export class RealPowerSpectrum {
  readonly size: number;
  private readonly half: number;
  private readonly bitrev: Uint32Array;
  /** Interleaved (re, im) twiddles exp(-2πi j/len), j < len/2, for each stage len = 8, 16, …, half. */
  private readonly stageTwiddles: Float64Array;
  /** exp(-2πi k / size), k ≤ half: twiddles of the final real/imag split. */
  private readonly splitRe: Float64Array;
  private readonly splitIm: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 8 || (size & (size - 1)) !== 0) throw new Error(`FFT size must be a power of two >= 8, got ${size}`);
    this.size = size;
    const half = (this.half = size >> 1);
    const bits = Math.log2(half);
    this.bitrev = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitrev[i] = r;
    }
    const tw: number[] = [];
    for (let len = 8; len <= half; len <<= 1)
      for (let j = 0; j < len / 2; j++) tw.push(Math.cos((-2 * Math.PI * j) / len), Math.sin((-2 * Math.PI * j) / len));
    this.stageTwiddles = Float64Array.from(tw);
    this.splitRe = new Float64Array(half + 1);
    this.splitIm = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.splitRe[k] = Math.cos((-2 * Math.PI * k) / size);
      this.splitIm[k] = Math.sin((-2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
  }

  /**
   * |X[k]|² for k = 0..size/2 of the real input x (x.length ≤ size; the rest
   * is zero padding), written into out (length ≥ size/2 + 1).
   */
  compute(x: ArrayLike<number>, out: Float64Array): void {
    const { half, bitrev, re, im, stageTwiddles: tw, splitRe, splitIm } = this;
    const n = x.length;
    if (n > this.size) throw new Error(`FFT input of ${n} samples exceeds size ${this.size}`);
    // Pack x[2m] + i·x[2m+1] straight into bit-reversed order (zero padding past n).
    const pairs = n >> 1;
    for (let m = 0; m < pairs; m++) {
      const j = bitrev[m];
      re[j] = x[2 * m];
      im[j] = x[2 * m + 1];
    }
    for (let m = pairs; m < half; m++) {
      const j = bitrev[m];
      re[j] = 2 * m < n ? x[2 * m] : 0;
      im[j] = 0;
    }
    // Stages len = 2 and 4 together: twiddles are 1 and -i only.
    for (let s = 0; s < half; s += 4) {
      const r0 = re[s], i0 = im[s], r1 = re[s + 1], i1 = im[s + 1];
      const r2 = re[s + 2], i2 = im[s + 2], r3 = re[s + 3], i3 = im[s + 3];
      const ar = r0 + r1, ai = i0 + i1, br = r0 - r1, bi = i0 - i1;
      const cr = r2 + r3, ci = i2 + i3, dr = r2 - r3, di = i2 - i3;
      re[s] = ar + cr;
      im[s] = ai + ci;
      re[s + 2] = ar - cr;
      im[s + 2] = ai - ci;
      // (dr + i·di)·(-i) = di - i·dr
      re[s + 1] = br + di;
      im[s + 1] = bi - dr;
      re[s + 3] = br - di;
      im[s + 3] = bi + dr;
    }
    let t0 = 0;
    for (let len = 8; len <= half; len <<= 1) {
      const h = len >> 1;
      for (let start = 0; start < half; start += len) {
        for (let j = 0; j < h; j++) {
          const a = start + j, b = a + h;
          const wr = tw[t0 + 2 * j], wi = tw[t0 + 2 * j + 1];
          const rb = re[b], ib = im[b];
          const tr = rb * wr - ib * wi, ti = rb * wi + ib * wr;
          const ra = re[a], ia = im[a];
          re[b] = ra - tr;
          im[b] = ia - ti;
          re[a] = ra + tr;
          im[a] = ia + ti;
        }
      }
      t0 += len;
    }
    // Split Z into the spectra of the even (E) and odd (O) samples:
    // E[k] = (Z[k] + conj Z[half-k]) / 2,  O[k] = (Z[k] - conj Z[half-k]) / 2i,
    // X[k] = E[k] + exp(-2πik/size)·O[k].
    for (let k = 0; k <= half; k++) {
      const k1 = k === half ? 0 : k;
      const k2 = k === 0 ? 0 : half - k;
      const zr = re[k1], zi = im[k1], cr = re[k2], ci = -im[k2];
      const er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
      // (dr + i·di) / 2i = (di - i·dr) / 2
      const or = 0.5 * (zi - ci), oi = -0.5 * (zr - cr);
      const wr = splitRe[k], wi = splitIm[k];
      const xr = er + or * wr - oi * wi;
      const xi = ei + or * wi + oi * wr;
      out[k] = xr * xr + xi * xi;
    }
  }
}
