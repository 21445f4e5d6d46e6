/** Settings of decipherment (see anneal.ts for what each one does). */
import { integerCheckFor } from '../util/config-check.js';
import { UsageError } from '../util/errors.js';

export interface DecipherConfig {
  /** k-means clusters of the segments: the cipher's symbols (several per phone, as voices and contexts differ). */
  clusters: number;
  /** Independent k-means fits of the segments, each deciphered `restarts` times. */
  clusterings: number;
  /** Annealing runs per clustering, each from its own random map; the run with the highest score is kept. */
  restarts: number;
  /** Moves per annealing run. */
  iterations: number;
  /** Start and end temperature of annealing (geometric). From 50 rather than 200: on the demo corpus six runs averaged −6.83 per segment against −6.85, at no cost. */
  startTemperature: number;
  endTemperature: number;
  /** Weight of covering the text's phone frequencies, per segment. */
  unigramWeight: number;
  seed: number;
}

export const DEFAULT_DECIPHER: DecipherConfig = {
  clusters: 200,
  clusterings: 2,
  restarts: 8,
  iterations: 8_000_000,
  startTemperature: 50,
  endTemperature: 1,
  unigramWeight: 1,
  seed: 1,
};

export function validateDecipherConfig(c: DecipherConfig): void {
  const int = integerCheckFor('decipher');
  int('clusters', c.clusters, 2);
  int('clusterings', c.clusterings, 1);
  int('restarts', c.restarts, 1);
  int('iterations', c.iterations, 1);
  if (!(c.startTemperature > 0 && c.endTemperature > 0 && c.endTemperature <= c.startTemperature))
    throw new UsageError(`decipher temperatures must be positive with the end at most the start, got ${c.startTemperature} → ${c.endTemperature}`);
  if (!(c.unigramWeight >= 0 && Number.isFinite(c.unigramWeight))) throw new UsageError(`decipher unigram weight must be a non-negative number, got ${c.unigramWeight}`);
}
