/**
 * Bench section for adversarial training: the project's own trainer
 * (GanTrainer.step, the code `fieldphone train` runs) on synthetic data held in
 * memory, timed per discriminator step (GAN loss + gradient penalty + weight
 * decay, Adam, clipping), per generator step and per D+G update pair, at the
 * default config and at fairseq wav2vec-U 1.0's shapes (the issue's comparison
 * with PyTorch's 2.9 s per update on 2 cores). The matmul work of a pair is
 * counted from the shapes of every BatchMatMul a profiled warm-up step runs
 * (the convolutions are matMuls over an im2col, see src/model/conv.ts), and
 * set next to the backend's own 512³ matMul throughput.
 */
import { activeBackend, initBackend, tf } from '../../src/backend/index.js';
import { featureDim } from '../../src/features/index.js';
import { DEFAULT_PREPARE_AUDIO_CONFIG, type PreparedAudio } from '../../src/pipeline/prepare-audio.js';
import { resolveGanConfig, type GanConfig } from '../../src/train/config.js';
import type { AudioData, AudioExample, TextData } from '../../src/train/data.js';
import { GanTrainer } from '../../src/train/gan-trainer.js';
import { makeRng, type Rng } from '../../src/util/rng.js';
import type { BenchContext, BenchRow, BenchSection } from './bench-harness.js';

/** Output units of the synthetic text side: 43 phones + <SIL>, about a real inventory's size. */
const UNITS = 44;
/** Seconds of timed steps aimed at per shape, after the warm-up; at least one D+G pair is always timed. */
const TIMED_SECONDS_PER_SHAPE = 20;
const MAX_TIMED_PAIRS = 3;
/** Above this, one D and one G step are timed and no more. */
const SLOW_PAIR_SECONDS = 60;

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

/** The backend's matMul throughput on 512×512 · 512×512. */
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

/** Run update u under the profiler; the FLOPs of every matMul it ran (forward, backward, double backward). */
async function profiledStep(trainer: GanTrainer, u: number): Promise<number> {
  let flops = 0;
  const profile = await tf.profile(() => {
    trainer.step(u);
  });
  for (const k of profile.kernels)
    if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') flops += matmulFlops(k.inputShapes[0], k.outputShapes[0]);
  return flops;
}

interface Shape {
  label: string;
  cfg: GanConfig;
  /** Generator input dimension per step. */
  dim: number;
  /** Mean generator steps per utterance (lengths vary ±spread) and mean phones per text sentence. */
  steps: number;
  spread: number;
  numClusters: number;
  describe: string;
}

/**
 * In-memory training data of the shape's dimensions: exactly one batch of
 * utterances (so every step sees the same padded length) with random
 * features, and random unit sentences of about the same length.
 */
function syntheticData(s: Shape, rng: Rng): { audio: AudioData; text: TextData } {
  const framesPerStep = s.cfg.input.kind === 'frames' ? s.cfg.input.stack : 2;
  const examples: AudioExample[] = Array.from({ length: s.cfg.batchSize }, (_, n) => {
    const steps = s.steps - s.spread + rng.int(2 * s.spread + 1);
    const x = new Float32Array(steps * s.dim);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const spans = new Int32Array(2 * steps);
    const clusters = new Int32Array(steps);
    for (let i = 0; i < steps; i++) {
      spans[2 * i] = i * framesPerStep;
      spans[2 * i + 1] = (i + 1) * framesPerStep;
      clusters[i] = rng.int(s.numClusters);
    }
    const durationSec = (steps * framesPerStep) / 100;
    const id = `bench-${n}`;
    return { id, utterance: { id, path: `${id}.wav`, speaker: 'bench', durationSec, keptSec: durationSec, kept: [] }, x, steps, spans, clusters };
  });
  const sentences = Array.from({ length: 1000 }, () =>
    Int32Array.from({ length: s.steps - s.spread + rng.int(2 * s.spread + 1) }, () => rng.int(UNITS)),
  );
  return {
    // GanTrainer never reads `prepared` (only loadAudioData's callers' transcription does).
    audio: { dim: s.dim, numClusters: s.numClusters, examples, prepared: undefined as unknown as PreparedAudio },
    text: { units: [...Array.from({ length: UNITS - 1 }, (_, i) => `p${i}`), '<SIL>'], sentences },
  };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Warm up (profiled) on updates 1–2, then time D+G pairs from update 3 on. */
async function benchShape(s: Shape, ctx: BenchContext): Promise<BenchRow[]> {
  const { audio, text } = syntheticData(s, makeRng(1));
  const trainer = new GanTrainer(s.cfg, audio, text);
  try {
    const w0 = performance.now();
    const flopsD = await profiledStep(trainer, 1);
    ctx.sampleMemory();
    const flopsG = await profiledStep(trainer, 2);
    ctx.sampleMemory();
    const warmup = seconds(w0);
    const dTimes: number[] = [];
    const gTimes: number[] = [];
    const wanted = Math.max(1, Math.min(MAX_TIMED_PAIRS, Math.floor(TIMED_SECONDS_PER_SHAPE / warmup)));
    for (let p = 0, u = 3; p < wanted; p++, u += 2) {
      let t0 = performance.now();
      trainer.step(u);
      dTimes.push(seconds(t0));
      ctx.sampleMemory();
      t0 = performance.now();
      trainer.step(u + 1);
      gTimes.push(seconds(t0));
      ctx.sampleMemory();
      if (dTimes[p] + gTimes[p] > SLOW_PAIR_SECONDS) break;
    }
    const [d, g] = [mean(dTimes), mean(gTimes)];
    const n = dTimes.length;
    const timed = `mean of ${n} after a profiled warm-up pair (${warmup.toFixed(1)} s)`;
    const flops = flopsD + flopsG;
    return [
      { measure: `${s.label}: D step`, value: d, unit: 's', note: `${s.describe}; incl. gradient penalty; ${timed}` },
      { measure: `${s.label}: G step`, value: g, unit: 's', note: timed },
      {
        measure: `${s.label}: D+G update pair`,
        value: d + g,
        unit: 's',
        note: s.label === 'fairseq' ? 'PyTorch CPU reference on 2 cores (issue): 2.9 s per update' : undefined,
      },
      { measure: `${s.label}: matMul work per pair`, value: flops / 1e9, unit: 'GFLOP', note: `D ${(flopsD / 1e9).toFixed(2)} + G ${(flopsG / 1e9).toFixed(2)}` },
      {
        measure: `${s.label}: achieved in matmuls`,
        value: flops / (d + g) / 1e9,
        unit: 'GFLOP/s',
        note:
          'BatchMatMul shapes of the profiled warm-up D and G steps (convs as im2col matMuls, their backward, the penalty double backward, JOIN); ' +
          'other ops not counted; later steps differ a little (JOIN and text lengths)',
      },
    ];
  } finally {
    trainer.dispose();
  }
}

function shapes(): Shape[] {
  const def = resolveGanConfig();
  const defDim = def.input.kind === 'frames' ? featureDim(DEFAULT_PREPARE_AUDIO_CONFIG.features) * def.input.stack : DEFAULT_PREPARE_AUDIO_CONFIG.pcaDim;
  const fs = resolveGanConfig({
    input: { kind: 'segments' },
    generator: { kind: 'linear', kernel: 4, aux: false },
    discriminator: { hidden: 384, kernel: 6, depth: 2 },
    loss: { gradientPenalty: 1.5, aux: 0 },
    batchSize: 160,
  });
  const g = (c: GanConfig) =>
    `G ${c.generator.kind} k${c.generator.kernel}${c.generator.kind === 'conv2' ? ` h${c.generator.hidden}` : ''}${c.generator.aux ? ' +aux' : ''}, ` +
    `D h${c.discriminator.hidden} k${c.discriminator.kernel} ×${c.discriminator.depth}, batch ${c.batchSize}`;
  return [
    {
      label: 'default',
      cfg: def,
      dim: defDim,
      steps: 60,
      spread: 10,
      numClusters: DEFAULT_PREPARE_AUDIO_CONFIG.kmeans.k,
      describe: `resolveGanConfig(): ${defDim}-d ${def.input.kind}, ~60 steps, ${g(def)}`,
    },
    { label: 'fairseq', cfg: fs, dim: 39, steps: 100, spread: 20, numClusters: 128, describe: `39-d segments, ~100 steps, ${g(fs)}` },
  ];
}

export const ganSection: BenchSection = {
  name: 'gan',
  title: 'adversarial training steps (GanTrainer) on synthetic data, default config and fairseq 1.0 shapes',
  async run(ctx) {
    await initBackend();
    const info = activeBackend()!;
    const rows: BenchRow[] = [
      {
        measure: 'matMul 512³',
        value: matmulGflops(),
        unit: 'GFLOP/s',
        note: `backend ${info.name}${info.threads ? `, ${info.threads} threads` : ''} (FIELDPHONE_BACKEND / FIELDPHONE_THREADS)`,
      },
    ];
    for (const s of shapes()) rows.push(...(await benchShape(s, ctx)));
    return rows;
  },
};
