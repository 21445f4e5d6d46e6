/**
 * Seconds per full wav2vec-U update (one discriminator step with gradient
 * penalty + one generator step, Adam, gradient clipping 5) at fairseq's 1.0
 * shapes, and the matmul throughput it reaches, next to the backend's own
 * 512³ matMul throughput. Prints; not a test.
 *
 *   node dist/scripts/bench-gan.js
 *   FIELDPHONE_BACKEND=wasm FIELDPHONE_THREADS=2 BENCH_UPDATES=3 BENCH_BATCH=160 BENCH_CHUNK=32 BENCH_HIDDEN=384 node dist/scripts/bench-gan.js
 *
 * The matmul FLOPs are counted exactly from the shapes of every BatchMatMul a
 * profiled update runs (forward, backward and the penalty's double backward).
 */
import { tf, initBackend } from '../src/backend/index.js';
import {
  Discriminator,
  Generator,
  discriminatorLoss,
  diversityLoss,
  generatorAdversarialLoss,
  gradientPenalty,
  joinSegments,
  lengthMask,
  oneHotBatch,
  smoothnessLoss,
} from '../src/model/index.js';
import { makeRng, type Rng } from '../src/util/rng.js';

const BATCH = Number(process.env.BENCH_BATCH ?? 160);
const UPDATES = Number(process.env.BENCH_UPDATES ?? 2);
/**
 * The discriminator step runs in chunks of this many sequences, gradients
 * summed: every D-step term is a per-sequence mean, so this is exact (the
 * penalty crops per chunk), and it keeps the tape inside wasm's 4 GiB.
 */
const CHUNK = Number(process.env.BENCH_CHUNK ?? 32);
/** Discriminator width: 384 in fairseq; the notes (§10) suggest 128–256 for CPU training. */
const HIDDEN = Number(process.env.BENCH_HIDDEN ?? 384);
const INPUT_DIM = 39;
const PHONES = 44;
const SEGMENTS = 100; // mean segments per utterance; lengths vary ±20
const [GP_WEIGHT, SMOOTHNESS, DIVERSITY, CLIP] = [1.5, 0.5, 4.0, 5.0];

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function matmulGflops(): number {
  const [a, b] = [tf.randomNormal([512, 512]), tf.randomNormal([512, 512])];
  // Not tf.tidy(() => ….dataSync()): tidy walks a returned typed array element by element.
  const once = () => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  for (let i = 0; i < 3; i++) once();
  const reps = 20;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) once();
  tf.dispose([a, b]);
  return (2 * 512 ** 3 * reps) / seconds(t0) / 1e9;
}

/** FLOPs of one BatchMatMul from its shapes: 2·|out|·K, with K = |a| / (a's batch · M). */
function matmulFlops(aShape: number[], outShape: number[]): number {
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const M = outShape[outShape.length - 2];
  const aBatch = size(aShape.slice(0, -2));
  return 2 * size(outShape) * (size(aShape) / (aBatch * M));
}

/** Scale gradients so their global L2 norm is at most `maxNorm` (fairseq clip_norm). */
function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const norm = Math.sqrt(Object.values(grads).reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0], 0));
    if (norm <= maxNorm) return grads;
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) out[name] = tf.mul(g, maxNorm / norm);
    return out;
  });
}

interface Batch {
  audio: tf.Tensor3D;
  audioLengths: number[];
  text: tf.Tensor3D;
  textLengths: number[];
}

function makeBatch(rng: Rng): Batch {
  const audioLengths = Array.from({ length: BATCH }, () => SEGMENTS - 20 + rng.int(41));
  const T = Math.max(...audioLengths);
  const audio = new Float32Array(BATCH * T * INPUT_DIM);
  audioLengths.forEach((len, b) => {
    for (let i = b * T * INPUT_DIM; i < (b * T + len) * INPUT_DIM; i++) audio[i] = rng.normal();
  });
  const sentences = Array.from({ length: BATCH }, () => Array.from({ length: SEGMENTS - 20 + rng.int(41) }, () => rng.int(PHONES)));
  const { x: text, lengths: textLengths } = oneHotBatch(sentences, PHONES);
  return { audio: tf.tensor3d(audio, [BATCH, T, INPUT_DIM]), audioLengths, text, textLengths };
}

function fakeLogits(G: Generator, batch: Batch, training: boolean, rng: Rng) {
  const mask = lengthMask(batch.audioLengths, batch.audio.shape[1]);
  const { logits } = G.apply(batch.audio, training, mask);
  return joinSegments(logits, batch.audioLengths, 'sample', rng);
}

function update(G: Generator, D: Discriminator, optG: tf.Optimizer, optD: tf.Optimizer, batch: Batch, rng: Rng): void {
  // Discriminator step; the generator output is a constant here (fairseq detaches it).
  tf.tidy(() => {
    const { joined, lengths } = fakeLogits(G, batch, true, rng);
    const fake = tf.softmax(joined) as tf.Tensor3D;
    const alpha = tf.tensor1d(Array.from({ length: BATCH }, () => rng.next()));
    let total: tf.NamedTensorMap = {};
    for (let start = 0; start < BATCH; start += CHUNK) {
      const n = Math.min(CHUNK, BATCH - start);
      const rows = <T extends tf.Tensor>(t: T): T => tf.slice(t, start, n) as T;
      const fakeChunk = rows(fake);
      const realChunk = rows(batch.text);
      const { grads } = tf.variableGrads(() => {
        const fakeScores = D.apply(fakeChunk, lengthMask(lengths.slice(start, start + n), fake.shape[1]), true);
        const realScores = D.apply(realChunk, lengthMask(batch.textLengths.slice(start, start + n), realChunk.shape[1]), true);
        const loss = tf.add(discriminatorLoss(fakeScores, realScores), tf.mul(gradientPenalty(D, realChunk, fakeChunk, rows(alpha)), GP_WEIGHT));
        return tf.mul(loss, n / BATCH) as tf.Scalar; // chunk means → batch mean
      }, D.variables);
      total = Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, total[name] ? tf.add(total[name], g) : g]));
    }
    optD.applyGradients(clipByGlobalNorm(total, CLIP));
  });
  // Generator step.
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const { joined, lengths } = fakeLogits(G, batch, true, rng);
      const mask = lengthMask(lengths, joined.shape[1]);
      const probs = tf.softmax(joined) as tf.Tensor3D;
      const adversarial = generatorAdversarialLoss(D.apply(probs, mask, true));
      return tf.addN([adversarial, tf.mul(smoothnessLoss(joined, mask), SMOOTHNESS), tf.mul(diversityLoss(probs, mask), DIVERSITY)]) as tf.Scalar;
    }, G.variables);
    optG.applyGradients(clipByGlobalNorm(grads, CLIP));
  });
}

async function main(): Promise<void> {
  const info = await initBackend(process.env.FIELDPHONE_BACKEND ?? 'wasm');
  const multithread = info.tfBackend === 'wasm' ? await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') : undefined;
  console.log(
    `backend ${info.name}, threads ${info.threads ?? 'n/a'} (FIELDPHONE_THREADS=${process.env.FIELDPHONE_THREADS ?? 'unset'}` +
      (multithread === undefined ? ')' : `, wasm multithreading ${multithread ? 'on' : 'unavailable in Node'})`),
  );
  console.log(`matMul 512³: ${matmulGflops().toFixed(1)} GFLOP/s`);

  const rng = makeRng(1);
  const G = new Generator({ inputDim: INPUT_DIM, numPhones: PHONES, kind: 'linear', kernel: 4, hidden: 0, inputDropout: 0.1, dropout: 0 }, 1);
  const D = new Discriminator({ numPhones: PHONES, hidden: HIDDEN, kernel: 6, depth: 2, dropout: 0 }, 2);
  console.log(`generator ${G.paramCount} params, discriminator ${D.paramCount} params, batch ${BATCH} (D step in chunks of ${CHUNK}), ~${SEGMENTS} segments`);
  const optG = tf.train.adam(4e-4, 0.5, 0.98, 1e-6);
  const optD = tf.train.adam(5e-4, 0.5, 0.98, 1e-6);
  const batch = makeBatch(rng);

  // A profiled update (also the warm-up) counts the matmul work.
  const t0 = performance.now();
  const profile = await tf.profile(() => update(G, D, optG, optD, batch, rng));
  const profiledSeconds = seconds(t0);
  let flops = 0;
  const msByKernel = new Map<string, number>();
  for (const k of profile.kernels) {
    // Custom-gradient ops appear under their scope name with their inner kernels' time: skip them.
    if (!tf.getKernel(k.name, tf.getBackend())) continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    msByKernel.set(k.name, (msByKernel.get(k.name) ?? 0) + ms);
    if (k.name === 'BatchMatMul') flops += matmulFlops(k.inputShapes[0], k.outputShapes[0]);
  }
  const top = [...msByKernel.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  console.log(
    `profiled update: ${profiledSeconds.toFixed(2)} s, ${(flops / 1e9).toFixed(1)} GFLOP in matmuls, ` +
      `peak ${(profile.peakBytes / 2 ** 20).toFixed(0)} MiB of tensors; kernel time: ` +
      top.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)} s`).join(', '),
  );

  const times: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const start = performance.now();
    update(G, D, optG, optD, batch, rng);
    times.push(seconds(start));
  }
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(`update times: ${times.map((t) => t.toFixed(2)).join(', ')} s`);
  console.log(`seconds per update: ${mean.toFixed(2)} (PyTorch CPU reference on 2 cores: 2.9)`);
  console.log(`achieved: ${(flops / mean / 1e9).toFixed(1)} GFLOP/s in matmuls over the whole update`);
  console.log(`tensors alive after the run: ${tf.memory().numTensors}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
