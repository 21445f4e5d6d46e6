import { describe, it, expect, beforeAll } from 'vitest';
import { tf, initBackend } from '../../src/backend/index.js';
import { Discriminator, Generator, gelu, lengthMask, type GeneratorConfig } from '../../src/model/index.js';
import { ArtifactError, UsageError } from '../../src/util/errors.js';
import { makeRng } from '../../src/util/rng.js';

function randomTensor3d(shape: [number, number, number], seed: number): tf.Tensor3D {
  const rng = makeRng(seed);
  return tf.tensor3d(Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => rng.normal()), shape);
}

const linearCfg: GeneratorConfig = { inputDim: 39, numPhones: 40, kind: 'linear', kernel: 4, hidden: 256, inputDropout: 0.1, dropout: 0 };
const conv2Cfg: GeneratorConfig = { inputDim: 6, numPhones: 5, kind: 'conv2', kernel: 5, hidden: 8, kernel2: 3, inputDropout: 0.1, dropout: 0.1, auxClusters: 7 };

describe('generator and discriminator', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('linear generator: one bias-free width-4 convolution, 39·4·40 parameters', () => {
    const G = new Generator(linearCfg, 1);
    expect(G.paramCount).toBe(39 * 4 * 40);
    expect(G.variables).toHaveLength(1);
    const { logits, aux } = G.apply(randomTensor3d([2, 10, 39], 2), false);
    expect(logits.shape).toEqual([2, 10, 40]);
    expect(aux).toBeUndefined();
  });

  it("linear generator aligns taps like fairseq's Conv1d(padding=2): output t sees inputs t−2..t+1", () => {
    const G = new Generator({ ...linearCfg, inputDim: 1, numPhones: 1 }, 1);
    G.setWeights({ proj: { shape: [4, 1], data: Float32Array.from([1, 10, 100, 1000]) } });
    const impulse = new Float32Array(8);
    impulse[3] = 1;
    const y = G.apply(tf.tensor3d(impulse, [1, 8, 1]), false).logits.dataSync();
    expect(Array.from(y)).toEqual([0, 0, 1000, 100, 10, 1, 0, 0]);
  });

  it('conv2 generator with auxiliary head: shapes and parameter count', () => {
    const G = new Generator(conv2Cfg, 3);
    const [D, H, V, K] = [6, 8, 5, 7];
    expect(G.paramCount).toBe(5 * D * H + H + 3 * H * V + H * K + K);
    const { logits, aux } = G.apply(randomTensor3d([3, 9, D], 4), true);
    expect(logits.shape).toEqual([3, 9, V]);
    expect(aux!.shape).toEqual([3, 9, K]);
  });

  for (const cfg of [conv2Cfg, { ...linearCfg, inputDim: 6, numPhones: 5 }]) {
    it(`an utterance gets the same logits alone as inside a zero-padded, masked batch (${cfg.kind})`, () => {
      const G = new Generator(cfg, 3);
      const x = randomTensor3d([1, 5, 6], 5);
      const alone = G.apply(x, false).logits.dataSync();
      const batch = tf.concat([tf.pad(x, [[0, 0], [0, 3], [0, 0]]), randomTensor3d([1, 8, 6], 6)], 0) as tf.Tensor3D;
      const inBatch = tf.slice(G.apply(batch, false, lengthMask([5, 8], 8)).logits, [0, 0, 0], [1, 5, 5]).dataSync();
      for (let i = 0; i < alone.length; i++) expect(inBatch[i]).toBeCloseTo(alone[i], 5);
    });
  }

  it('dropout acts only in training and is reproducible from the seed', () => {
    const x = randomTensor3d([2, 6, 6], 7);
    const [a, b] = [new Generator(conv2Cfg, 9), new Generator(conv2Cfg, 9)];
    expect(Array.from(a.apply(x, true).logits.dataSync())).toEqual(Array.from(b.apply(x, true).logits.dataSync()));
    expect(Array.from(a.apply(x, false).logits.dataSync())).toEqual(Array.from(b.apply(x, false).logits.dataSync()));
    expect(Array.from(a.apply(x, true).logits.dataSync())).not.toEqual(Array.from(a.apply(x, false).logits.dataSync()));
  });

  it('rejects impossible configurations with a usage error', () => {
    expect(() => new Generator({ ...linearCfg, auxClusters: 64 }, 1)).toThrow(UsageError);
    expect(() => new Generator({ ...linearCfg, kernel: 0 }, 1)).toThrow(UsageError);
    expect(() => new Generator({ ...linearCfg, inputDropout: 1 }, 1)).toThrow(UsageError);
    expect(() => new Discriminator({ numPhones: 44, hidden: 384, kernel: 6, depth: 0, dropout: 0 }, 1)).toThrow(UsageError);
  });

  it('discriminator at fairseq size (384 wide, k=6, depth 2, |V|=44) has about 1M parameters', () => {
    const D = new Discriminator({ numPhones: 44, hidden: 384, kernel: 6, depth: 2, dropout: 0 }, 1);
    // emb 44·6→384 (+bias), inner 384·6→384 (+bias), out 384·6→1 (+bias)
    expect(D.paramCount).toBe(44 * 6 * 384 + 384 + 384 * 6 * 384 + 384 + 384 * 6 + 1);
    expect(D.paramCount).toBeGreaterThan(0.95e6);
    expect(D.paramCount).toBeLessThan(1.05e6);
    D.dispose();
  });

  it('discriminator scores are causal means over valid steps: padding content is irrelevant', () => {
    const D = new Discriminator({ numPhones: 4, hidden: 6, kernel: 3, depth: 2, dropout: 0 }, 2);
    const seq = tf.softmax(randomTensor3d([1, 5, 4], 8)) as tf.Tensor3D;
    const alone = D.apply(seq).dataSync()[0];
    const padded = tf.concat([seq, tf.softmax(randomTensor3d([1, 3, 4], 9))], 1) as tf.Tensor3D;
    expect(D.apply(padded, lengthMask([5], 8)).dataSync()[0]).toBeCloseTo(alone, 5);
    expect(D.apply(padded, lengthMask([8], 8)).dataSync()[0]).toBeCloseTo(D.apply(padded).dataSync()[0], 5);
    expect(D.apply(padded).dataSync()[0]).not.toBeCloseTo(alone, 5);
  });

  it('weights round-trip, and mismatched weights are refused naming their origin', () => {
    const x = randomTensor3d([1, 4, 6], 10);
    const [a, b] = [new Generator(conv2Cfg, 1), new Generator(conv2Cfg, 2)];
    b.setWeights(a.getWeights());
    expect(Array.from(b.apply(x, false).logits.dataSync())).toEqual(Array.from(a.apply(x, false).logits.dataSync()));
    const w = a.getWeights();
    expect(() => b.setWeights({ ...w, proj: { shape: [1, 1], data: new Float32Array(1) } }, 'run1/generator.bin')).toThrow(
      /run1\/generator\.bin: weight 'proj' has shape/,
    );
    const { ['aux.w']: _dropped, ...missing } = w;
    expect(() => b.setWeights(missing, 'run1/generator.bin')).toThrow(ArtifactError);
    expect(() => b.setWeights(missing, 'run1/generator.bin')).toThrow(/missing: aux\.w/);
  });

  it('GELU (tanh form) is within 1e-3 of the exact x·Φ(x)', () => {
    // Exact GELU values: x·Φ(x)
    const xs = [-3, -1, -0.5, 0, 0.5, 1, 2];
    const exact = [-0.0040497, -0.1586553, -0.1542687, 0, 0.3457313, 0.8413447, 1.9544997];
    const got = gelu(tf.tensor1d(xs)).dataSync();
    xs.forEach((_, i) => expect(Math.abs(got[i] - exact[i])).toBeLessThan(1e-3));
  });
});
