/**
 * One annealing worker thread, started by decipherSegments (index.ts) through
 * the shared worker pool: annealing runs are independent, so they spread over
 * the cores. A run's result depends only on its task (its seed included), not
 * on which thread ran it.
 */
import { serveTasks } from '../util/worker-pool.js';
import { makeRng } from '../util/rng.js';
import { anneal, type AnnealSettings, type CipherText } from './anneal.js';
import type { PhoneTrigram } from './lm.js';

export interface AnnealTask {
  index: number;
  cipher: CipherText;
  lm: PhoneTrigram;
  settings: AnnealSettings;
  seed: number;
}

export interface AnnealResult {
  index: number;
  map: Int32Array;
  score: number;
}

void serveTasks<AnnealTask, AnnealResult>(
  async () => undefined,
  async (t) => ({ index: t.index, ...anneal(t.cipher, t.lm, t.settings, makeRng(t.seed)) }),
);
