/**
 * resolveFeatureConfig's checks of the encoder-frame kinds ('onnx': an ONNX
 * encoder, 'ssl': a `fieldphone pretrain` encoder folder): each needs its own
 * complete reference and no deltas, and neither reference goes with another
 * kind; featureDim is the encoder's width.
 */
import { describe, expect, it } from 'vitest';
import { featureDim, resolveFeatureConfig, type FeatureConfig } from '../../src/features/config.js';
import type { OnnxEncoderConfig } from '../../src/features/onnx-encoder.js';
import type { SslEncoderRef } from '../../src/pretrain/model-folder.js';
import { UsageError } from '../../src/util/errors.js';

const onnx: OnnxEncoderConfig = { path: '/m/enc.onnx', sha256: 'x', input: 'input_values', output: 'last_hidden_state', layer: null, stacked: false, dim: 12, normalize: false, chunkSec: 30, contextSec: 1 };
const ssl: SslEncoderRef = { path: '/m/encoder', sha256: 'y', layer: 2, dim: 8 };

function message(cfg: Partial<FeatureConfig>): string {
  try {
    resolveFeatureConfig(cfg);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError, none was thrown');
}

describe('encoder-frame kinds', () => {
  it('accept a complete reference without deltas; featureDim is its width', () => {
    expect(featureDim(resolveFeatureConfig({ kind: 'onnx', encoder: onnx, deltas: false }))).toBe(12);
    expect(featureDim(resolveFeatureConfig({ kind: 'ssl', ssl, deltas: false }))).toBe(8);
    // The other kinds are unchanged: 13 cepstra (+ Δ + ΔΔ), 40 log-mel bands.
    expect(featureDim(resolveFeatureConfig())).toBe(39);
    expect(featureDim(resolveFeatureConfig({ kind: 'logmel', deltas: false }))).toBe(40);
  });

  it('need their reference, complete', () => {
    expect(message({ kind: 'onnx', deltas: false })).toBe("feature config: kind 'onnx' needs an encoder (path, sha256, output, dim)");
    expect(message({ kind: 'onnx', encoder: { ...onnx, dim: 0 }, deltas: false })).toBe("feature config: kind 'onnx' needs an encoder (path, sha256, output, dim)");
    expect(message({ kind: 'ssl', deltas: false })).toBe("feature config: kind 'ssl' needs an encoder folder (path, sha256, layer, dim)");
    // An ONNX encoder may have no layer (last_hidden_state); an encoder folder must name one.
    expect(message({ kind: 'ssl', ssl: { ...ssl, layer: 1.5 }, deltas: false })).toBe("feature config: kind 'ssl' needs an encoder folder (path, sha256, layer, dim)");
  });

  it('get no deltas', () => {
    for (const [kind, ref] of [
      ['onnx', { encoder: onnx }],
      ['ssl', { ssl }],
    ] as const)
      expect(message({ kind, ...ref })).toBe('feature config: deltas are not added to encoder frames (set deltas: false)');
  });

  it('their references go with their own kind only', () => {
    expect(message({ kind: 'mfcc', encoder: onnx })).toBe("feature config: an encoder is only used with kind 'onnx', not 'mfcc'");
    expect(message({ kind: 'logmel', ssl })).toBe("feature config: a pretrained encoder folder is only used with kind 'ssl', not 'logmel'");
    expect(message({ kind: 'onnx', encoder: onnx, ssl, deltas: false })).toBe("feature config: a pretrained encoder folder is only used with kind 'ssl', not 'onnx'");
    expect(message({ kind: 'ssl', ssl, encoder: onnx, deltas: false })).toBe("feature config: an encoder is only used with kind 'onnx', not 'ssl'");
  });
});
