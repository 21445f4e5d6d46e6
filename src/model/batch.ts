/** Padded-batch helpers: validity masks and one-hot text batches. */
import { tf } from '../backend/index.js';

/** [B,T] float mask, 1 for t < lengths[b]. */
export function lengthMask(lengths: number[], T: number): tf.Tensor2D {
  const m = new Float32Array(lengths.length * T);
  lengths.forEach((len, b) => m.fill(1, b * T, b * T + Math.min(len, T)));
  return tf.tensor2d(m, [lengths.length, T]);
}

/**
 * Phone-id sequences → one-hot [B,Tmax,numPhones] (zero rows past each end),
 * the discriminator's "real" input.
 */
export function oneHotBatch(sequences: number[][], numPhones: number): { x: tf.Tensor3D; lengths: number[] } {
  const lengths = sequences.map((s) => s.length);
  const T = Math.max(1, ...lengths);
  const data = new Float32Array(sequences.length * T * numPhones);
  sequences.forEach((seq, b) =>
    seq.forEach((id, t) => {
      if (!(Number.isInteger(id) && id >= 0 && id < numPhones)) throw new Error(`phone id ${id} out of range 0..${numPhones - 1}`);
      data[(b * T + t) * numPhones + id] = 1;
    }),
  );
  return { x: tf.tensor3d(data, [sequences.length, T, numPhones]), lengths };
}
