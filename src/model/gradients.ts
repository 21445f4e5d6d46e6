/**
 * Gradient functions for the kernels our models use. tfjs-core's Node bundle
 * registers none (they ship only in the @tensorflow/tfjs union package, which
 * is not a dependency), so without these no gradient can be taken at all.
 *
 * Each gradient is written with ops whose own gradients are registered here
 * too, so gradients of gradients (the discriminator's gradient penalty) work
 * on every backend. They save only inputs, never outputs: tfjs records the
 * copy of a saved output on the tape before the op that made it, so a second
 * derivative through a saved output is silently lost (tanh's would be).
 * Ours replace any registered earlier (the @tensorflow/tfjs union package's
 * Tanh, Exp and Softmax gradients, for instance, save outputs).
 *
 * Importing this module registers them; every model module imports it.
 */
import { tf } from '../backend/index.js';

/** Sum a broadcast result's gradient back down to the input's shape. */
function reduceTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, g.shape);
  return tf.reshape(axes.length ? tf.sum(g, axes) : g, shape);
}

/** dy of a reduction, reshaped with the reduced axes kept and broadcast back to x's shape. */
function expandReduced(dy: tf.Tensor, xShape: number[], axis: number | number[]): tf.Tensor {
  const kept = [...xShape];
  for (const a of tf.util.parseAxisParam(axis, xShape)) kept[a] = 1;
  return tf.mul(tf.reshape(dy, kept), tf.ones(xShape));
}

/**
 * Swap the last two axes. Matmul gradients use explicit transposes instead of
 * matMul's transpose flags: on wasm a flagged matMul runs 10–20× slower than a
 * transpose plus a plain one (measured at the discriminator's shapes: ~1 vs ~15 GFLOP/s).
 */
function T(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(x, perm);
}

function single(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(dy) ? dy[0] : dy;
}

const configs: tf.GradConfig[] = [
  {
    kernelName: 'Add',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => reduceTo(single(dy), a.shape), b: () => reduceTo(single(dy), b.shape) }),
  },
  {
    kernelName: 'Sub',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({ a: () => reduceTo(single(dy), a.shape), b: () => tf.neg(reduceTo(single(dy), b.shape)) }),
  },
  {
    kernelName: 'Multiply',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => reduceTo(tf.mul(single(dy), b), a.shape),
      b: () => reduceTo(tf.mul(single(dy), a), b.shape),
    }),
  },
  {
    kernelName: 'RealDiv',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => ({
      a: () => reduceTo(tf.div(single(dy), b), a.shape),
      b: () => reduceTo(tf.neg(tf.div(tf.mul(single(dy), a), tf.square(b))), b.shape),
    }),
  },
  {
    kernelName: 'AddN',
    saveAllInputs: true,
    gradFunc: (dy, saved) => Object.fromEntries(saved.map((_, i) => [String(i), () => tf.clone(single(dy))])),
  },
  { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(single(dy)) }) },
  { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => tf.clone(single(dy)) }) },
  // The engine's copies of saved tensors pass their gradient through a Cast.
  { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => tf.clone(single(dy)) }) },
  {
    kernelName: 'Square',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.mul(x, 2)) }),
  },
  {
    kernelName: 'Sqrt',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.div(single(dy), tf.mul(tf.sqrt(x), 2)) }),
  },
  {
    kernelName: 'Tanh',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.sub(1, tf.square(tf.tanh(x)))) }),
  },
  {
    kernelName: 'Exp',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.exp(x)) }),
  },
  {
    kernelName: 'Log',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.div(single(dy), x) }),
  },
  {
    kernelName: 'Softplus',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.sigmoid(x)) }),
  },
  {
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    gradFunc: (dy, [logits], attrs) => {
      const dim = attrs.dim as number;
      return {
        logits: () => {
          const y = tf.softmax(logits, dim);
          const dyY = tf.mul(single(dy), y);
          return tf.sub(dyY, tf.mul(tf.sum(dyY, dim, true), y));
        },
      };
    },
  },
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({ x: () => expandReduced(single(dy), x.shape, attrs.axis as number | number[]) }),
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      return { x: () => tf.div(expandReduced(single(dy), x.shape, axes), count) };
    },
  },
  {
    kernelName: 'Reshape',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(single(dy), x.shape) }),
  },
  {
    kernelName: 'ExpandDims',
    inputsToSave: ['input'],
    gradFunc: (dy, [input]) => ({ input: () => tf.reshape(single(dy), input.shape) }),
  },
  {
    kernelName: 'PadV2',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const paddings = attrs.paddings as Array<[number, number]>;
      return { x: () => tf.slice(single(dy), paddings.map((p) => p[0]), x.shape) };
    },
  },
  {
    kernelName: 'Slice',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      // A number begin (1-D slices) means [begin, 0, 0, ...], as in tf.slice.
      const begin = attrs.begin as number | number[];
      const starts = typeof begin === 'number' ? x.shape.map((_, i) => (i === 0 ? begin : 0)) : begin;
      const g = single(dy);
      return {
        x: () =>
          tf.pad(
            g,
            x.shape.map((n, i) => [starts[i], n - starts[i] - g.shape[i]] as [number, number]),
          ),
      };
    },
  },
  {
    kernelName: 'Concat',
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0].shape)[0];
      const parts = tf.split(single(dy), saved.map((t) => t.shape[axis]), axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
  {
    kernelName: 'SplitV',
    // The engine passes zeros for outputs that do not reach the loss, so every dy is a tensor.
    gradFunc: (dy, _saved, attrs) => ({ x: () => tf.concat(dy as tf.Tensor[], attrs.axis as number) }),
  },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _saved, attrs) => {
      const perm = attrs.perm as number[];
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => (inverse[p] = i));
      return { x: () => tf.transpose(single(dy), inverse) };
    },
  },
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b], attrs) => {
      const g = single(dy);
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      const [da, db] = !transposeA
        ? !transposeB
          ? [() => tf.matMul(g, T(b)), () => (a.size <= g.size + b.size ? tf.matMul(T(a), g) : T(tf.matMul(T(g), a)))]
          : [() => tf.matMul(g, b), () => tf.matMul(T(g), a)]
        : !transposeB
          ? [() => tf.matMul(b, T(g)), () => tf.matMul(a, g)]
          : [() => tf.matMul(T(b), T(g)), () => tf.matMul(T(g), T(a))];
      // aᵀ·g transposes a; when a is the larger, (gᵀ·a)ᵀ transposes g and the small result instead.
      // Batch dimensions may broadcast (e.g. [B,T,K]×[K,N]); sum them back.
      return { a: () => reduceTo(da(), a.shape), b: () => reduceTo(db(), b.shape) };
    },
  },
];

for (const config of configs) {
  // Unregister first: registerGradient only warns and keeps going on duplicates.
  if (tf.getGradient(config.kernelName)) tf.unregisterGradient(config.kernelName);
  tf.registerGradient(config);
}
