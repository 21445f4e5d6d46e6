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
import { makeRng } from '../util/rng.js';
import { startProgress } from '../util/progress.js';
import { UsageError } from '../util/errors.js';
import { SIL } from '../text/silence.js';
import { anneal, cipherText } from './anneal.js';
import { validateDecipherConfig, type DecipherConfig } from './config.js';
import { phoneTrigram } from './lm.js';

export { DEFAULT_DECIPHER, validateDecipherConfig, type DecipherConfig } from './config.js';

export interface DecipherResult {
  /** Per recording, one unit id (index into `units`) per segment. */
  labels: Int32Array[];
  /** Score per segment of each annealing run (higher is better), and the one kept. */
  restartScores: number[];
  chosen: number;
  segments: number;
  seconds: number;
}

/**
 * `segments[r]`: recording r's segment features (rows = segments).
 * `sentences`: the text as unit ids over `units` (<SIL> may occur; it is left out).
 */
export function decipherSegments(segments: Matrix[], sentences: Int32Array[], units: string[], cfg: DecipherConfig): DecipherResult {
  validateDecipherConfig(cfg);
  const t0 = Date.now();
  const phones = units.map((u, i) => i).filter((i) => units[i] !== SIL);
  const phoneOf = new Map(phones.map((u, p) => [u, p]));
  const text = sentences.map((s) => Int32Array.from([...s].filter((u) => phoneOf.has(u)), (u) => phoneOf.get(u)!)).filter((s) => s.length > 0);
  const lm = phoneTrigram(text, phones.length);
  // All recordings' segments, each dimension scaled to unit variance over the whole set, so k-means distances weigh dimensions alike.
  const all = cmvnUtterance(concatRows(segments));
  if (all.rows < cfg.clusters) throw new UsageError(`decipherment needs at least as many segments as clusters (${cfg.clusters}); the audio has ${all.rows}`);
  const settings = { iterations: cfg.iterations, startTemperature: cfg.startTemperature, endTemperature: cfg.endTemperature, unigramWeight: cfg.unigramWeight };
  const bar = startProgress('decipherment', cfg.restarts * cfg.iterations);
  // Each run clusters afresh (its own k-means seed) as well as annealing from its own start: scores
  // compare across clusterings (they score the phone sequences), and on the demo corpus which
  // clustering a run starts from changed the result as much as the annealing did.
  const runs: { sequences: Int32Array[]; map: Int32Array; score: number }[] = [];
  for (let r = 0; r < cfg.restarts; r++) {
    const km = fitKMeans(all, { k: cfg.clusters, seed: updateSeed(cfg.seed, 1000 + r), maxIters: 25, restarts: 1 });
    const symbols = assignClusters(km, all);
    const sequences: Int32Array[] = [];
    let at = 0;
    for (const m of segments) {
      sequences.push(symbols.subarray(at, at + m.rows));
      at += m.rows;
    }
    const ct = cipherText(sequences, cfg.clusters);
    const run = anneal(ct, lm, settings, makeRng(updateSeed(cfg.seed, r)), (n) => bar.tick(n, `run ${r + 1}/${cfg.restarts}`));
    runs.push({ sequences, map: run.map, score: run.score / ct.N });
  }
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
