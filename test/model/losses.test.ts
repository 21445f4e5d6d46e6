/** Loss values on hand-worked examples, and the gradient penalty against a derivative-free reference. */
import { describe, it, expect, beforeAll } from 'vitest';
import { tf, initBackend } from '../../src/backend/index.js';
import {
  Discriminator,
  auxClusterLoss,
  ngramMatchingLoss,
  discriminatorLoss,
  diversityLoss,
  generatorAdversarialLoss,
  gradientPenalty,
  lengthMask,
  oneHotBatch,
  smoothnessLoss,
} from '../../src/model/index.js';
import { makeRng } from '../../src/util/rng.js';
import { ngramTable, ngramTensors } from '../../src/train/ngram-table.js';

const value = (t: tf.Tensor) => t.dataSync()[0];

describe('loss values', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('discriminator loss: BCE with fake = 1, real = 0, each averaged over its batch', () => {
    // softplus(−2) = ln(1+e^−2) = 0.126928; softplus(−1) = 0.313262
    expect(value(discriminatorLoss(tf.tensor1d([2, 2]), tf.tensor1d([-1])))).toBeCloseTo(0.126928 + 0.313262, 5);
    expect(value(discriminatorLoss(tf.tensor1d([0]), tf.tensor1d([0, 0])))).toBeCloseTo(2 * Math.LN2, 5);
    // Scoring fakes as real is expensive: softplus(2) + softplus(1) = 2.126928 + 1.313262
    expect(value(discriminatorLoss(tf.tensor1d([-2]), tf.tensor1d([1])))).toBeCloseTo(2.126928 + 1.313262, 5);
  });

  it('n-gram matching (bigrams): cross-entropy of the text bigrams against the outputs\' expected bigrams, padding excluded', () => {
    // One sequence, 3 valid steps of 2 units, a 4th padded step that must not count.
    // p1 = (1, 0), p2 = (0.5, 0.5), p3 = (0, 1): pairs (1,2) and (2,3) give
    // P = [[0.5, 0.5], [0, 0]] / 2 + [[0, 0.5], [0, 0.5]] / 2 = [[0.25, 0.5], [0, 0.25]].
    const probs = tf.tensor3d([1, 0, 0.5, 0.5, 0, 1, 0.3, 0.7], [1, 4, 2]);
    // The table: bigrams 00, 01, 10, 11 with Q = 0.5, 0.25, 0.125, 0.125.
    const { selectors, q } = ngramTensors({ order: 2, grams: Int32Array.from([0, 0, 0, 1, 1, 0, 1, 1]), q: Float32Array.from([0.5, 0.25, 0.125, 0.125]) }, 2);
    const expected = -(0.5 * Math.log(0.25 + 1e-6) + 0.25 * Math.log(0.5 + 1e-6) + 0.125 * Math.log(1e-6) + 0.125 * Math.log(0.25 + 1e-6));
    expect(value(ngramMatchingLoss(probs, lengthMask([3], 4), selectors, q))).toBeCloseTo(expected, 4);
  });

  it('n-gram matching (trigrams): expected trigram frequencies over runs of 3 valid steps', () => {
    // Two sequences of 2 units: [a=(1,0), b=(0.5,0.5), c=(0.2,0.8)] and [d=(0,1), e=(1,0), f=(0.5,0.5), padded].
    // Runs: (a,b,c) from seq 1; (d,e,f) from seq 2 → 2 runs.
    // P(0,1,1) = (1·0.5·0.8 + 0·1·0.5)/2 = 0.2;  P(1,0,0) = (0·… + 1·1·0.5)/2 = 0.25.
    const probs = tf.tensor3d([1, 0, 0.5, 0.5, 0.2, 0.8, 0.9, 0.1, 0, 1, 1, 0, 0.5, 0.5, 0.3, 0.7], [2, 4, 2]);
    const { selectors, q } = ngramTensors({ order: 3, grams: Int32Array.from([0, 1, 1, 1, 0, 0]), q: Float32Array.from([0.6, 0.3]) }, 2);
    // Seq 1 has 3 valid steps (one run), seq 2 has 3 valid steps (one run); the 4th step of seq 1 is padding.
    const expected = -(0.6 * Math.log(0.2 + 1e-6) + 0.3 * Math.log(0.25 + 1e-6));
    expect(value(ngramMatchingLoss(probs, lengthMask([3, 3], 4), selectors, q))).toBeCloseTo(expected, 4);
  });

  it('n-gram table: most frequent n-grams first, frequencies over all positions', () => {
    const t = ngramTable([Int32Array.from([0, 1, 0, 1]), Int32Array.from([1, 0])], 2, 2);
    // bigrams: 01, 10, 01 | 10 → 01 ×2, 10 ×2 of 4
    expect(Array.from(t.grams)).toEqual([0, 1, 1, 0]);
    expect(Array.from(t.q)).toEqual([0.5, 0.5]);
    const t1 = ngramTable([Int32Array.from([2, 2, 2, 1])], 3, 1);
    expect(Array.from(t1.grams)).toEqual([2, 2, 1]);
    expect(t1.q[0]).toBeCloseTo(0.5, 6);
  });

  it('generator adversarial loss: BCE(s(fake), 0)', () => {
    // (softplus(−3) + softplus(1)) / 2 = (0.048587 + 1.313262) / 2
    expect(value(generatorAdversarialLoss(tf.tensor1d([-3, 1])))).toBeCloseTo(0.680925, 5);
  });

  it('smoothness: squared logit steps over B·(T−1)·V, pairs ending in padding zeroed', () => {
    const logits = tf.tensor3d([0, 0, 1, 2, 1, 0], [1, 3, 2]); // steps (1,2) and (0,−2): 1+4+0+4 = 9
    expect(value(smoothnessLoss(logits, lengthMask([3], 3)))).toBeCloseTo(9 / 4, 6);
    expect(value(smoothnessLoss(logits, lengthMask([2], 3)))).toBeCloseTo(5 / 4, 6);
  });

  it('diversity: (|V| − perplexity of the mean distribution)/|V| over valid steps only', () => {
    // Valid steps predict phones 0,1,0,1 → p̄ = (½,½,0,0), PPL 2, loss (4−2)/4. The padded step (phone 2) is ignored.
    const { x } = oneHotBatch([[0, 1, 0, 1, 2]], 4);
    expect(value(diversityLoss(x, lengthMask([4], 5)))).toBeCloseTo(0.5, 4);
    const uniform = tf.fill([2, 3, 4], 0.25) as tf.Tensor3D;
    expect(value(diversityLoss(uniform, lengthMask([3, 1], 3)))).toBeCloseTo(0, 4);
  });

  it('auxiliary loss: mean cross-entropy over valid steps', () => {
    // logits (0, ln2, 0) → softmax (¼, ½, ¼): target 1 costs ln2, target 0 costs ln4; the padded step is ignored.
    const row = [0, Math.LN2, 0];
    const logits = tf.tensor3d([...row, ...row, 9, -9, 0], [1, 3, 3]);
    const targets = tf.tensor2d([1, 0, 2], [1, 3], 'int32');
    expect(value(auxClusterLoss(logits, targets, lengthMask([2], 3)))).toBeCloseTo(1.5 * Math.LN2, 5);
  });

  it('gradient penalty of a discriminator that ignores its input is |V| (every ‖g‖ = 0)', () => {
    const D = new Discriminator({ numPhones: 4, hidden: 3, kernel: 2, depth: 2, dropout: 0 }, 1);
    const w = D.getWeights();
    w['emb.w'] = { shape: w['emb.w'].shape, data: new Float32Array(w['emb.w'].data.length) };
    D.setWeights(w);
    const { x: real } = oneHotBatch([[0, 1, 2], [3, 3, 3]], 4);
    const fake = tf.fill([2, 3, 4], 0.25) as tf.Tensor3D;
    expect(value(gradientPenalty(D, real, fake, tf.tensor1d([0.5, 0.5])))).toBeCloseTo(4, 4);
  });

  it('gradient penalty equals Σ(‖∂ΣD/∂X̃‖_time − 1)²/b with the input gradient taken by finite differences', () => {
    const V = 3;
    const D = new Discriminator({ numPhones: V, hidden: 6, kernel: 3, depth: 2, dropout: 0 }, 4);
    const rng = makeRng(2);
    // Real: batch 3, length 4; fake: batch 2, length 6 → cropped to b = 2, t = 4.
    const { x: real } = oneHotBatch([[0, 1, 2, 2], [2, 1, 0, 1], [1, 1, 1, 1]], V);
    const fake = tf.softmax(tf.tensor3d(Float32Array.from({ length: 2 * 6 * V }, () => 2 * rng.normal()), [2, 6, V])) as tf.Tensor3D;
    const alpha = [0.25, 0.6];
    const gp = value(gradientPenalty(D, real, fake, tf.tensor1d(alpha)));

    const [b, t] = [2, 4];
    const r = real.dataSync(), f = fake.dataSync();
    const mixed = new Float32Array(b * t * V);
    for (let i = 0; i < b; i++)
      for (let s = 0; s < t; s++)
        for (let v = 0; v < V; v++)
          mixed[(i * t + s) * V + v] = alpha[i] * r[(i * 4 + s) * V + v] + (1 - alpha[i]) * f[(i * 6 + s) * V + v];
    const total = (x: Float32Array) => tf.tidy(() => tf.sum(D.apply(tf.tensor3d(x, [b, t, V]))).dataSync()[0]);
    const eps = 1e-2;
    const g = mixed.map((_, j) => {
      const up = mixed.slice(), down = mixed.slice();
      up[j] += eps;
      down[j] -= eps;
      return (total(up) - total(down)) / (2 * eps);
    });
    let expected = 0;
    for (let i = 0; i < b; i++)
      for (let v = 0; v < V; v++) {
        let sq = 0;
        for (let s = 0; s < t; s++) sq += g[(i * t + s) * V + v] ** 2;
        expected += (Math.sqrt(sq) - 1) ** 2;
      }
    expected /= b;
    expect(Math.abs(gp - expected) / expected).toBeLessThan(2e-3);

    // 'sequence': one norm over each whole sequence.
    let expectedSeq = 0;
    for (let i = 0; i < b; i++) {
      let sq = 0;
      for (let j = 0; j < t * V; j++) sq += g[i * t * V + j] ** 2;
      expectedSeq += (Math.sqrt(sq) - 1) ** 2;
    }
    expectedSeq /= b;
    const gpSeq = value(gradientPenalty(D, real, fake, tf.tensor1d(alpha), 'sequence'));
    expect(Math.abs(gpSeq - expectedSeq) / expectedSeq).toBeLessThan(2e-3);
  });
});
