/**
 * Connectionist temporal classification (Graves et al. 2006): the negative
 * log-probability of a label sequence given per-frame scores, summed over
 * every alignment (frames → label or blank, repeats collapsed, blanks
 * dropped), and its exact gradient.
 *
 * The forward-backward recursion runs in JS, in float64 and log space, over
 * the extended sequence (blank, l1, blank, l2, …, blank). With α and β both
 * including frame t's emission, the posterior of unit k at frame t is
 * γ_t(k) = Σ_{s: l'_s = k} exp(α_t(s) + β_t(s) − log y_t(k) − log p), and
 * the gradient of −log p with respect to the logits is y_t(k) − γ_t(k)
 * (softmax and CTC together, which is both exact and cheap). `ctcLoss` puts
 * that gradient on the tfjs tape as one custom-gradient node, so the whole
 * network trains on every backend (wasm included) without a CTC kernel.
 */
import { tf } from '../backend/index.js';
import { logAdd as lae, logSumExp } from '../hmm/log-math.js';
import './gradients.js';

export interface CtcUtterance {
  /** −log p(labels | logits); Infinity when no alignment exists (fewer frames than the labels need). */
  nll: number;
}

/**
 * CTC of one utterance. `logits` holds T × V scores (log-softmax is taken
 * here); `blank` is one of the V indices. When `grad` is given, ∂nll/∂logits
 * (T × V) is written into it (zeros when no alignment exists).
 */
export function ctcForwardBackward(logits: ArrayLike<number>, T: number, V: number, labels: ArrayLike<number>, blank: number, grad?: Float32Array | Float64Array): CtcUtterance {
  const L = labels.length, S = 2 * L + 1;
  const lp = logSoftmax(logits, T, V);
  const ext = new Int32Array(S).fill(blank);
  for (let i = 0; i < L; i++) ext[2 * i + 1] = labels[i];
  // s can be entered from s−2 when it is a label different from the label two back (no blank needed between them).
  const skip = new Uint8Array(S);
  for (let s = 2; s < S; s++) skip[s] = ext[s] !== blank && ext[s] !== ext[s - 2] ? 1 : 0;
  const alpha = new Float64Array(T * S).fill(-Infinity);
  const beta = new Float64Array(T * S).fill(-Infinity);
  if (T > 0) {
    alpha[0] = lp[ext[0]];
    if (S > 1) alpha[1] = lp[ext[1]];
  }
  for (let t = 1; t < T; t++) {
    const a = (t - 1) * S, b = t * S;
    for (let s = 0; s < S; s++) {
      let v = alpha[a + s];
      if (s >= 1) v = lae(v, alpha[a + s - 1]);
      if (skip[s]) v = lae(v, alpha[a + s - 2]);
      alpha[b + s] = v + lp[t * V + ext[s]];
    }
  }
  const logP = T === 0 ? -Infinity : S > 1 ? lae(alpha[(T - 1) * S + S - 1], alpha[(T - 1) * S + S - 2]) : alpha[(T - 1) * S];
  if (grad) grad.fill(0, 0, T * V);
  if (!(logP > -Infinity)) return { nll: Infinity };
  const last = (T - 1) * S;
  beta[last + S - 1] = lp[(T - 1) * V + ext[S - 1]];
  if (S > 1) beta[last + S - 2] = lp[(T - 1) * V + ext[S - 2]];
  for (let t = T - 2; t >= 0; t--) {
    const a = (t + 1) * S, b = t * S;
    for (let s = 0; s < S; s++) {
      let v = beta[a + s];
      if (s + 1 < S) v = lae(v, beta[a + s + 1]);
      if (s + 2 < S && skip[s + 2]) v = lae(v, beta[a + s + 2]);
      beta[b + s] = v + lp[t * V + ext[s]];
    }
  }
  if (grad) {
    const gamma = new Float64Array(V);
    for (let t = 0; t < T; t++) {
      gamma.fill(0);
      for (let s = 0; s < S; s++) {
        const v = alpha[t * S + s] + beta[t * S + s];
        if (v > -Infinity) gamma[ext[s]] += Math.exp(v - lp[t * V + ext[s]] - logP);
      }
      for (let k = 0; k < V; k++) grad[t * V + k] = Math.exp(lp[t * V + k]) - gamma[k];
    }
  }
  return { nll: -logP };
}

/** Whether T frames can carry these labels: one frame per label, plus a blank between equal neighbours. */
export function ctcFeasible(T: number, labels: ArrayLike<number>): boolean {
  let need = labels.length;
  for (let i = 1; i < labels.length; i++) if (labels[i] === labels[i - 1]) need++;
  return T >= need;
}

export interface CtcBatchLoss {
  /** Σ nll / Σ frames over the utterances that have an alignment (a scalar on the tape). */
  loss: tf.Scalar;
  /** Per utterance (Infinity where no alignment exists). */
  nll: Float64Array;
  /** Frames of the utterances counted in `loss`. */
  frames: number;
}

/**
 * CTC loss of a padded batch: logits [B, T, V], utterance b using its first
 * lengths[b] frames. The loss is per frame so the step size does not depend
 * on how long the batch's utterances are; utterances with no alignment are
 * left out of it (and get no gradient).
 */
export function ctcLoss(logits: tf.Tensor3D, labels: ArrayLike<number>[], lengths: number[], blank: number): CtcBatchLoss {
  const [B, T, V] = logits.shape;
  const data = logits.dataSync() as Float32Array;
  const grad = new Float32Array(B * T * V);
  const nll = new Float64Array(B);
  let sum = 0, frames = 0;
  for (let b = 0; b < B; b++) {
    const n = lengths[b], off = b * T * V;
    nll[b] = ctcForwardBackward(data.subarray(off, off + n * V), n, V, labels[b], blank, grad.subarray(off, off + n * V)).nll;
    if (Number.isFinite(nll[b])) {
      sum += nll[b];
      frames += n;
    }
  }
  const scale = frames > 0 ? 1 / frames : 0;
  for (let i = 0; i < grad.length; i++) grad[i] *= scale;
  const op = tf.customGrad((x) => ({
    value: tf.scalar(sum * scale),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor(grad, (x as tf.Tensor).shape)),
  }));
  return { loss: op(logits) as tf.Scalar, nll, frames };
}

function logSoftmax(x: ArrayLike<number>, T: number, V: number): Float64Array {
  const out = Float64Array.from(x as ArrayLike<number>);
  for (let t = 0; t < T; t++) {
    const lz = logSumExp(out, t * V, (t + 1) * V);
    for (let k = 0; k < V; k++) out[t * V + k] -= lz;
  }
  return out;
}
