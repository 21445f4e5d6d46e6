/**
 * CTC loss and gradient (src/model/ctc-loss.ts) against brute force: every
 * path of T frames over V outputs is enumerated, collapsed (repeats merged,
 * blanks dropped) and its probability summed when it gives the labels.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { ctcFeasible, ctcForwardBackward, ctcLoss } from '../../src/model/ctc-loss.js';
import { makeRng } from '../../src/util/rng.js';

/** −log p(labels) and its gradient w.r.t. the logits, by enumerating all V^T paths. */
function bruteForce(logits: Float64Array, T: number, V: number, labels: number[], blank: number): { nll: number; grad: Float64Array } {
  const y = new Float64Array(T * V);
  for (let t = 0; t < T; t++) {
    let z = 0;
    for (let k = 0; k < V; k++) z += Math.exp(logits[t * V + k]);
    for (let k = 0; k < V; k++) y[t * V + k] = Math.exp(logits[t * V + k]) / z;
  }
  let p = 0;
  // occ[t][k]: probability mass of the label's paths that output k at frame t.
  const occ = new Float64Array(T * V);
  const path = new Array<number>(T).fill(0);
  for (let n = 0; n < V ** T; n++) {
    let m = n;
    for (let t = 0; t < T; t++) {
      path[t] = m % V;
      m = Math.floor(m / V);
    }
    const collapsed: number[] = [];
    path.forEach((k, t) => {
      if (k !== blank && (t === 0 || path[t - 1] !== k)) collapsed.push(k);
    });
    if (collapsed.join(',') !== labels.join(',')) continue;
    let q = 1;
    path.forEach((k, t) => (q *= y[t * V + k]));
    p += q;
    path.forEach((k, t) => (occ[t * V + k] += q));
  }
  // −log p = −log Σ_paths Π y; ∂/∂u_t(k) = y_t(k) − occ_t(k)/p.
  return { nll: -Math.log(p), grad: y.map((v, i) => v - occ[i] / p) };
}

function randomLogits(T: number, V: number, seed: number): Float64Array {
  const rng = makeRng(seed);
  return Float64Array.from({ length: T * V }, () => 2 * rng.normal());
}

const CASES: { T: number; V: number; labels: number[]; blank: number }[] = [
  { T: 1, V: 3, labels: [1], blank: 0 },
  { T: 3, V: 3, labels: [1, 2], blank: 0 },
  { T: 4, V: 3, labels: [1, 1], blank: 0 }, // a repeat needs a blank between
  { T: 5, V: 4, labels: [2, 1, 2], blank: 3 }, // blank last, as the network has it
  { T: 5, V: 4, labels: [1, 1, 2], blank: 0 },
  { T: 5, V: 3, labels: [2, 2, 2], blank: 0 }, // needs exactly 5 frames
  { T: 4, V: 4, labels: [], blank: 0 }, // only the all-blank path
  { T: 5, V: 4, labels: [3, 1], blank: 2 },
];

describe('CTC numerics', () => {
  it('loss and gradient equal the brute-force sum over every alignment', () => {
    for (const [i, c] of CASES.entries()) {
      for (const seed of [1, 2, 3]) {
        const logits = randomLogits(c.T, c.V, 100 * i + seed);
        const ref = bruteForce(logits, c.T, c.V, c.labels, c.blank);
        const grad = new Float64Array(c.T * c.V);
        const got = ctcForwardBackward(logits, c.T, c.V, c.labels, c.blank, grad);
        expect(got.nll, JSON.stringify(c)).toBeCloseTo(ref.nll, 10);
        for (let j = 0; j < grad.length; j++) expect(grad[j], `${JSON.stringify(c)} element ${j}`).toBeCloseTo(ref.grad[j], 10);
        // Each frame's gradient sums to zero (softmax minus a distribution over the outputs).
        for (let t = 0; t < c.T; t++) expect(grad.subarray(t * c.V, (t + 1) * c.V).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
      }
    }
  });

  it('gradient equals central finite differences of the loss', () => {
    const T = 5, V = 4, labels = [1, 2, 1], blank = 0;
    const logits = randomLogits(T, V, 42);
    const grad = new Float64Array(T * V);
    ctcForwardBackward(logits, T, V, labels, blank, grad);
    const eps = 1e-5;
    for (let j = 0; j < T * V; j++) {
      const up = Float64Array.from(logits), down = Float64Array.from(logits);
      up[j] += eps;
      down[j] -= eps;
      const fd = (ctcForwardBackward(up, T, V, labels, blank).nll - ctcForwardBackward(down, T, V, labels, blank).nll) / (2 * eps);
      expect(grad[j]).toBeCloseTo(fd, 7);
    }
  });

  it('stays finite over 2000 frames whose probability underflows float64', () => {
    const T = 2000, V = 5, blank = 4;
    const labels = Array.from({ length: 300 }, (_, i) => i % 4);
    const logits = randomLogits(T, V, 9);
    const grad = new Float64Array(T * V);
    const r = ctcForwardBackward(logits, T, V, labels, blank, grad);
    expect(r.nll).toBeGreaterThan(745); // p < 1e-323
    expect(Number.isFinite(r.nll)).toBe(true);
    for (let t = 0; t < T; t += 97) expect(grad.subarray(t * V, (t + 1) * V).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 9);
  });

  it('no alignment (too few frames for the labels) gives Infinity and no gradient', () => {
    expect(ctcFeasible(3, [1, 1])).toBe(true);
    expect(ctcFeasible(2, [1, 1])).toBe(false); // 1 blank 1
    expect(ctcFeasible(2, [1, 2])).toBe(true);
    const grad = new Float64Array(2 * 3).fill(7);
    expect(ctcForwardBackward(randomLogits(2, 3, 1), 2, 3, [1, 1], 0, grad).nll).toBe(Infinity);
    expect([...grad]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(bruteForce(randomLogits(2, 3, 1), 2, 3, [1, 1], 0).nll).toBe(Infinity);
  });
});

describe('ctcLoss on the tape (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('a padded batch: loss is Σ nll / Σ frames of the feasible utterances, and tf.grad gives the brute-force gradient', () => {
    const V = 4, blank = 3, T = 5;
    const lengths = [5, 3, 2];
    const labels = [[0, 1, 0], [2, 2], [1, 1]]; // the third cannot be aligned in 2 frames
    const data = randomLogits(3 * T, V, 5);
    const x = tf.tensor3d(Float32Array.from(data), [3, T, V]);
    const refs = labels.map((l, b) => bruteForce(Float64Array.from(Float32Array.from(data.subarray(b * T * V, (b * T + lengths[b]) * V))), lengths[b], V, l, blank));
    const r = ctcLoss(x, labels, lengths, blank);
    expect(r.frames).toBe(8);
    expect(r.nll[2]).toBe(Infinity);
    expect(r.loss.dataSync()[0]).toBeCloseTo((refs[0].nll + refs[1].nll) / 8, 5);
    const g = tf.grad((z: tf.Tensor) => tf.mul(ctcLoss(z as tf.Tensor3D, labels, lengths, blank).loss, 3))(x).dataSync();
    for (let b = 0; b < 3; b++)
      for (let t = 0; t < T; t++)
        for (let k = 0; k < V; k++) {
          const want = b < 2 && t < lengths[b] ? (3 * refs[b].grad[t * V + k]) / 8 : 0;
          expect(g[(b * T + t) * V + k], `b${b} t${t} k${k}`).toBeCloseTo(want, 5);
        }
  });
});
