/**
 * The shared integer check of settings, and the validators that use it: each
 * still throws a UsageError in its own words ("pretrain …", "encoder …",
 * "neural …"), naming the setting, the bound and the value given.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCODER, validateEncoderConfig } from '../../src/pretrain/encoder.js';
import { resolvePretrainConfig } from '../../src/pretrain/config.js';
import { validateCtcNetConfig } from '../../src/selftrain/ctc-model.js';
import { DEFAULT_CTC_TRAIN } from '../../src/selftrain/ctc-train.js';
import { checkInteger, integerCheckFor } from '../../src/util/config-check.js';
import { UsageError } from '../../src/util/errors.js';

/** The error `fn` throws (fails the test when it throws none). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('checkInteger', () => {
  it('returns an integer at or above the bound', () => {
    expect(checkInteger('--n', 0, 0)).toBe(0);
    expect(checkInteger('--n', 7, 3)).toBe(7);
    expect(checkInteger('--n', -2, -5)).toBe(-2);
  });

  it('refuses a fraction, a value below the bound, NaN and infinity with a UsageError that names the setting', () => {
    for (const [v, min] of [
      [2.5, 1],
      [0, 1],
      [-1, 0],
      [NaN, 0],
      [Infinity, 0],
    ]) {
      const e = thrown(() => checkInteger('--n', v, min));
      expect(e).toBeInstanceOf(UsageError);
      expect(e.message).toBe(`--n must be an integer ≥ ${min}, got ${v}`);
    }
  });

  it('integerCheckFor puts the owner before the name', () => {
    const int = integerCheckFor('encoder');
    expect(int('width', 4, 2)).toBe(4);
    expect(thrown(() => int('width', 1, 2)).message).toBe('encoder width must be an integer ≥ 2, got 1');
  });
});

describe('validators that use it keep their words', () => {
  it('pretraining settings', () => {
    expect(thrown(() => resolvePretrainConfig({ iterations: 0 })).message).toBe('pretrain iterations must be an integer ≥ 1, got 0');
    // The bound of max steps is the mask span.
    expect(thrown(() => resolvePretrainConfig({ maxSteps: 4, mask: { span: 5 } })).message).toBe('pretrain max steps must be an integer ≥ 5, got 4');
    expect(thrown(() => resolvePretrainConfig({ clusters: 1.5 }))).toBeInstanceOf(UsageError);
    expect(resolvePretrainConfig().iterations).toBeGreaterThanOrEqual(1);
  });

  it('the encoder', () => {
    expect(thrown(() => validateEncoderConfig({ ...DEFAULT_ENCODER, inputDim: 39, width: 1 })).message).toBe('encoder width must be an integer ≥ 2, got 1');
    expect(thrown(() => validateEncoderConfig({ ...DEFAULT_ENCODER, inputDim: 0 })).message).toBe('encoder input dimension must be an integer ≥ 1, got 0');
    expect(() => validateEncoderConfig({ ...DEFAULT_ENCODER, inputDim: 39 })).not.toThrow();
  });

  it('the CTC network', () => {
    const net = DEFAULT_CTC_TRAIN.net;
    expect(thrown(() => validateCtcNetConfig({ ...net, stride: 1.5 })).message).toBe('neural stride must be an integer ≥ 1, got 1.5');
    expect(thrown(() => validateCtcNetConfig({ ...net, context: -1 })).message).toBe('neural context must be an integer ≥ 0, got -1');
    expect(() => validateCtcNetConfig(net)).not.toThrow();
  });
});
