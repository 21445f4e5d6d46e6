/**
 * Decipherment: a first transcription of untranscribed audio from its
 * segments and the language's text alone. The segments (one per expected
 * phone, src/segments/change-points.ts) are clustered with k-means on
 * standardised features; each recording becomes a sequence of cluster
 * symbols; simulated annealing finds the map cluster → phone under which
 * those sequences read most like the text (anneal.ts). The result labels
 * every segment with a phone: a starting point for training the generator
 * (`train --decipher`) and for self-training, which a random start lacks.
 */
import { fitKMeans, assignClusters } from '../segments/index.js';
import { updateSeed } from '../model/optimizer-state.js';
import { concatRows, type Matrix } from '../util/matrix.js';
import { cmvnUtterance } from '../features/index.js';
import { startProgress, type Progress } from '../util/progress.js';
import { UsageError } from '../util/errors.js';
import { SIL } from '../text/silence.js';
import { availableParallelism } from 'node:os';
import { runAllTasks } from '../util/worker-pool.js';
import { cipherText, runAnnealTask, type AnnealResult, type AnnealSettings, type AnnealTask, type CipherText } from './anneal.js';
import { validateDecipherConfig, type DecipherConfig } from './config.js';
import { phoneTrigram, type PhoneTrigram } from './lm.js';

export { DEFAULT_DECIPHER, validateDecipherConfig, type DecipherConfig } from './config.js';

export interface DecipherResult {
  /** Per recording, one unit id (index into `units`) per segment. */
  labels: Int32Array[];
  /** Score per segment of each annealing run (higher is better; clustering by clustering), and the one kept. */
  restartScores: number[];
  chosen: number;
  segments: number;
  seconds: number;
}

/**
 * `segments[r]`: recording r's segment features (rows = segments).
 * `sentences`: the text as unit ids over `units` (<SIL> may occur; it is left out).
 */
export async function decipherSegments(segments: Matrix[], sentences: Int32Array[], units: string[], cfg: DecipherConfig, workers = defaultWorkers()): Promise<DecipherResult> {
  validateDecipherConfig(cfg);
  const t0 = Date.now();
  const { phones, lm } = phoneText(sentences, units);
  const all = standardiseSegments(segments);
  if (all.rows < cfg.clusters) throw new UsageError(`decipherment needs at least as many segments as clusters (${cfg.clusters}); the audio has ${all.rows}`);
  const settings = annealSettings(cfg);
  const runsInAll = cfg.clusterings * cfg.restarts;
  const bar = startProgress('decipherment', runsInAll * cfg.iterations);
  // Runs from one clustering end far apart (on the demo corpus, −6.81 to −6.90 per segment,
  // PER 60–88 %), and the score follows PER; many short runs with the best kept did better there
  // than a few long ones (4× the moves per run did not raise the score). Scores also compare
  // across clusterings (they score phone sequences), and which clustering a run starts from
  // mattered as much as the annealing, so there are several of each.
  const clusterings: { sequences: Int32Array[]; cipher: CipherText }[] = [];
  for (let c = 0; c < cfg.clusterings; c++) {
    const sequences = segmentClusters(all, segments, cfg.clusters, updateSeed(cfg.seed, 1000 + c));
    clusterings.push({ sequences, cipher: cipherText(sequences, cfg.clusters) });
  }
  const tasks: AnnealTask[] = [];
  for (let i = 0; i < runsInAll; i++) tasks.push({ index: i, cipher: clusterings[Math.floor(i / cfg.restarts)].cipher, lm, settings, seed: updateSeed(cfg.seed, i) });
  const results = await annealAll(tasks, workers, bar);
  const runs = results.map((r, i) => {
    const { sequences, cipher } = clusterings[Math.floor(i / cfg.restarts)];
    return { sequences, map: r.map, score: r.score / cipher.N };
  });
  bar.stop();
  let chosen = 0;
  runs.forEach((r, i) => {
    if (r.score > runs[chosen].score) chosen = i;
  });
  const { sequences, map } = runs[chosen];
  return {
    labels: sequences.map((s) => Int32Array.from(s, (k) => phones[map[k]])),
    restartScores: runs.map((r) => r.score),
    chosen,
    segments: all.rows,
    seconds: (Date.now() - t0) / 1000,
  };
}

/**
 * Decipherment's view of the text: its phones are the units other than <SIL>, numbered
 * 0..V-1 (`phones[p]` is phone p's unit id); sentences without any phone are left out.
 */
export function phoneText(sentences: Int32Array[], units: string[]): { phones: number[]; sentences: Int32Array[]; lm: PhoneTrigram } {
  const phones = units.map((u, i) => i).filter((i) => units[i] !== SIL);
  const phoneOf = new Map(phones.map((u, p) => [u, p]));
  const text = sentences.map((s) => Int32Array.from([...s].filter((u) => phoneOf.has(u)), (u) => phoneOf.get(u)!)).filter((s) => s.length > 0);
  return { phones, sentences: text, lm: phoneTrigram(text, phones.length) };
}

/** All recordings' segments in one matrix, each dimension scaled to unit variance over the whole set, so k-means distances weigh dimensions alike. */
export function standardiseSegments(segments: Matrix[]): Matrix {
  return cmvnUtterance(concatRows(segments));
}

/** One k-means fit of the standardised segments `all`, as one cluster sequence per recording of `segments`. */
export function segmentClusters(all: Matrix, segments: Matrix[], clusters: number, seed: number): Int32Array[] {
  const symbols = assignClusters(fitKMeans(all, { k: clusters, seed, maxIters: 25, restarts: 1 }), all);
  const sequences: Int32Array[] = [];
  let at = 0;
  for (const m of segments) {
    sequences.push(symbols.subarray(at, at + m.rows));
    at += m.rows;
  }
  return sequences;
}

export function annealSettings(cfg: DecipherConfig): AnnealSettings {
  return { iterations: cfg.iterations, startTemperature: cfg.startTemperature, endTemperature: cfg.endTemperature, unigramWeight: cfg.unigramWeight };
}

const ANNEAL_WORKER_URL = new URL('./anneal-worker.js', import.meta.url);

/** One annealing thread per core. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Every annealing run, in this thread (workers ≤ 1, or a single run) or spread
 * over worker threads. Results come back in task order either way.
 */
async function annealAll(tasks: AnnealTask[], workers: number, bar: Progress): Promise<AnnealResult[]> {
  const size = Math.min(workers, tasks.length);
  if (size <= 1)
    return tasks.map((t) => runAnnealTask(t, (n) => bar.tick(n, `run ${t.index + 1}/${tasks.length}`)));
  return runAllTasks<AnnealTask, AnnealResult>({
    url: ANNEAL_WORKER_URL,
    size,
    workerData: null,
    tasks,
    describe: (t) => `annealing run ${t.index + 1}`,
    onResult: (t, done) => bar.tick(t.settings.iterations, `${done}/${tasks.length} runs done, ${size} threads`),
  });
}
