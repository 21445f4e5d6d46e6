/**
 * Seeded random numbers, so every stage that samples (k-means init, silence
 * insertion, batching) is reproducible from its config's seed.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
}

/**
 * mulberry32: small, fast, good enough for sampling (not for cryptography).
 * A class, not closures: every generator shares the same method functions, so
 * a hot loop's call site sees one target and V8 keeps it inlined. With a fresh
 * closure per generator, the second generator through the same loop
 * deoptimises it ("wrong call target"; decipherment's annealer ran about 2.5×
 * slower from its second run on, together with its own per-run closures).
 */
class Mulberry32 implements Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

export function makeRng(seed: number): Rng {
  return new Mulberry32(seed);
}

export function shuffleInPlace<T>(a: T[], rng: Rng): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
