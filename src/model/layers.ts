/** Element-wise pieces shared by the generator and the discriminator. */
import { tf } from '../backend/index.js';
import type { Rng } from '../util/rng.js';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/** tanh(C·(x + A·x³)) */
function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), A)), C));
}

/** d/dx GELU = ½(1 + t) + ½·x·(1 − t²)·C·(1 + 3A·x²), from differentiable ops. */
function geluDerivative(x: tf.Tensor): tf.Tensor {
  const t = geluTanh(x);
  const inner = tf.mul(tf.add(tf.mul(tf.square(x), 3 * A), 1), C);
  return tf.add(tf.mul(tf.add(t, 1), 0.5), tf.mul(tf.mul(tf.mul(x, 0.5), tf.sub(1, tf.square(t))), inner));
}

const geluOp = tf.customGrad((x, save) => {
  (save as tf.GradSaveFunc)([x as tf.Tensor]);
  return {
    value: tf.mul(tf.mul(x as tf.Tensor, 0.5), tf.add(geluTanh(x as tf.Tensor), 1)),
    gradFunc: (dy: tf.Tensor, [input]: tf.Tensor[]) => tf.mul(dy, geluDerivative(input)),
  };
});

/**
 * GELU, tanh approximation: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); within
 * 1e-3 of erf-GELU. One custom-gradient op saving only x (recording its ten
 * element-wise steps would keep a copy of the activations for each); its
 * gradient is built from ops with gradients, so second derivatives work.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return geluOp(x) as T;
}

/**
 * Inverted dropout with a mask drawn from our seeded generator (tf.dropout's
 * seed would repeat the same mask on every call), so training is reproducible.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, rng: Rng): T {
  if (rate <= 0) return x;
  const keep = 1 - rate;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < keep ? 1 / keep : 0;
  return tf.mul(x, tf.tensor(mask, x.shape)) as T;
}
