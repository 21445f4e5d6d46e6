import { describe, it, expect, beforeAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { tf, initBackend } from '../../src/backend/index.js';
import { conv1dMatmul, convPadding, unfold } from '../../src/model/index.js';
import { makeRng } from '../../src/util/rng.js';
import { asVariable, compareGradients } from './fd.js';

function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * rng.normal()), shape);
}

/** Run `f` on the pure-JS cpu backend (which has tf.conv1d and its gradients), then return to wasm. */
async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return f();
  } finally {
    await tf.setBackend('wasm');
  }
}

/** The reference: explicit zero padding, then tf.conv1d 'valid' with filter [k, Cin, Cout]. */
function referenceConv(x: tf.Tensor3D, w: tf.Tensor2D, k: number, pad: [number, number]): tf.Tensor3D {
  const [, , C] = x.shape;
  const padded = tf.pad(x, [[0, 0], pad, [0, 0]]) as tf.Tensor3D;
  return tf.conv1d(padded, tf.reshape(w, [k, C, w.shape[1]]) as tf.Tensor3D, 1, 'valid');
}

describe('convolution as a matrix product', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('pads causally (k−1 before) and centred like torch padding k//2', () => {
    expect(convPadding(6, 'causal')).toEqual([5, 0]);
    expect(convPadding(4, 'centred')).toEqual([2, 1]);
    expect(convPadding(5, 'centred')).toEqual([2, 2]);
    expect(convPadding(1, 'centred')).toEqual([0, 0]);
  });

  it('unfold lays out the k frames under each output, tap-major', () => {
    // B=1, T=3, C=2: frames (1,2), (3,4), (5,6); causal k=2 → rows [prev, cur].
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 3, 2]);
    expect(Array.from(unfold(x, 2, 'causal').dataSync())).toEqual([0, 0, 1, 2, 1, 2, 3, 4, 3, 4, 5, 6]);
  });

  for (const [k, padding] of [
    [1, 'centred'],
    [3, 'centred'],
    [4, 'centred'],
    [6, 'causal'],
    [4, 'causal'],
  ] as const) {
    it(`equals tf.conv1d on the cpu backend (k=${k}, ${padding})`, async () => {
      const x = randomTensor([2, 7, 3], 10 + k) as tf.Tensor3D;
      const w = randomTensor([k * 3, 5], 20 + k) as tf.Tensor2D;
      const ours = tf.tidy(() => conv1dMatmul(x, w, k, padding));
      expect(tf.getBackend()).toBe('wasm');
      const ref = await onCpu(() => referenceConv(x, w, k, convPadding(k, padding)).dataSync());
      expect(ours.shape).toEqual([2, 7, 5]);
      expectClose(ours.dataSync(), ref);
    });

    it(`has the gradients of a convolution on wasm (k=${k}, ${padding})`, () => {
      // Reference by explicit loops: y[b,t,o] = Σ_j,c xpad[b,t+j,c]·w[j,c,o], loss = Σ y·r.
      const [B, T, C, O] = [2, 7, 3, 5];
      const x = randomTensor([B, T, C], 40 + k) as tf.Tensor3D;
      const w = randomTensor([k * C, O], 50 + k) as tf.Tensor2D;
      const r = randomTensor([B, T, O], 60 + k);
      const [gx, gw] = tf.grads((a, b) => tf.sum(tf.mul(conv1dMatmul(a as tf.Tensor3D, b as tf.Tensor2D, k, padding), r)))([x, w]);
      const [left] = convPadding(k, padding);
      const xs = x.dataSync(), ws = w.dataSync(), rs = r.dataSync();
      const gxRef = new Float64Array(B * T * C), gwRef = new Float64Array(k * C * O);
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T; t++)
          for (let j = 0; j < k; j++) {
            const s = t + j - left; // input frame under tap j of output t
            if (s < 0 || s >= T) continue;
            for (let c = 0; c < C; c++)
              for (let o = 0; o < O; o++) {
                const ro = rs[(b * T + t) * O + o];
                gxRef[(b * T + s) * C + c] += ws[(j * C + c) * O + o] * ro;
                gwRef[(j * C + c) * O + o] += xs[(b * T + s) * C + c] * ro;
              }
          }
      expectClose(gx.dataSync(), gxRef);
      expectClose(gw.dataSync(), gwRef);
    });

    it(`has second derivatives matching finite differences (k=${k}, ${padding})`, () => {
      const x = asVariable(randomTensor([2, 5, 3], 70 + k));
      const w = asVariable(randomTensor([k * 3, 4], 80 + k, 0.5));
      const b = asVariable(randomTensor([4], 90 + k));
      // ‖∂Σtanh(y)/∂x‖² depends on x, w and b only through the convolution's gradient.
      const loss = () =>
        tf.tidy(() => {
          const gx = tf.grad((a) => tf.sum(tf.tanh(conv1dMatmul(a as tf.Tensor3D, w as unknown as tf.Tensor2D, k, padding, b as unknown as tf.Tensor1D))))(x);
          return tf.sum(tf.square(gx)) as tf.Scalar;
        });
      const c = compareGradients(loss, [x, w, b], 6);
      expect(c.numericNorm).toBeGreaterThan(1e-2);
      expect(c.relError).toBeLessThan(2e-2);
    });
  }
});

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 4);
}
