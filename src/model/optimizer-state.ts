/**
 * What every resumable training loop (GAN, CTC stage, pretraining) shares:
 * per-update seeds, and optimiser state saved into and restored from a
 * checkpoint so a resumed run continues bit for bit.
 */
import { tf } from '../backend/index.js';

/** A 32-bit seed for update u of a run (splitmix-style mixing). */
export function updateSeed(seed: number, update: number): number {
  let z = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(update + 1, 0xc2b2ae35)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export interface OptimizerState {
  [name: string]: { shape: number[]; data: Float32Array };
}

export async function optimizerState(opt: tf.Optimizer): Promise<OptimizerState> {
  const out: OptimizerState = {};
  for (const w of await opt.getWeights()) out[w.name] = { shape: [...w.tensor.shape], data: Float32Array.from(w.tensor.dataSync() as Float32Array) };
  return out;
}

export async function setOptimizerState(opt: tf.Optimizer, s: OptimizerState): Promise<void> {
  // Adam's moment names refer to the variables' names; restoring needs the same model construction order.
  await opt.setWeights(Object.entries(s).map(([name, w]) => ({ name, tensor: tf.tensor(w.data, w.shape) })));
  if (opt instanceof tf.AdamOptimizer) restoreAdamBetaPowers(opt);
}

/**
 * tfjs's AdamOptimizer.setWeights sets its bias-correction powers to pow(β, t + 1),
 * which can differ in the last bit from the float32 product β·β·…·β an uninterrupted
 * run has accumulated (β2 = 0.98: from t = 2 on), so a resumed run would drift.
 * Redo the product exactly (a float32 multiply is Math.fround of the double product).
 */
function restoreAdamBetaPowers(opt: tf.AdamOptimizer): void {
  const a = opt as unknown as { beta1: number; beta2: number; accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  if (!a.accBeta1 || !a.accBeta2) return;
  const t = opt.iterations;
  const power = (beta: number) => {
    const b = Math.fround(beta);
    let acc = b;
    for (let i = 0; i < t; i++) acc = Math.fround(acc * b);
    return acc;
  };
  tf.tidy(() => {
    a.accBeta1!.assign(tf.scalar(power(a.beta1)));
    a.accBeta2!.assign(tf.scalar(power(a.beta2)));
  });
}
