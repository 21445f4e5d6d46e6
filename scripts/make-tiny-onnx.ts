/**
 * Writes the tiny ONNX speech encoders under test/fixtures/: stand-ins for a
 * wav2vec 2.0 export with the same interface (input `input_values` [batch,
 * samples] float32 at 16 kHz; frames of 400 samples every 320 = 25 ms / 20 ms;
 * output `last_hidden_state` [batch, frames, dim] plus the hidden states of
 * every layer), small enough to commit and to check against a JS computation.
 *
 *   node dist/scripts/make-tiny-onnx.js [out-dir]      (default test/fixtures)
 *
 * The ONNX protobuf is encoded here by hand (field numbers from onnx/onnx.proto),
 * so nothing beyond Node is needed. The network, with seeded weights:
 *   c  = Relu(Conv1d(x, convW[4,1,400], stride 320) + convB)        [B, 4, T]
 *   h0 = cᵀ · projW[4,8] + projB                                     "feature projection"
 *   h1 = h0 + Tanh(Conv1d(h0ᵀ, mixW[8,8,3], pad 1) + mixB)ᵀ          neighbours mix, like wav2vec 2.0's positional conv
 *   h2 = h1 + Tanh(h1 · ffW[8,8] + ffB)
 * hidden states are [h0, h1, h2] (Hugging Face's convention: index 0 before
 * the first block) and last_hidden_state = h2.
 * Layouts: 'stacked' has one output `hidden_states` [3, B, T, 8] (torch.stack
 * of the tuple); 'per-layer' has `hidden_state_0` … `hidden_state_2`.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../src/util/fsx.js';
import { makeRng } from '../src/util/rng.js';

export const TINY_SAMPLE_RATE = 16000;
export const TINY_WIN = 400;
export const TINY_HOP = 320;
export const TINY_CONV_CHANNELS = 4;
export const TINY_DIM = 8;
export const TINY_LAYERS = 2;

export type TinyLayout = 'stacked' | 'per-layer';
export const TINY_FIXTURES: Record<TinyLayout, string> = { stacked: 'tiny-encoder.onnx', 'per-layer': 'tiny-encoder-layers.onnx' };

export interface TinyWeights {
  convW: Float32Array; // [4, 1, 400]
  convB: Float32Array; // [4]
  projW: Float32Array; // [4, 8]
  projB: Float32Array; // [8]
  mixW: Float32Array; // [8, 8, 3]  (out, in, tap)
  mixB: Float32Array; // [8]
  ffW: Float32Array; // [8, 8]  (in, out)
  ffB: Float32Array; // [8]
}

/** Seeded weights, scaled so each layer's output stays of order one for unit-variance input. */
export function tinyWeights(seed = 7): TinyWeights {
  const rng = makeRng(seed);
  const normal = (n: number, scale: number) => Float32Array.from({ length: n }, () => rng.normal() * scale);
  const C = TINY_CONV_CHANNELS, D = TINY_DIM;
  return {
    convW: normal(C * TINY_WIN, 1 / Math.sqrt(TINY_WIN)),
    convB: normal(C, 0.1),
    projW: normal(C * D, 0.5),
    projB: normal(D, 0.1),
    mixW: normal(D * D * 3, 0.2),
    mixB: normal(D, 0.1),
    ffW: normal(D * D, 0.3),
    ffB: normal(D, 0.1),
  };
}

// ---- protobuf wire format (just what ONNX needs) ----

type Bytes = Uint8Array;

function varint(n: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`varint: ${n} is not a non-negative integer`);
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

const cat = (parts: Bytes[]): Bytes => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const key = (field: number, wire: number) => varint(field * 8 + wire);
const int = (field: number, v: number): Bytes => Uint8Array.from([...key(field, 0), ...varint(v)]);
const bytes = (field: number, b: Bytes): Bytes => Uint8Array.from([...key(field, 2), ...varint(b.length), ...b]);
const str = (field: number, s: string): Bytes => bytes(field, new TextEncoder().encode(s));

// ---- ONNX messages ----

const FLOAT = 1, INT64 = 7; // TensorProto.DataType
const ATTR_INT = 2, ATTR_INTS = 7; // AttributeProto.AttributeType

function tensor(name: string, dims: number[], data: Float32Array | BigInt64Array, type: number): Bytes {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength); // little-endian on every platform Node runs on
  return cat([...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, raw)]);
}
const floatTensor = (name: string, dims: number[], data: Float32Array) => tensor(name, dims, data, FLOAT);
const int64Tensor = (name: string, values: number[]) => tensor(name, [values.length], BigInt64Array.from(values.map(BigInt)), INT64);

type Attr = { name: string; int: number } | { name: string; ints: number[] };
function attribute(a: Attr): Bytes {
  if ('int' in a) return cat([str(1, a.name), int(20, ATTR_INT), int(3, a.int)]);
  return cat([str(1, a.name), int(20, ATTR_INTS), ...a.ints.map((v) => int(8, v))]);
}

function node(op: string, inputs: string[], outputs: string[], attrs: Attr[] = []): Bytes {
  return cat([...inputs.map((s) => str(1, s)), ...outputs.map((s) => str(2, s)), str(3, `${op}_${outputs[0]}`), str(4, op), ...attrs.map((a) => bytes(5, attribute(a)))]);
}

/** A float tensor's name and shape; strings are symbolic (dynamic) dimensions. */
function valueInfo(name: string, shape: (number | string)[]): Bytes {
  const dims = shape.map((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  const tensorType = cat([int(1, FLOAT), bytes(2, cat(dims))]);
  return cat([str(1, name), bytes(2, bytes(1, tensorType))]);
}

/** The serialised model (a ModelProto); `hop` other than 320 makes an encoder on the wrong frame grid, for tests. */
export function buildTinyEncoder(layout: TinyLayout, w: TinyWeights = tinyWeights(), hop = TINY_HOP): Uint8Array {
  const C = TINY_CONV_CHANNELS, D = TINY_DIM;
  const init = [
    floatTensor('convW', [C, 1, TINY_WIN], w.convW),
    floatTensor('convB', [C], w.convB),
    floatTensor('projW', [C, D], w.projW),
    floatTensor('projB', [D], w.projB),
    floatTensor('mixW', [D, D, 3], w.mixW),
    floatTensor('mixB', [D], w.mixB),
    floatTensor('ffW', [D, D], w.ffW),
    floatTensor('ffB', [D], w.ffB),
    int64Tensor('axis1', [1]),
    ...(layout === 'stacked' ? [int64Tensor('axis0', [0])] : []),
  ];
  const T = [{ name: 'perm', ints: [0, 2, 1] }];
  const nodes = [
    node('Unsqueeze', ['input_values', 'axis1'], ['x3']),
    node('Conv', ['x3', 'convW', 'convB'], ['conv'], [{ name: 'kernel_shape', ints: [TINY_WIN] }, { name: 'strides', ints: [hop] }]),
    node('Relu', ['conv'], ['convAct']),
    node('Transpose', ['convAct'], ['convT'], T),
    node('MatMul', ['convT', 'projW'], ['proj']),
    node('Add', ['proj', 'projB'], ['h0']),
    node('Transpose', ['h0'], ['h0T'], T),
    node('Conv', ['h0T', 'mixW', 'mixB'], ['mix'], [{ name: 'kernel_shape', ints: [3] }, { name: 'pads', ints: [1, 1] }]),
    node('Transpose', ['mix'], ['mixT'], T),
    node('Tanh', ['mixT'], ['mixAct']),
    node('Add', ['h0', 'mixAct'], ['h1']),
    node('MatMul', ['h1', 'ffW'], ['ff']),
    node('Add', ['ff', 'ffB'], ['ffBiased']),
    node('Tanh', ['ffBiased'], ['ffAct']),
    node('Add', ['h1', 'ffAct'], ['h2']),
    node('Identity', ['h2'], ['last_hidden_state']),
  ];
  const hidden = ['h0', 'h1', 'h2'];
  const outputs = [valueInfo('last_hidden_state', ['batch', 'frames', D])];
  if (layout === 'stacked') {
    hidden.forEach((h) => nodes.push(node('Unsqueeze', [h, 'axis0'], [`${h}s`])));
    nodes.push(node('Concat', hidden.map((h) => `${h}s`), ['hidden_states'], [{ name: 'axis', int: 0 }]));
    outputs.push(valueInfo('hidden_states', [hidden.length, 'batch', 'frames', D]));
  } else {
    hidden.forEach((h, i) => {
      nodes.push(node('Identity', [h], [`hidden_state_${i}`]));
      outputs.push(valueInfo(`hidden_state_${i}`, ['batch', 'frames', D]));
    });
  }
  const graph = cat([
    ...nodes.map((n) => bytes(1, n)),
    str(2, `fieldphone-tiny-encoder-${layout}`),
    ...init.map((t) => bytes(5, t)),
    bytes(11, valueInfo('input_values', ['batch', 'samples'])),
    ...outputs.map((o) => bytes(12, o)),
  ]);
  const opset = cat([str(1, ''), int(2, 17)]);
  return cat([int(1, 8), str(2, 'fieldphone make-tiny-onnx'), str(3, '1'), bytes(7, graph), bytes(8, opset)]);
}

function main(): void {
  const outDir = process.argv[2] ?? 'test/fixtures';
  for (const [layout, file] of Object.entries(TINY_FIXTURES) as [TinyLayout, string][]) {
    const model = buildTinyEncoder(layout);
    writeFileAtomic(join(outDir, file), model);
    process.stderr.write(`wrote ${join(outDir, file)} (${model.length} bytes)\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
