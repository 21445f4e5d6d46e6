/** validateDecipherConfig: each bad setting is refused with a message that names it. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DECIPHER, validateDecipherConfig, type DecipherConfig } from '../../src/decipher/config.js';
import { UsageError } from '../../src/util/errors.js';

function message(change: Partial<DecipherConfig>): string {
  try {
    validateDecipherConfig({ ...DEFAULT_DECIPHER, ...change });
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(change)}, none was thrown`);
}

describe('validateDecipherConfig', () => {
  it('accepts the defaults and the edges of each range', () => {
    expect(() => validateDecipherConfig(DEFAULT_DECIPHER)).not.toThrow();
    expect(() => validateDecipherConfig({ ...DEFAULT_DECIPHER, clusters: 2, clusterings: 1, restarts: 1, iterations: 1, startTemperature: 5, endTemperature: 5, unigramWeight: 0 })).not.toThrow();
  });

  it('refuses clusters that are not an integer ≥ 2', () => {
    expect(message({ clusters: 2.5 })).toBe('decipher clusters must be an integer ≥ 2, got 2.5');
    expect(message({ clusters: 1 })).toBe('decipher clusters must be an integer ≥ 2, got 1');
    expect(message({ clusters: NaN })).toMatch(/^decipher clusters /);
  });

  it('refuses fewer than one clustering, restart or iteration', () => {
    expect(message({ clusterings: 0 })).toBe('decipher clusterings must be an integer ≥ 1, got 0');
    expect(message({ restarts: 0 })).toBe('decipher restarts must be an integer ≥ 1, got 0');
    expect(message({ restarts: -2 })).toMatch(/^decipher restarts /);
    expect(message({ iterations: 0 })).toBe('decipher iterations must be an integer ≥ 1, got 0');
    expect(message({ iterations: 1e3 + 0.5 })).toMatch(/^decipher iterations /);
  });

  it('refuses an end temperature above the start, and non-positive ones', () => {
    expect(message({ startTemperature: 1, endTemperature: 2 })).toBe('decipher temperatures must be positive with the end at most the start, got 1 → 2');
    expect(message({ endTemperature: 0 })).toMatch(/^decipher temperatures /);
    expect(message({ startTemperature: -1, endTemperature: -2 })).toMatch(/^decipher temperatures /);
    expect(message({ startTemperature: NaN })).toMatch(/^decipher temperatures /);
  });

  it('refuses a negative or non-finite unigram weight', () => {
    expect(message({ unigramWeight: -0.5 })).toBe('decipher unigram weight must be a non-negative number, got -0.5');
    expect(message({ unigramWeight: Infinity })).toMatch(/^decipher unigram weight /);
    expect(message({ unigramWeight: NaN })).toMatch(/^decipher unigram weight /);
  });
});
