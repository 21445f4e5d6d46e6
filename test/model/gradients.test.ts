/**
 * Every loss term's gradient, taken by tfjs on the wasm backend, against
 * central finite differences — including the gradient penalty's gradient with
 * respect to the discriminator's weights (a second derivative through D).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { tf, initBackend } from '../../src/backend/index.js';
import {
  Discriminator,
  Generator,
  auxClusterLoss,
  ngramMatchingLoss,
  discriminatorLoss,
  diversityLoss,
  generatorAdversarialLoss,
  gradientPenalty,
  joinSegments,
  lengthMask,
  oneHotBatch,
  smoothnessLoss,
} from '../../src/model/index.js';
import { makeRng } from '../../src/util/rng.js';
import { asVariable, compareGradients, scaleWeights, type GradComparison } from './fd.js';
import { ngramTensors } from '../../src/train/ngram-table.js';

function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * rng.normal()), shape);
}

function expectAgreement(c: GradComparison): void {
  // The comparison must be about a real, non-vanishing gradient.
  expect(c.numericNorm).toBeGreaterThan(1e-3);
  expect(c.relError).toBeLessThan(2e-2);
}

const V = 5;
const smallD = () => new Discriminator({ numPhones: V, hidden: 8, kernel: 3, depth: 2, dropout: 0 }, 11);
const smallG = (aux?: number) =>
  new Generator({ inputDim: 3, numPhones: V, kind: 'conv2', kernel: 3, hidden: 6, kernel2: 2, inputDropout: 0, dropout: 0, auxClusters: aux }, 5);

describe('loss gradients match finite differences on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  // Fake: softmax of random logits, lengths 6 and 4; real: one-hot text, lengths 5 and 7.
  const fakeLengths = [6, 4];
  const fakeInput = () => asVariable(tf.softmax(randomTensor([2, 6, V], 1, 2)));
  const real = () => oneHotBatch([[0, 1, 2, 3, 4], [4, 4, 3, 2, 1, 0, 2]], V);

  it('discriminator loss, wrt D weights and wrt the fake input', () => {
    const D = smallD();
    const fake = fakeInput();
    const { x: realX, lengths } = real();
    const loss = () =>
      discriminatorLoss(
        D.apply(fake as unknown as tf.Tensor3D, lengthMask(fakeLengths, 6)),
        D.apply(realX, lengthMask(lengths, realX.shape[1])),
      );
    expectAgreement(compareGradients(loss, D.variables, 5));
    expectAgreement(compareGradients(loss, [fake], 12));
  });

  for (const norm of ['per-phone', 'sequence'] as const) {
    it(`gradient penalty (${norm} norm), wrt D weights (second order) and wrt the fake input`, () => {
      const D = smallD();
      scaleWeights(D, 3); // larger weights: input gradients well above float32 noise
      const fake = fakeInput();
      const { x: realX } = real();
      const alpha = tf.tensor1d([0.3, 0.8]);
      const loss = () => gradientPenalty(D, realX, fake as unknown as tf.Tensor3D, alpha, norm);
      const wrtWeights = compareGradients(loss, D.variables, 6);
      expectAgreement(wrtWeights);
      expectAgreement(compareGradients(loss, [fake], 12));
    });
  }

  it('generator adversarial loss through softmax and D, wrt G weights and the input features', () => {
    const G = smallG();
    const D = smallD();
    scaleWeights(G, 3);
    scaleWeights(D, 3);
    const x = asVariable(randomTensor([2, 6, 3], 3));
    const mask = lengthMask([6, 5], 6);
    const loss = () =>
      generatorAdversarialLoss(D.apply(tf.softmax(G.apply(x as unknown as tf.Tensor3D, false).logits) as tf.Tensor3D, mask));
    expectAgreement(compareGradients(loss, G.variables, 5));
    expectAgreement(compareGradients(loss, [x], 8));
  });

  it('smoothness, wrt G weights and the input features', () => {
    const G = smallG();
    const x = asVariable(randomTensor([2, 6, 3], 4));
    const mask = lengthMask([6, 3], 6);
    const loss = () => smoothnessLoss(G.apply(x as unknown as tf.Tensor3D, false).logits, mask);
    expectAgreement(compareGradients(loss, G.variables, 5));
    expectAgreement(compareGradients(loss, [x], 8));
  });

  it('diversity, wrt G weights and the input features', () => {
    const G = smallG();
    scaleWeights(G, 3);
    const x = asVariable(randomTensor([2, 6, 3], 5, 2));
    const mask = lengthMask([6, 4], 6);
    const loss = () => diversityLoss(tf.softmax(G.apply(x as unknown as tf.Tensor3D, false).logits) as tf.Tensor3D, mask);
    expectAgreement(compareGradients(loss, G.variables, 5));
    expectAgreement(compareGradients(loss, [x], 8));
  });

  it('auxiliary cluster loss, wrt G weights (incl. the aux head) and the input features', () => {
    const G = smallG(4);
    const x = asVariable(randomTensor([2, 6, 3], 6));
    const mask = lengthMask([6, 4], 6);
    const targets = tf.tensor2d([0, 1, 2, 3, 3, 2, 1, 1, 0, 2, -1, -1], [2, 6], 'int32');
    const loss = () => auxClusterLoss(G.apply(x as unknown as tf.Tensor3D, false).aux!, targets, mask);
    expectAgreement(compareGradients(loss, G.variables, 5));
    expectAgreement(compareGradients(loss, [x], 8));
  });

  for (const order of [2, 3])
    it(`n-gram matching (order ${order}), wrt G weights and the input features`, () => {
      const G = smallG();
      scaleWeights(G, 3);
      const x = asVariable(randomTensor([2, 6, 3], 7, 2));
      const mask = lengthMask([6, 4], 6);
      // Every n-gram of the V units, with random frequencies.
      const N = V ** order;
      const grams = Int32Array.from({ length: N * order }, (_, i) => Math.floor(Math.floor(i / order) / V ** (order - 1 - (i % order))) % V);
      const q = Float32Array.from(tf.softmax(tf.reshape(randomTensor([N], 8), [1, N])).dataSync());
      const { selectors, q: qt } = ngramTensors({ order, grams, q }, V);
      const loss = () => ngramMatchingLoss(tf.softmax(G.apply(x as unknown as tf.Tensor3D, false).logits) as tf.Tensor3D, mask, selectors, qt);
      expectAgreement(compareGradients(loss, G.variables, 5));
      expectAgreement(compareGradients(loss, [x], 8));
    });

  // The gradient registrations themselves (tfjs-core ships none): matMul in every transpose combination,
  // including a batch dimension that broadcasts, twice differentiated.
  for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    it(`matMul gradients, first and second order (transposeA=${tA}, transposeB=${tB})`, () => {
      const a = asVariable(randomTensor(tA ? [2, 4, 3] : [2, 3, 4], 20));
      const b = asVariable(randomTensor(tB ? [5, 4] : [4, 5], 21));
      const r = randomTensor([2, 3, 5], 22);
      const product = () => tf.matMul(a, b, tA, tB);
      expectAgreement(compareGradients(() => tf.sum(tf.mul(product(), r)) as tf.Scalar, [a, b], 6));
      // Σ(∂Σ(y²)/∂a)² depends on a and b through the gradient: checks the gradient's gradient.
      const secondOrder = () => tf.sum(tf.square(tf.grad((x) => tf.sum(tf.square(tf.matMul(x, b, tA, tB))))(a))) as tf.Scalar;
      expectAgreement(compareGradients(secondOrder, [a, b], 6));
    });
  }

  for (const mode of ['mean', 'sample'] as const) {
    it(`joinSegments (${mode}) passes gradients to the kept logits`, () => {
      // Well-separated argmax runs, so ±eps cannot change the segmentation.
      const ids = [0, 0, 0, 2, 2, 1, 4, 4, 3, 3, 3, 1];
      const base = Float32Array.from({ length: 12 * V }, (_, i) => (Math.floor(i / V) % 3) * 0.1 + (i % V) * 0.01);
      ids.forEach((id, i) => (base[i * V + id] += 5));
      const logits = asVariable(tf.tensor3d(base, [2, 6, V]));
      const weights = randomTensor([2, 6, V], 9); // random linear read-out of the joined logits
      const loss = () =>
        tf.tidy(() => {
          const { joined } = joinSegments(logits as unknown as tf.Tensor3D, [6, 6], mode, makeRng(3));
          const [, Tj] = joined.shape;
          return tf.sum(tf.square(tf.mul(joined, tf.slice(weights, [0, 0, 0], [2, Tj, V])))) as tf.Scalar;
        });
      expectAgreement(compareGradients(loss, [logits], 30, 1e-2, 5));
    });
  }
});
