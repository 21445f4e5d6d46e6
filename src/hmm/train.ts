/**
 * Training a phone HMM-GMM from label sequences (pseudo-labels), as Kaldi's
 * train_mono.sh does it:
 *
 *  1. flat start: each utterance's frames are spread evenly over the states of
 *     its label chain (or over each label's own frame span, when the labels
 *     come with times), and one Gaussian per state is estimated from that;
 *  2. re-estimation passes: forced alignment of every utterance to its label
 *     chain (Viterbi), or soft state posteriors (Baum-Welch), then the
 *     GMMs' and self-loops' maximum-likelihood update;
 *  3. mixture splitting: every `splitEvery` passes each state's GMM doubles,
 *     up to `maxGaussians` and at most one Gaussian per `minGaussianOcc`
 *     frames of the state.
 *
 * An utterance with fewer frames than its chain has states cannot be aligned
 * and is left out (counted). Returns the model and the final alignment (state
 * per frame), which the LDA stage uses as its classes.
 *
 * The passes and the final alignment go through a PassRunner: this thread by
 * default, worker threads in self-training (src/selftrain/round-train.ts).
 * Both sum the same chunks of utterances in the same order, so the model is
 * the same.
 */
import type { Matrix } from '../util/matrix.js';
import { setSelfLoops, stateLogLiks, type AcousticModel } from './acoustic-model.js';
import { outputDim, type FeatureTransform } from './feature-transform.js';
import { alignChain, type ChainAlignment } from './chain-align.js';
import { forwardBackward } from './forward-backward.js';
import { DiagGmm, GmmStats, splitGmm, updateGmm } from './gmm.js';
import { compileGraph, type CompiledGraph, type Emissions } from './graph.js';
import { chainStates, type PhoneTopology } from './topology.js';

export interface LabelledUtterance {
  id: string;
  /** Features as the model sees them (after its transform). */
  x: Matrix;
  /** Unit ids. */
  labels: Int32Array;
  /** Optional [start, end) frame span of each label (2 × labels), for the flat start. */
  spans?: Int32Array;
}

export interface HmmTrainConfig {
  maxGaussians: number;
  /** Re-estimation passes after the flat start. */
  passes: number;
  splitEvery: number;
  reestimation: 'viterbi' | 'baum-welch';
  /** Variance floor as a fraction of the global per-dimension variance. */
  varFloor: number;
  minGaussianOcc: number;
  /** Forced-alignment beam (log-likelihood units); alignments the beam loses are redone exactly. */
  beam: number;
}

export const DEFAULT_HMM_TRAIN: HmmTrainConfig = {
  maxGaussians: 8,
  passes: 8,
  splitEvery: 2,
  reestimation: 'viterbi',
  varFloor: 0.01,
  minGaussianOcc: 20,
  beam: 200,
};

export interface PassStats {
  pass: number;
  /** Mean Gaussians per state after the pass. */
  gaussians: number;
  /** Alignment (Viterbi) or total (Baum-Welch) log-likelihood per aligned frame. */
  logLikPerFrame: number;
  aligned: number;
  failed: number;
}

export interface TrainedHmm {
  model: AcousticModel;
  /** Final Viterbi alignment: state per frame, or undefined for an utterance that could not be aligned. */
  alignments: (Int32Array | undefined)[];
  /** The same alignment as [start, end) frame spans of the utterance's labels. */
  labelSpans: (Int32Array | undefined)[];
  passes: PassStats[];
}

export interface TrainHmmOptions {
  onPass?: (p: PassStats) => void;
  /** Who computes the passes' statistics and the final alignment (default: this thread). */
  runner?: PassRunner;
}

/**
 * Utterances per chunk of a pass. A pass's statistics are summed chunk by chunk in
 * utterance order, so the model is the same whichever thread computed each chunk, and
 * however many threads there were.
 */
export const PASS_CHUNK = 32;

/** One pass's statistics over some utterances: what the re-estimation needs, as plain data (it crosses threads). */
export interface PassAccum {
  /** Per state: occupancy per component (C), Σ γx and Σ γx² (C × D). */
  gmm: { occ: Float64Array; sum: Float64Array; sumSq: Float64Array }[];
  /** Per state: frames spent in it, times it was left. */
  stateOcc: Float64Array;
  stateExits: Float64Array;
  logLik: number;
  frames: number;
  aligned: number;
}

/** An utterance as a pass sees it: frames after the model's transform, and its label chain's states. */
export interface ChainUtterance {
  x: Matrix;
  chain: Int32Array;
}

/**
 * Computes a pass's statistics and the final alignment over the utterances being trained on,
 * in `PASS_CHUNK`-utterance chunks (inThreadRunner here; worker threads in
 * src/selftrain/round-train.ts).
 */
export interface PassRunner {
  pass(model: AcousticModel, reestimation: HmmTrainConfig['reestimation'], beam: number): Promise<PassAccum>;
  /** Viterbi alignment (chain positions per frame) of every utterance; undefined where impossible. */
  align(model: AcousticModel, beam: number): Promise<(Int32Array | undefined)[]>;
}

export async function trainHmm(
  topology: PhoneTopology,
  transform: FeatureTransform,
  utts: LabelledUtterance[],
  cfg: HmmTrainConfig,
  o: TrainHmmOptions = {},
): Promise<TrainedHmm> {
  if (utts.length === 0) throw new Error('trainHmm: no utterances');
  const D = utts[0].x.cols;
  const S = topology.numStates;
  const chains = utts.map((u) => chainStates(topology, u.labels));
  const runner = o.runner ?? inThreadRunner(utts.map((u, i) => ({ x: u.x, chain: chains[i] })));
  const { mean, variance } = globalMoments(utts);
  const varFloor = variance.map((v) => Math.max(v * cfg.varFloor, 1e-8));

  // Flat start.
  const flat = utts.map((u, i) => flatAlignment(topology, u, chains[i]));
  const model: AcousticModel = {
    topology,
    transform,
    gmms: Array.from({ length: S }, () => DiagGmm.single(mean, variance)),
    logSelf: new Float64Array(S),
    logExit: new Float64Array(S),
  };
  {
    const stats = Array.from({ length: S }, () => new GmmStats(1, D));
    const trans = new TransitionCounts(S);
    utts.forEach((u, i) => {
      const a = flat[i];
      if (!a) return;
      for (let t = 0; t < a.length; t++) stats[a[t]].accumulateHard(0, u.x.data, t * D);
      trans.addAlignment(a);
    });
    model.gmms = model.gmms.map((g, s) => updateGmm(g, stats[s], { varFloor, minOcc: 1e-6 }));
    setSelfLoops(model, trans.selfLoopProbs());
  }

  const passes: PassStats[] = [];
  for (let pass = 1; pass <= cfg.passes; pass++) {
    const acc = await runner.pass(model, cfg.reestimation, cfg.beam);
    const stats = acc.gmm.map((g) => GmmStats.from(g, D));
    model.gmms = model.gmms.map((g, s) => updateGmm(g, stats[s], { varFloor, minOcc: cfg.minGaussianOcc / 4 }));
    setSelfLoops(model, new TransitionCounts(S, acc.stateOcc, acc.stateExits).selfLoopProbs());
    if (pass % cfg.splitEvery === 0 && pass < cfg.passes) {
      model.gmms = model.gmms.map((g, s) => {
        const cap = Math.max(1, Math.min(cfg.maxGaussians, Math.floor(stats[s].totalOcc() / cfg.minGaussianOcc)));
        return g.numComponents < cap ? splitGmm(g, Math.min(cap, 2 * g.numComponents)) : g;
      });
    }
    const p: PassStats = {
      pass,
      gaussians: model.gmms.reduce((n, g) => n + g.numComponents, 0) / S,
      logLikPerFrame: acc.frames > 0 ? acc.logLik / acc.frames : NaN,
      aligned: acc.aligned,
      failed: utts.length - acc.aligned,
    };
    passes.push(p);
    o.onPass?.(p);
  }
  // Alignment with the final model (for the LDA classes and the next stage's flat start).
  const paths = await runner.align(model, cfg.beam);
  const alignments = paths.map((p, i) => p && p.map((k) => chains[i][k]));
  const labelSpans = paths.map((p, i) => p && spansOfPath(topology, utts[i].labels, p));
  return { model, alignments, labelSpans, passes };
}

/** The passes computed here, chunk by chunk (the same sums as the worker threads'). */
export function inThreadRunner(utts: ChainUtterance[], chunk = PASS_CHUNK): PassRunner {
  return {
    pass: async (model, reestimation, beam) => {
      const total = emptyPassAccum(model);
      for (const [a, b] of passChunks(utts.length, chunk)) addPassAccum(total, accumulatePass(model, utts.slice(a, b), reestimation, beam));
      return total;
    },
    align: async (model, beam) => utts.map((u) => chainPath(model, u.x, u.chain, beam)),
  };
}

/** [start, end) of each chunk of `n` utterances. */
export function passChunks(n: number, chunk = PASS_CHUNK): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < n; a += chunk) out.push([a, Math.min(n, a + chunk)]);
  return out;
}

export function emptyPassAccum(model: AcousticModel): PassAccum {
  const D = outputDim(model.transform), S = model.topology.numStates;
  return {
    gmm: model.gmms.map((g) => ({ occ: new Float64Array(g.numComponents), sum: new Float64Array(g.numComponents * D), sumSq: new Float64Array(g.numComponents * D) })),
    stateOcc: new Float64Array(S),
    stateExits: new Float64Array(S),
    logLik: 0,
    frames: 0,
    aligned: 0,
  };
}

export function addPassAccum(into: PassAccum, a: PassAccum): void {
  into.gmm.forEach((g, s) => {
    addInto(g.occ, a.gmm[s].occ);
    addInto(g.sum, a.gmm[s].sum);
    addInto(g.sumSq, a.gmm[s].sumSq);
  });
  addInto(into.stateOcc, a.stateOcc);
  addInto(into.stateExits, a.stateExits);
  into.logLik += a.logLik;
  into.frames += a.frames;
  into.aligned += a.aligned;
}

function addInto(into: Float64Array, a: Float64Array): void {
  for (let i = 0; i < into.length; i++) into[i] += a[i];
}

/**
 * One re-estimation pass over some utterances with the current model: forced alignment
 * (Viterbi) or state posteriors (Baum-Welch) to each label chain, and the statistics of
 * the frames. An utterance shorter than its chain, or that cannot be aligned, is skipped.
 */
export function accumulatePass(model: AcousticModel, utts: ChainUtterance[], reestimation: HmmTrainConfig['reestimation'], beam: number): PassAccum {
  const D = outputDim(model.transform);
  const stats = model.gmms.map((g) => new GmmStats(g.numComponents, D));
  const trans = new TransitionCounts(model.topology.numStates);
  let logLik = 0, frames = 0, aligned = 0;
  for (const { x, chain } of utts) {
    if (chain.length > x.rows) continue;
    if (reestimation === 'viterbi') {
      const v = alignWithRetry(model, x, chain, beam);
      if (!v) continue;
      const a = v.path.map((k) => chain[k]);
      for (let t = 0; t < a.length; t++) stats[a[t]].accumulate(model.gmms[a[t]], x.data, t * D);
      trans.addAlignment(a);
      logLik += v.logScore;
    } else {
      const { graph, em } = chainProblem(model, x, chain);
      const fb = forwardBackward(graph, em);
      if (fb.logLik === -Infinity) continue;
      const n = chain.length;
      for (let t = 0; t < x.rows; t++)
        for (let k = 0; k < n; k++) {
          const g = fb.gamma[t * n + k];
          if (g > 1e-4) stats[chain[k]].accumulate(model.gmms[chain[k]], x.data, t * D, g);
        }
      trans.addPosteriors(chain, fb.arcCounts, fb.gamma[(x.rows - 1) * n + n - 1]);
      logLik += fb.logLik;
    }
    frames += x.rows;
    aligned++;
  }
  return {
    gmm: stats.map((st) => ({ occ: st.occ, sum: st.sum, sumSq: st.sumSq })),
    stateOcc: trans.occ,
    stateExits: trans.exits,
    logLik,
    frames,
    aligned,
  };
}

/** Viterbi alignment to a state chain as chain positions per frame; undefined when impossible. */
export function chainPath(model: AcousticModel, x: Matrix, chain: Int32Array, beam = DEFAULT_HMM_TRAIN.beam): Int32Array | undefined {
  return alignWithRetry(model, x, chain, beam)?.path;
}

/** Beam-pruned alignment, then exact when the beam lost the way to the end (Kaldi's retry beam). */
function alignWithRetry(model: AcousticModel, x: Matrix, chain: Int32Array, beam: number): ChainAlignment | undefined {
  return alignChain(model, x, chain, beam) ?? (beam < Infinity ? alignChain(model, x, chain, Infinity) : undefined);
}

/** Chain positions per frame → [start, end) frame span of each label. */
export function spansOfPath(topo: PhoneTopology, labels: Int32Array, path: Int32Array): Int32Array {
  const spans = new Int32Array(2 * labels.length);
  let k = 0;
  for (let i = 0; i < labels.length; i++) {
    spans[2 * i] = -1;
    k += topo.statesPerUnit[labels[i]];
    spans[2 * i + 1] = k; // chain position just past label i, converted below
  }
  // Label of each chain position, then first and last frame of each label.
  const labelOf = new Int32Array(k);
  for (let i = 0, p = 0; i < labels.length; i++) for (let j = 0; j < topo.statesPerUnit[labels[i]]; j++) labelOf[p++] = i;
  for (let t = 0; t < path.length; t++) {
    const i = labelOf[path[t]];
    if (spans[2 * i] < 0) spans[2 * i] = t;
    spans[2 * i + 1] = t + 1;
  }
  return spans;
}

/** The left-to-right chain of `chain`'s states as an HMM, and its emissions. */
function chainProblem(model: AcousticModel, x: Matrix, chain: Int32Array): { graph: CompiledGraph; em: Emissions } {
  const n = chain.length;
  const distinct = [...new Set(chain)];
  const colOf = new Map(distinct.map((s, j) => [s, j]));
  const col = Int32Array.from(chain, (s) => colOf.get(s) as number);
  const de = stateLogLiks(model, x, distinct);
  const U = distinct.length, T = x.rows;
  const logLik = new Float64Array(T * n);
  for (let t = 0; t < T; t++) for (let k = 0; k < n; k++) logLik[t * n + k] = de.logLik[t * U + col[k]];
  const arcs = [];
  for (let k = 0; k < n; k++) {
    arcs.push({ from: k, to: k, logProb: model.logSelf[chain[k]] });
    if (k + 1 < n) arcs.push({ from: k, to: k + 1, logProb: model.logExit[chain[k]] });
  }
  const logInit = new Float64Array(n).fill(-Infinity);
  logInit[0] = 0;
  const logFinal = new Float64Array(n).fill(-Infinity);
  logFinal[n - 1] = model.logExit[chain[n - 1]];
  return { graph: compileGraph({ numStates: n, logInit, logFinal, arcs }), em: { frames: T, states: n, logLik } };
}

/**
 * Flat-start alignment: frames spread evenly over the chain, or over each
 * label's span when spans are given and every label has a frame per state.
 */
export function flatAlignment(topo: PhoneTopology, u: LabelledUtterance, chain: Int32Array): Int32Array | undefined {
  const T = u.x.rows;
  if (chain.length > T || chain.length === 0) return undefined;
  const out = new Int32Array(T);
  if (u.spans && spansUsable(topo, u)) {
    let k = 0;
    for (let i = 0; i < u.labels.length; i++) {
      const n = topo.statesPerUnit[u.labels[i]];
      const a = i === 0 ? 0 : u.spans[2 * i], b = i === u.labels.length - 1 ? T : u.spans[2 * i + 1];
      for (let t = a; t < b; t++) out[t] = chain[k + Math.min(n - 1, Math.floor(((t - a) * n) / (b - a)))];
      k += n;
    }
    return out;
  }
  const n = chain.length;
  for (let t = 0; t < T; t++) out[t] = chain[Math.min(n - 1, Math.floor((t * n) / T))];
  return out;
}

/** Spans tile [0, T) in order and give each label at least one frame per state. */
function spansUsable(topo: PhoneTopology, u: LabelledUtterance): boolean {
  const s = u.spans as Int32Array;
  if (s.length !== 2 * u.labels.length) return false;
  for (let i = 0; i < u.labels.length; i++) {
    const a = i === 0 ? 0 : s[2 * i], b = i === u.labels.length - 1 ? u.x.rows : s[2 * i + 1];
    if (b - a < topo.statesPerUnit[u.labels[i]] || (i > 0 && s[2 * i] !== s[2 * i - 1])) return false;
  }
  return true;
}

function globalMoments(utts: LabelledUtterance[]): { mean: Float64Array; variance: Float64Array } {
  const D = utts[0].x.cols;
  const sum = new Float64Array(D), sq = new Float64Array(D);
  let n = 0;
  for (const u of utts) {
    const x = u.x.data;
    for (let i = 0; i < x.length; i++) {
      sum[i % D] += x[i];
      sq[i % D] += x[i] * x[i];
    }
    n += u.x.rows;
  }
  const mean = sum.map((s) => s / n);
  const variance = sq.map((s, d) => Math.max(s / n - mean[d] * mean[d], 1e-6));
  return { mean, variance };
}

/** Frames spent in each state and how often it was left, for the self-loop probabilities. */
class TransitionCounts {
  constructor(
    S: number,
    readonly occ: Float64Array = new Float64Array(S),
    readonly exits: Float64Array = new Float64Array(S),
  ) {}
  addAlignment(a: Int32Array): void {
    for (let t = 0; t < a.length; t++) {
      this.occ[a[t]]++;
      if (t + 1 === a.length || a[t + 1] !== a[t]) this.exits[a[t]]++;
    }
  }
  /** Chain arcs are (self k, next k) in order, as chainProblem builds them; `finalOcc` = γ of the last state at the last frame. */
  addPosteriors(chain: Int32Array, arcCounts: Float64Array, finalOcc: number): void {
    let i = 0;
    for (let k = 0; k < chain.length; k++) {
      const self = arcCounts[i++];
      const exit = k + 1 < chain.length ? arcCounts[i++] : finalOcc;
      this.occ[chain[k]] += self + exit;
      this.exits[chain[k]] += exit;
    }
  }
  selfLoopProbs(): Float64Array {
    return this.occ.map((n, s) => (n > 0 ? 1 - this.exits[s] / n : 0.5));
  }
}
