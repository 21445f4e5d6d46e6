/**
 * ONNX encoder features on the project's tiny encoders (scripts/make-tiny-onnx.ts):
 * the committed fixtures are what the generator writes, ONNX Runtime's frames
 * match a direct JS computation with the same weights, the frame grid and times
 * are wav2vec 2.0's, chunking with context reproduces whole-recording frames,
 * and bad encoders, layers and changed files are reported clearly.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  TINY_CONV_CHANNELS,
  TINY_DIM,
  TINY_FIXTURES,
  TINY_HOP,
  TINY_WIN,
  buildTinyEncoder,
  tinyWeights,
  type TinyWeights,
} from '../../scripts/make-tiny-onnx.js';
import { createOnnxSession, loadOnnxRuntime, onnxProviderOrder } from '../../src/backend/onnx.js';
import { encodeWaveform, onnxFeatureConfig } from '../../src/features/onnx-encoder.js';
import { featureDim, frameCenterTime, numFrames, resolveFeatureConfig, type FeatureConfig } from '../../src/features/config.js';
import type { Matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';
import { scratchFolder } from '../helpers/scratch.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const STACKED = join(FIXTURES, TINY_FIXTURES.stacked);
const PER_LAYER = join(FIXTURES, TINY_FIXTURES['per-layer']);

function noise(n: number, seed: number, scale = 0.3): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** The tiny encoder's hidden states [h0, h1, h2], computed directly in float64 (see the generator's comment). */
function reference(x: Float32Array, w: TinyWeights, normalize: boolean): Float64Array[] {
  let xs = Float64Array.from(x);
  if (normalize) {
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    xs = xs.map((v) => (v - mean) / Math.sqrt(variance + 1e-7));
  }
  const C = TINY_CONV_CHANNELS, D = TINY_DIM;
  const T = x.length < TINY_WIN ? 0 : 1 + Math.floor((x.length - TINY_WIN) / TINY_HOP);
  const h0 = new Float64Array(T * D), h1 = new Float64Array(T * D), h2 = new Float64Array(T * D);
  for (let t = 0; t < T; t++) {
    const conv = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let s = w.convB[c];
      for (let k = 0; k < TINY_WIN; k++) s += w.convW[c * TINY_WIN + k] * xs[t * TINY_HOP + k];
      conv[c] = Math.max(0, s);
    }
    for (let d = 0; d < D; d++) {
      let s = w.projB[d];
      for (let c = 0; c < C; c++) s += conv[c] * w.projW[c * D + d];
      h0[t * D + d] = s;
    }
  }
  for (let t = 0; t < T; t++)
    for (let o = 0; o < D; o++) {
      let s = w.mixB[o];
      for (let tap = 0; tap < 3; tap++) {
        const u = t + tap - 1; // zero padding of one frame each side
        if (u < 0 || u >= T) continue;
        for (let i = 0; i < D; i++) s += w.mixW[(o * D + i) * 3 + tap] * h0[u * D + i];
      }
      h1[t * D + o] = h0[t * D + o] + Math.tanh(s);
    }
  for (let t = 0; t < T; t++)
    for (let o = 0; o < D; o++) {
      let s = w.ffB[o];
      for (let i = 0; i < D; i++) s += h1[t * D + i] * w.ffW[i * D + o];
      h2[t * D + o] = h1[t * D + o] + Math.tanh(s);
    }
  return [h0, h1, h2];
}

function maxAbsDiff(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const withChunks = (cfg: FeatureConfig, chunkSec: number, contextSec: number): FeatureConfig =>
  resolveFeatureConfig({ ...cfg, encoder: { ...cfg.encoder!, chunkSec, contextSec } });

describe('tiny ONNX encoder fixtures', () => {
  it('are exactly what scripts/make-tiny-onnx.ts writes', () => {
    expect(Buffer.from(buildTinyEncoder('stacked')).equals(readFileSync(STACKED))).toBe(true);
    expect(Buffer.from(buildTinyEncoder('per-layer')).equals(readFileSync(PER_LAYER))).toBe(true);
    expect(readFileSync(STACKED).length).toBeLessThan(16_000);
  });
});

describe('onnxFeatureConfig', () => {
  it('records the encoder, its hash, the chosen layer and the wav2vec 2.0 frame grid', async () => {
    const cfg = await onnxFeatureConfig({ path: STACKED, layer: 1 });
    const sha = (await import('node:crypto')).createHash('sha256').update(readFileSync(STACKED)).digest('hex');
    expect(cfg.kind).toBe('onnx');
    expect([cfg.sampleRate, cfg.winMs, cfg.hopMs, cfg.deltas]).toEqual([16000, 25, 20, false]);
    expect(cfg.encoder).toMatchObject({ path: STACKED, sha256: sha, input: 'input_values', output: 'hidden_states', layer: 1, stacked: true, dim: TINY_DIM, normalize: true });
    expect(featureDim(cfg)).toBe(TINY_DIM);
    // Per-layer exports: the layer picks the output by name.
    const per = await onnxFeatureConfig({ path: PER_LAYER, layer: 2 });
    expect(per.encoder).toMatchObject({ output: 'hidden_state_2', layer: 2, stacked: false });
    // No layer: the last hidden state.
    expect((await onnxFeatureConfig({ path: PER_LAYER })).encoder).toMatchObject({ output: 'last_hidden_state', layer: null });
  });

  it('refuses layers the encoder does not have, other frame grids, and files that are not encoders', async () => {
    const w = tinyWeights();
    await expect(onnxFeatureConfig({ path: STACKED, layer: 3 })).rejects.toThrow(/--layer 3 is out of range: .*hidden states 0\.\.2/);
    await expect(onnxFeatureConfig({ path: STACKED, output: 'hidden_states' })).rejects.toThrow(/holds 3 hidden states; choose one with --layer 0\.\.2/);
    await expect(onnxFeatureConfig({ path: PER_LAYER, layer: 5 })).rejects.toThrow(/no output for hidden state 5 \(outputs: last_hidden_state, hidden_state_0/);
    await expect(onnxFeatureConfig({ path: PER_LAYER, output: 'hidden_state_1', layer: 2 })).rejects.toThrow(/output 'hidden_state_1' holds hidden state 1, not 2/);
    await expect(onnxFeatureConfig({ path: PER_LAYER, output: 'last_hidden_state', layer: 2 })).rejects.toThrow(/output 'last_hidden_state' holds one layer's frames, not 2/);
    await expect(onnxFeatureConfig({ path: STACKED, output: 'logits' })).rejects.toThrow(/has no output 'logits'; its outputs are: last_hidden_state, hidden_states/);
    const tmp = scratchFolder('fieldphone-onnx-');
    await expect(onnxFeatureConfig({ path: join(tmp.dir, 'nope.onnx') })).rejects.toThrow(/nope\.onnx: ONNX encoder not found/);
    const fast = join(tmp.dir, 'fast.onnx');
    writeFileSync(fast, buildTinyEncoder('stacked', w, 160)); // 10 ms frames
    await expect(onnxFeatureConfig({ path: fast, layer: 1 })).rejects.toThrow(/fast\.onnx: gives 98 frames for 16000 samples; fieldphone expects wav2vec 2\.0's frame grid \(.*: 49 frames\)/);
    const text = tmp.write('notes.onnx', 'these are my field notes\n');
    await expect(onnxFeatureConfig({ path: text })).rejects.toThrow(/notes\.onnx: ONNX Runtime cannot load this model/);
  });
});

describe('encodeWaveform', () => {
  const w = tinyWeights();

  it('gives every layer as computed directly from the weights, on the 400/320-sample grid', async () => {
    const x = noise(16000 + 777, 3);
    const expectedRows = 1 + Math.floor((x.length - 400) / 320);
    const ref = reference(x, w, true);
    for (const layer of [0, 1, 2]) {
      const cfg = await onnxFeatureConfig({ path: STACKED, layer });
      const m = await encodeWaveform(x, cfg);
      expect([m.rows, m.cols]).toEqual([expectedRows, TINY_DIM]);
      expect(numFrames(x.length, cfg)).toBe(expectedRows);
      expect(maxAbsDiff(m.data, ref[layer])).toBeLessThan(1e-4);
      // The per-layer export computes the same network.
      const per = await encodeWaveform(x, await onnxFeatureConfig({ path: PER_LAYER, layer }));
      expect(maxAbsDiff(per.data, ref[layer])).toBeLessThan(1e-4);
    }
    expect(maxAbsDiff((await encodeWaveform(x, await onnxFeatureConfig({ path: PER_LAYER }))).data, ref[2])).toBeLessThan(1e-4);
    // Shorter than one 400-sample window: no frames, and the encoder is not run.
    expect((await encodeWaveform(noise(399, 1), await onnxFeatureConfig({ path: STACKED, layer: 0 }))).rows).toBe(0);
  });

  it('normalises the waveform unless told not to', async () => {
    const x = noise(8000, 4);
    const louder = x.map((v) => 3 * v + 0.05);
    const norm = await onnxFeatureConfig({ path: STACKED, layer: 2 });
    expect(maxAbsDiff((await encodeWaveform(x, norm)).data, (await encodeWaveform(louder, norm)).data)).toBeLessThan(1e-4);
    const raw = await onnxFeatureConfig({ path: STACKED, layer: 2, normalize: false });
    const rawOut = await encodeWaveform(x, raw);
    expect(maxAbsDiff(rawOut.data, reference(x, w, false)[2])).toBeLessThan(1e-4);
    expect(maxAbsDiff(rawOut.data, (await encodeWaveform(louder, raw)).data)).toBeGreaterThan(0.1);
  });

  it('puts frame i at samples [320 i, 320 i + 400): a click changes exactly those frames', async () => {
    const cfg = await onnxFeatureConfig({ path: STACKED, layer: 0, normalize: false });
    const silent = await encodeWaveform(new Float32Array(16000), cfg);
    for (const click of [1000, 5000, 12345]) {
      const x = new Float32Array(16000);
      x[click] = 1;
      const m = await encodeWaveform(x, cfg);
      const changed: number[] = [];
      for (let t = 0; t < m.rows; t++) if (maxAbsDiff(m.data.subarray(t * TINY_DIM, (t + 1) * TINY_DIM), silent.data.subarray(t * TINY_DIM, (t + 1) * TINY_DIM)) > 1e-6) changed.push(t);
      const expected: number[] = [];
      for (let t = 0; t < m.rows; t++) if (t * 320 <= click && click < t * 320 + 400) expected.push(t);
      expect(changed).toEqual(expected);
      // Frame times are window centres: within 12.5 ms of the click.
      for (const t of changed) expect(Math.abs(frameCenterTime(t, cfg) - click / 16000)).toBeLessThanOrEqual(0.0125);
    }
  });

  it('encodes long recordings in chunks with context, giving the frames of one whole run', async () => {
    const x = noise(16000 * 7 + 123, 5);
    const base = await onnxFeatureConfig({ path: STACKED, layer: 2 });
    const whole = await encodeWaveform(x, withChunks(base, 100, 0));
    expect(maxAbsDiff(whole.data, reference(x, w, true)[2])).toBeLessThan(1e-4);
    // 1 s chunks with 0.1 s (5 frames) of context: the neighbour-mixing layer sees the same inputs.
    const chunked = await encodeWaveform(x, withChunks(base, 1, 0.1));
    expect(maxAbsDiff(chunked.data, whole.data)).toBeLessThan(1e-5);
    // Without context, frames at chunk edges lose their neighbour: the overlap is what makes them right.
    const bare = await encodeWaveform(x, withChunks(base, 1, 0));
    expect(maxAbsDiff(bare.data, whole.data)).toBeGreaterThan(1e-3);
  });

  it('checks the encoder file before use: missing or changed is an error naming it', async () => {
    const tmp = scratchFolder('fieldphone-onnx-');
    const model = join(tmp.dir, 'encoder.onnx');
    copyFileSync(STACKED, model);
    const cfg = await onnxFeatureConfig({ path: model, layer: 1 });
    const x = noise(4000, 6);
    const ok: Matrix = await encodeWaveform(x, cfg);
    expect(ok.rows).toBe(numFrames(4000, cfg));
    const moved = resolveFeatureConfig({ ...cfg, encoder: { ...cfg.encoder!, path: join(tmp.dir, 'gone.onnx') } });
    await expect(encodeWaveform(x, moved)).rejects.toThrow(/ONNX encoder \S*gone\.onnx not found: these features were made with it \(sha256 [0-9a-f]{64}\)/);
    const other = join(tmp.dir, 'other.onnx');
    copyFileSync(PER_LAYER, other);
    const swapped = resolveFeatureConfig({ ...cfg, encoder: { ...cfg.encoder!, path: other } });
    await expect(encodeWaveform(x, swapped)).rejects.toThrow(/ONNX encoder \S*other\.onnx has changed since the features were made/);
  });
});

describe('ONNX Runtime provider choice (src/backend/onnx.ts)', () => {
  const cudaLib = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');

  it('tries CUDA only when its provider files are installed; a forced provider is the only one tried', async () => {
    const ort = await loadOnnxRuntime();
    expect(onnxProviderOrder(ort, undefined)).toEqual(existsSync(cudaLib) ? ['cuda', 'cpu'] : ['cpu']);
    expect(onnxProviderOrder(ort, 'cpu')).toEqual(['cpu']);
    expect(onnxProviderOrder(ort, 'cuda')).toEqual(['cuda']);
    expect(() => onnxProviderOrder(ort, 'tpu')).toThrow(/FIELDPHONE_ONNX_PROVIDER must be one of cuda, cpu, got 'tpu'/);
  });

  it.skipIf(existsSync(cudaLib))('says what is missing when CUDA is forced but not installed', async () => {
    const saved = process.env.FIELDPHONE_ONNX_PROVIDER;
    process.env.FIELDPHONE_ONNX_PROVIDER = 'cuda';
    try {
      await expect(createOnnxSession(STACKED)).rejects.toThrow(/cuda provider did not start .*ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node/);
    } finally {
      if (saved === undefined) delete process.env.FIELDPHONE_ONNX_PROVIDER;
      else process.env.FIELDPHONE_ONNX_PROVIDER = saved;
    }
  });
});
