/**
 * Speed probe for the feature front end: seconds of audio processed per
 * second of time on the calling thread (one core). Both wall-clock and
 * process-CPU figures are given: on a busy machine wall time overstates the
 * cost, CPU time is the fairer single-core number.
 */
import { makeRng } from '../util/rng.js';
import type { FeatureConfig } from './config.js';
import { resolveFeatureConfig } from './config.js';
import { computeFeatures } from './extract.js';

export interface FeatureBenchResult {
  audioSeconds: number;
  frames: number;
  dim: number;
  wallMs: number;
  cpuMs: number;
  /** Audio duration / wall time. */
  xRealTime: number;
  /** Audio duration / process CPU time. */
  xRealTimeCpu: number;
}

/** Time computeFeatures on `seconds` of seeded white noise (after a short warm-up). */
export function benchmarkFeatures(seconds: number, cfg: Partial<FeatureConfig> = {}): FeatureBenchResult {
  const c = resolveFeatureConfig(cfg);
  const rng = makeRng(1);
  const samples = new Float32Array(Math.round(seconds * c.sampleRate));
  for (let i = 0; i < samples.length; i++) samples[i] = 0.1 * rng.normal();
  computeFeatures(samples.subarray(0, Math.min(samples.length, 5 * c.sampleRate)), c); // warm-up: JIT and tables
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const m = computeFeatures(samples, c);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { audioSeconds: seconds, frames: m.rows, dim: m.cols, wallMs, cpuMs, xRealTime: (seconds * 1000) / wallMs, xRealTimeCpu: (seconds * 1000) / cpuMs };
}
