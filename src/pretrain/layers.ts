/**
 * Which hidden state to use, without transcripts.
 *
 * Rule (cluster stability): for each layer, standardise its features on a
 * seeded sample of steps, split the sample into two random halves, fit k-means
 * (K = 50) on each half separately, label every sampled step with both fits
 * and take the adjusted Rand index (ARI) between the two labelings. The layer
 * with the highest ARI is chosen. A layer whose frames fall into the same
 * clusters whichever half of the audio the clusters were learned from has
 * categories that are properties of the speech rather than of the sample —
 * what the next stage (k-means segments, the GAN) needs.
 *
 * Where reference phones exist, a cheap probe PER is reported per layer (and
 * for the encoder's input frames) next to the rule's choice, never used by it:
 * each reference utterance's phones are spread evenly over its steps, k-means
 * (K = 100) is fitted on two thirds of those utterances and each cluster named
 * after its most frequent phone, and the other third is labelled step by step: the share of steps whose label
 * differs from the spread reference is the probe frame error; smoothed by a
 * 5-step mode filter (single-step flicker would otherwise turn into inserted
 * phones) and with runs collapsed, the labels are scored for the probe PER.
 */
import { accumulateCmvn, applyCmvn, cmvnUtterance } from '../features/index.js';
import { fitKMeans, assignClusters } from '../segments/index.js';
import { scoreCorpus } from '../scoring/index.js';
import { SIL } from '../text/index.js';
import { concatRows, matrix, type Matrix } from '../util/matrix.js';
import { makeRng, shuffleInPlace } from '../util/rng.js';
import type { PretrainUtterance } from './data.js';
import type { SslEncoder } from './encoder.js';

export interface LayerScore {
  layer: number;
  /** Adjusted Rand index between k-means fits on two halves of the sample. */
  stability: number;
  /** Probe phone and frame error rates (reference utterances only; reported, never used to choose). */
  probePer?: number;
  probeFrameError?: number;
}

export interface LayerReport {
  rule: string;
  k: number;
  sampleSteps: number;
  layers: LayerScore[];
  chosen: number;
  /** The probe on the encoder's input (normalised MFCC pairs), for comparison. */
  inputProbePer?: number;
  inputProbeFrameError?: number;
  probeUtterances?: { train: number; test: number };
}

export const LAYER_RULE = 'highest adjusted Rand index between k-means (K=50) fits on two random halves of a sample of steps';

export interface LayerChoiceOptions {
  k: number;
  /** Steps sampled for the stability test. */
  sampleSteps: number;
  /** Reference utterances used by the probe (at most). */
  probeUtterances: number;
  seed: number;
}

export const DEFAULT_LAYER_CHOICE: LayerChoiceOptions = { k: 50, sampleSteps: 20_000, probeUtterances: 300, seed: 1 };

/** Adjusted Rand index of two labelings of the same items (Hubert & Arabie 1985). */
export function adjustedRand(a: Int32Array, b: Int32Array): number {
  const n = a.length;
  const pairs = (x: number) => (x * (x - 1)) / 2;
  const cells = new Map<number, number>();
  const rowSums = new Map<number, number>();
  const colSums = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = a[i] * 1_000_003 + b[i];
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rowSums.set(a[i], (rowSums.get(a[i]) ?? 0) + 1);
    colSums.set(b[i], (colSums.get(b[i]) ?? 0) + 1);
  }
  let index = 0, sa = 0, sb = 0;
  for (const c of cells.values()) index += pairs(c);
  for (const c of rowSums.values()) sa += pairs(c);
  for (const c of colSums.values()) sb += pairs(c);
  const expected = (sa * sb) / pairs(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/** Stability of one representation's clusters (see the file comment). */
export function clusterStability(x: Matrix, k: number, seed: number): number {
  const z = cmvnUtterance(x);
  const order = shuffleInPlace(Array.from({ length: z.rows }, (_, i) => i), makeRng(seed));
  const half = (ids: number[]) => {
    const m = matrix(ids.length, z.cols);
    ids.forEach((r, i) => m.data.set(z.data.subarray(r * z.cols, (r + 1) * z.cols), i * z.cols));
    return m;
  };
  const mid = z.rows >> 1;
  const fa = fitKMeans(half(order.slice(0, mid)), { k, seed, maxIters: 25 });
  const fb = fitKMeans(half(order.slice(mid)), { k, seed: seed + 1, maxIters: 25 });
  return adjustedRand(assignClusters(fa, z), assignClusters(fb, z));
}

/** Phones spread evenly over T steps: step t gets phone ⌊t·P/T⌋. */
export function spreadEvenly(P: number, T: number): Int32Array {
  return Int32Array.from({ length: T }, (_, t) => Math.floor((t * P) / T));
}

export interface ProbeScore {
  /** Phone error rate of the smoothed, run-collapsed step labels against the references. */
  per: number;
  /** Share of held-out steps whose label differs from the evenly spread reference phone. */
  frameError: number;
}

/** Most frequent label in a window of ±half steps (ties: the smallest label), so single-step flicker does not become phones. */
export function modeFilter(labels: Int32Array, half: number): Int32Array {
  const out = new Int32Array(labels.length);
  const counts = new Map<number, number>();
  for (let t = 0; t < labels.length; t++) {
    counts.clear();
    for (let s = Math.max(0, t - half); s <= Math.min(labels.length - 1, t + half); s++) counts.set(labels[s], (counts.get(labels[s]) ?? 0) + 1);
    let best = labels[t], n = 0;
    for (const [l, c] of counts) if (c > n || (c === n && l < best)) (best = l), (n = c);
    out[t] = best;
  }
  return out;
}

/**
 * The probe (see the file comment) on per-utterance features; `train` marks the
 * utterances it is fitted on: k-means on their standardised steps, each cluster
 * labelled with the phone most of its steps carry (HuBERT's cluster-purity probe;
 * a majority per cluster is robust to the misplaced labels of even spreading,
 * where class means of rare phones would capture everything).
 */
export function probe(feats: Matrix[], refs: string[][], train: boolean[], ids: string[], k = 100, seed = 1): ProbeScore {
  const phones = [...new Set(refs.flat())].sort();
  const index = new Map(phones.map((p, i) => [p, i]));
  const trainRows = concatRows(feats.filter((_, i) => train[i]));
  // One set of statistics (the training rows') standardises every utterance.
  const stats = accumulateCmvn(undefined, trainRows);
  const km = fitKMeans(applyCmvn(trainRows, stats), { k: Math.min(k, trainRows.rows), seed, maxIters: 20 });
  const C = phones.length;
  const votes = new Float64Array(km.k * C);
  feats.forEach((f, u) => {
    if (!train[u]) return;
    const cl = assignClusters(km, applyCmvn(f, stats));
    const lab = spreadEvenly(refs[u].length, f.rows);
    for (let t = 0; t < f.rows; t++) votes[cl[t] * C + index.get(refs[u][lab[t]])!]++;
  });
  const phoneOf = Int32Array.from({ length: km.k }, (_, c) => {
    let best = 0;
    for (let p = 1; p < C; p++) if (votes[c * C + p] > votes[c * C + best]) best = p;
    return best;
  });
  let wrong = 0, steps = 0;
  const pairs = feats.flatMap((f, u) => {
    if (train[u]) return [];
    const raw = assignClusters(km, applyCmvn(f, stats)).map((c) => phoneOf[c]);
    const spread = spreadEvenly(refs[u].length, f.rows);
    for (let t = 0; t < raw.length; t++) wrong += phones[raw[t]] === refs[u][spread[t]] ? 0 : 1;
    steps += raw.length;
    const labels = modeFilter(raw, PROBE_SMOOTHING);
    const hyp: string[] = [];
    for (let t = 0; t < labels.length; t++) if (t === 0 || labels[t] !== labels[t - 1]) hyp.push(phones[labels[t]]);
    return [{ id: ids[u], ref: refs[u], hyp }];
  });
  return { per: scoreCorpus(pairs).total.errorRate, frameError: wrong / Math.max(1, steps) };
}

/** ± steps of the probe's mode filter (2: a 100 ms window at 20 ms steps). */
const PROBE_SMOOTHING = 2;

/** Score every hidden state, choose one by the rule, and add probe PERs when references are given. */
export function chooseLayer(enc: SslEncoder, data: PretrainUtterance[], refs: Map<string, string[]> | undefined, opts: LayerChoiceOptions = DEFAULT_LAYER_CHOICE): LayerReport {
  const L = enc.cfg.blocks;
  const rng = makeRng(opts.seed);
  // A seeded sample of whole utterances, up to sampleSteps steps.
  const sample: PretrainUtterance[] = [];
  let steps = 0;
  for (const i of shuffleInPlace(data.map((_, i) => i), rng)) {
    if (steps >= opts.sampleSteps) break;
    sample.push(data[i]);
    steps += data[i].x.rows;
  }
  const perLayer: Matrix[][] = Array.from({ length: L + 1 }, () => []);
  for (const u of sample) enc.hiddenStates(u.x).forEach((h, l) => perLayer[l].push(h));
  const layers: LayerScore[] = perLayer.map((ms, layer) => ({ layer, stability: clusterStability(concatRows(ms), opts.k, opts.seed) }));
  const chosen = layers.reduce((best, s) => (s.stability > best.stability ? s : best)).layer;
  const report: LayerReport = { rule: LAYER_RULE, k: opts.k, sampleSteps: steps, layers, chosen };
  if (refs) {
    const withRef = shuffleInPlace(
      data.filter((u) => (refs.get(u.id) ?? []).some((p) => p !== SIL)),
      makeRng(opts.seed + 7),
    ).slice(0, opts.probeUtterances);
    if (withRef.length >= 3) {
      const refPhones = withRef.map((u) => refs.get(u.id)!.filter((p) => p !== SIL));
      const nTrain = Math.round((2 * withRef.length) / 3);
      const train = withRef.map((_, i) => i < nTrain);
      const ids = withRef.map((u) => u.id);
      const states = withRef.map((u) => enc.hiddenStates(u.x));
      const input = probe(withRef.map((u) => u.x), refPhones, train, ids);
      report.inputProbePer = input.per;
      report.inputProbeFrameError = input.frameError;
      for (const s of layers) {
        const p = probe(states.map((h) => h[s.layer]), refPhones, train, ids);
        s.probePer = p.per;
        s.probeFrameError = p.frameError;
      }
      report.probeUtterances = { train: nTrain, test: withRef.length - nTrain };
    }
  }
  return report;
}
