/**
 * wav2vec-U loss terms (notes §5), fairseq's labelling: fake (generated) = 1,
 * real (text) = 0. fairseq sums over the batch and divides the gradient by the
 * batch size B; here every term is already divided by B (a per-utterance
 * mean), so a trainer adds λ·gp, γ·smoothness, η·diversity, δ·aux as they are.
 */
import { tf } from '../backend/index.js';
import './gradients.js';
import type { Discriminator } from './discriminator.js';

/** Discriminator step: BCE(s(fake), 1) + BCE(s(real), 0), each averaged over its batch. */
export function discriminatorLoss(fakeScores: tf.Tensor1D, realScores: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() =>
    // BCE-with-logits(s, 1) = softplus(−s); BCE(s, 0) = softplus(s).
    tf.add(tf.mean(tf.softplus(tf.neg(fakeScores))), tf.mean(tf.softplus(realScores))),
  ) as tf.Scalar;
}

/** Generator step: BCE(s(fake), 0) — the generator wants its output scored as real. */
export function generatorAdversarialLoss(fakeScores: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(fakeScores))) as tf.Scalar;
}

/**
 * Which norm the gradient penalty constrains: fairseq's, one per (sequence,
 * phone) taken along time; or the usual WGAN-GP one over the whole sequence.
 */
export type GradientPenaltyNorm = 'per-phone' | 'sequence';

/** Keeps ‖g‖ differentiable where g = 0 (d√x/dx is infinite at 0); shifts the norm by at most 1e-6. */
const NORM_EPS = 1e-12;

/**
 * Gradient penalty, fairseq's sequence form: crop both batches to the smaller
 * batch size and length (leading part), mix X̃ = α·real + (1−α)·fake with one α
 * per sequence, g = ∂Σ_b D(X̃)_b/∂X̃ (no padding mask), take the L2 norm of g
 * along TIME for each (b, phone) ('sequence': over the whole sequence), and
 * return Σ(‖g‖−1)² / b. Differentiable
 * with respect to the discriminator's weights (a gradient of a gradient).
 * alpha: [≥ b] values in [0, 1).
 */
export function gradientPenalty(D: Discriminator, real: tf.Tensor3D, fake: tf.Tensor3D, alpha: tf.Tensor1D, norm: GradientPenaltyNorm = 'per-phone'): tf.Scalar {
  const V = real.shape[2];
  if (fake.shape[2] !== V) throw new Error(`gradientPenalty: real has ${V} classes, fake ${fake.shape[2]}`);
  const b = Math.min(real.shape[0], fake.shape[0]);
  const t = Math.min(real.shape[1], fake.shape[1]);
  if (alpha.shape[0] < b) throw new Error(`gradientPenalty: ${alpha.shape[0]} mixing weights for ${b} sequences`);
  return tf.tidy(() => {
    const a = tf.reshape(tf.slice(alpha, [0], [b]), [b, 1, 1]);
    const mixed = tf.add(
      tf.mul(a, tf.slice(real, [0, 0, 0], [b, t, V])),
      tf.mul(tf.sub(1, a), tf.slice(fake, [0, 0, 0], [b, t, V])),
    ) as tf.Tensor3D;
    const g = tf.grad((x) => tf.sum(D.apply(x as tf.Tensor3D, undefined, true)))(mixed);
    const n = tf.sqrt(tf.add(tf.sum(tf.square(g), norm === 'per-phone' ? 1 : [1, 2]), NORM_EPS));
    return tf.div(tf.sum(tf.square(tf.sub(n, 1))), b);
  }) as tf.Scalar;
}

/**
 * Smoothness, as fairseq computes it on the (joined) logits z: mean over
 * (b, t, v) of (z[t+1] − z[t])², pairs whose later step is padding counted as 0
 * (so the mean's denominator is B·(T−1)·V, padding included).
 */
export function smoothnessLoss(logits: tf.Tensor3D, mask: tf.Tensor2D): tf.Scalar {
  const [B, T, V] = logits.shape;
  if (T < 2) return tf.scalar(0);
  return tf.tidy(() => {
    const diff = tf.sub(tf.slice(logits, [0, 1, 0], [B, T - 1, V]), tf.slice(logits, [0, 0, 0], [B, T - 1, V]));
    const later = tf.reshape(tf.slice(mask, [0, 1], [B, T - 1]), [B, T - 1, 1]);
    return tf.div(tf.sum(tf.mul(tf.square(diff), later)), B * (T - 1) * V);
  }) as tf.Scalar;
}

/**
 * Phone diversity: (|V| − PPL)/|V|, PPL = exp(entropy of the mean distribution
 * p̄ over valid steps of the batch). Unlike fairseq, padded steps are left out
 * of p̄ instead of counting as uniform distributions, so the value does not
 * depend on how much padding a batch happens to carry.
 */
export function diversityLoss(probs: tf.Tensor3D, mask: tf.Tensor2D): tf.Scalar {
  const V = probs.shape[2];
  return tf.tidy(() => {
    const m = tf.expandDims(mask, 2);
    const mean = tf.div(tf.sum(tf.mul(probs, m), [0, 1]), tf.sum(mask));
    // fairseq's 1e-7 keeps log finite for phones never predicted.
    const entropy = tf.neg(tf.sum(tf.mul(mean, tf.log(tf.add(mean, 1e-7)))));
    return tf.div(tf.sub(V, tf.exp(entropy)), V);
  }) as tf.Scalar;
}

/**
 * Auxiliary input-tied loss (wav2vec-U 2.0): mean cross-entropy of the aux
 * logits [B,T,K] against k-means cluster ids [B,T] (int32) over valid steps.
 * The same masked cross-entropy serves the decipherment labels (loss.teacher).
 */
export function auxClusterLoss(auxLogits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const K = auxLogits.shape[2];
  return tf.tidy(() => {
    const logp = tf.logSoftmax(auxLogits, 2);
    const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(tf.cast(targets, 'int32'), K), logp), 2));
    return tf.div(tf.sum(tf.mul(nll, mask)), tf.sum(mask));
  }) as tf.Scalar;
}

/**
 * Phone n-gram matching (Yeh et al. 2019's empirical output-distribution
 * matching, applied to the joined outputs): cross-entropy −Σ_z Q(z)·log P(z)
 * between the text's n-gram distribution Q over a table of n-grams z and the
 * outputs' expected n-gram distribution P(z) = mean over runs of n valid
 * consecutive steps of p_t(z_1)·p_{t+1}(z_2)·…. Unlike the discriminator, it
 * tells the generator directly which phone sequences the language has, from
 * the first update on. `selectors[k]` is the one-hot [V,N] matrix of the k-th
 * unit of each n-gram (selection by matMul: gathers have no fast gradient on wasm).
 */
export function ngramMatchingLoss(probs: tf.Tensor3D, mask: tf.Tensor2D, selectors: tf.Tensor2D[], q: tf.Tensor1D): tf.Scalar {
  const [B, T, V] = probs.shape;
  const n = selectors.length;
  if (T < n) return tf.scalar(0);
  return tf.tidy(() => {
    const L = T - n + 1;
    let runMask: tf.Tensor2D = tf.slice(mask, [0, 0], [B, L]);
    for (let k = 1; k < n; k++) runMask = tf.mul(runMask, tf.slice(mask, [0, k], [B, L])) as tf.Tensor2D;
    let prod: tf.Tensor2D | undefined;
    for (let k = 0; k < n; k++) {
      const pk: tf.Tensor2D = tf.reshape(tf.slice(probs, [0, k, 0], [B, L, V]), [B * L, V]);
      const picked = tf.matMul(pk, selectors[k]) as tf.Tensor2D;
      prod = prod ? (tf.mul(prod, picked) as tf.Tensor2D) : picked;
    }
    const counts = tf.matMul(tf.reshape(runMask, [1, B * L]), prod!);
    const p = tf.div(tf.reshape(counts, [-1]), tf.maximum(tf.sum(runMask), 1));
    return tf.neg(tf.sum(tf.mul(q, tf.log(tf.add(p, 1e-6)))));
  }) as tf.Scalar;
}
