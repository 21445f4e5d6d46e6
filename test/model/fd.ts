/** Central finite differences against tfjs's analytic gradients (test helper). */
import { tf } from '../../src/backend/index.js';
import { makeRng } from '../../src/util/rng.js';
import type { ModelWeights } from '../../src/model/index.js';

export interface GradComparison {
  analytic: number[];
  numeric: number[];
  /** ‖analytic − numeric‖ / ‖numeric‖ */
  relError: number;
  numericNorm: number;
}

function setElement(v: tf.Variable, i: number, value: number): void {
  const data = v.dataSync().slice() as Float32Array;
  data[i] = value;
  tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
}

/**
 * Compare d loss/d v at `perVar` random elements of each variable with
 * (f(v+eps) − f(v−eps)) / 2eps. `loss` must be deterministic.
 */
export function compareGradients(loss: () => tf.Scalar, vars: tf.Variable[], perVar = 4, eps = 1e-2, seed = 7): GradComparison {
  const { grads } = tf.variableGrads(loss, vars);
  const rng = makeRng(seed);
  const analytic: number[] = [];
  const numeric: number[] = [];
  const value = () => tf.tidy(() => loss().dataSync()[0]);
  for (const v of vars) {
    // variableGrads leaves out variables the loss does not depend on (e.g. the
    // last bias under the gradient penalty): their gradient is zero.
    const g = grads[v.name]?.dataSync() ?? new Float32Array(v.size);
    const picks = new Set<number>();
    while (picks.size < Math.min(perVar, v.size)) picks.add(rng.int(v.size));
    for (const i of picks) {
      const orig = v.dataSync()[i];
      setElement(v, i, orig + eps);
      const up = value();
      setElement(v, i, orig - eps);
      const down = value();
      setElement(v, i, orig);
      analytic.push(g[i]);
      numeric.push((up - down) / (2 * eps));
    }
  }
  tf.dispose(grads);
  const norm = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));
  const numericNorm = norm(numeric);
  return { analytic, numeric, relError: norm(analytic.map((a, i) => a - numeric[i])) / numericNorm, numericNorm };
}

/** A trainable copy of a tensor, so inputs can be checked like parameters. */
export function asVariable(t: tf.Tensor): tf.Variable {
  return tf.variable(t, true);
}

/** Multiply every weight of a model by `factor`, to get gradients well above float32 noise. */
export function scaleWeights(model: { getWeights(): ModelWeights; setWeights(w: ModelWeights): void }, factor: number): void {
  const w = model.getWeights();
  for (const k of Object.keys(w)) w[k] = { shape: w[k].shape, data: w[k].data.map((x) => x * factor) };
  model.setWeights(w);
}
