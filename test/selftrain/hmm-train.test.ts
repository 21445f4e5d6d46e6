import { describe, expect, it } from 'vitest';
import { stateLogLiks, setSelfLoops, type AcousticModel } from '../../src/hmm/acoustic-model.js';
import { identityTransform } from '../../src/hmm/feature-transform.js';
import { DiagGmm } from '../../src/hmm/gmm.js';
import { compileGraph, type HmmArc } from '../../src/hmm/graph.js';
import { decodePhoneLoop, type PhoneBigram } from '../../src/hmm/phone-loop.js';
import { makeTopology } from '../../src/hmm/topology.js';
import { alignChain } from '../../src/hmm/chain-align.js';
import { DEFAULT_HMM_TRAIN, flatAlignment, trainHmm } from '../../src/hmm/train.js';
import { viterbi } from '../../src/hmm/viterbi.js';
import { chainStates } from '../../src/hmm/topology.js';
import { scoreCorpus } from '../../src/scoring/index.js';
import type { Matrix } from '../../src/util/matrix.js';
import { makeRng } from '../../src/util/rng.js';
import { corrupt, syntheticCorpus, syntheticTopology, UNITS } from './synthetic-phones.js';

function randomModel(units: string[], seed: number, dim = 2): AcousticModel {
  const rng = makeRng(seed);
  const topology = makeTopology(units);
  const S = topology.numStates;
  const gmms = Array.from({ length: S }, () => DiagGmm.single([rng.normal(), rng.normal()], [0.5 + rng.next(), 0.5 + rng.next()]));
  const m: AcousticModel = { topology, transform: identityTransform(dim), gmms, logSelf: new Float64Array(S), logExit: new Float64Array(S) };
  setSelfLoops(m, Array.from({ length: S }, () => 0.2 + 0.6 * rng.next()));
  return m;
}

function randomBigram(P: number, seed: number): PhoneBigram {
  const rng = makeRng(seed);
  const W = P + 1;
  const logProb = new Float64Array(W * W);
  for (let p = 0; p < W; p++) {
    const row = Array.from({ length: W }, () => 0.05 + rng.next());
    const z = row.reduce((a, b) => a + b, 0);
    row.forEach((v, q) => (logProb[p * W + q] = Math.log(v / z)));
  }
  return { numUnits: P, logProb };
}

/** The phone loop written out as an explicit HMM graph (parallel self-loop and re-entry arcs included). */
function explicitLoop(m: AcousticModel, bg: PhoneBigram, lmWeight: number, pen: number) {
  const t = m.topology, P = t.units.length, W = P + 1, S = t.numStates;
  const last = (p: number) => t.firstState[p] + t.statesPerUnit[p] - 1;
  const arcs: HmmArc[] = [];
  for (let s = 0; s < S; s++) {
    arcs.push({ from: s, to: s, logProb: m.logSelf[s] });
    if (s < last(t.unitOfState[s])) arcs.push({ from: s, to: s + 1, logProb: m.logExit[s] });
  }
  for (let p = 0; p < P; p++) for (let q = 0; q < P; q++) arcs.push({ from: last(p), to: t.firstState[q], logProb: m.logExit[last(p)] + lmWeight * bg.logProb[p * W + q] + pen });
  const logInit = new Float64Array(S).fill(-Infinity);
  const logFinal = new Float64Array(S).fill(-Infinity);
  for (let q = 0; q < P; q++) {
    logInit[t.firstState[q]] = lmWeight * bg.logProb[P * W + q] + pen;
    logFinal[last(q)] = m.logExit[last(q)] + lmWeight * bg.logProb[q * W + P];
  }
  return compileGraph({ numStates: S, logInit, logFinal, arcs });
}

describe('phone-loop decoding with a bigram LM', () => {
  for (const [lmWeight, pen, seed] of [[1, 0, 1], [4, -2, 2], [0.5, 3, 3]] as const) {
    it(`scores exactly as Viterbi on the explicit loop graph (weight ${lmWeight}, penalty ${pen})`, () => {
      const m = randomModel(['a', 'b', 'c', '<SIL>'], seed);
      const bg = randomBigram(4, seed + 5);
      const rng = makeRng(seed + 9);
      const T = 30;
      const x = { rows: T, cols: 2, data: Float32Array.from({ length: 2 * T }, () => 2 * rng.normal()) };
      const em = stateLogLiks(m, x);
      const dec = decodePhoneLoop(m, em, bg, { lmWeight, insertionPenalty: pen });
      const ref = viterbi(explicitLoop(m, bg, lmWeight, pen), em);
      expect(dec.logScore).toBeCloseTo(ref.logScore, 9);
      // Spans tile the utterance and every phone holds at least one frame per state.
      expect(dec.spans[0]).toBe(0);
      expect(dec.spans[dec.spans.length - 1]).toBe(T);
      for (let i = 0; i < dec.units.length; i++) {
        expect(dec.spans[2 * i + 1] - dec.spans[2 * i]).toBeGreaterThanOrEqual(m.topology.statesPerUnit[dec.units[i]]);
        if (i > 0) expect(dec.spans[2 * i]).toBe(dec.spans[2 * i - 1]);
      }
      // Re-scoring the decoded phones by forced alignment plus their LM terms gives the same score.
      const chain = chainStates(m.topology, dec.units);
      const W = 5;
      let lmScore = bg.logProb[4 * W + dec.units[0]] * lmWeight + pen + bg.logProb[dec.units[dec.units.length - 1] * W + 4] * lmWeight;
      for (let i = 1; i < dec.units.length; i++) lmScore += lmWeight * bg.logProb[dec.units[i - 1] * W + dec.units[i]] + pen;
      let acoustic = 0;
      for (let i = 0; i < dec.units.length; i++) {
        const [a, b] = [dec.spans[2 * i], dec.spans[2 * i + 1]];
        const sub = { rows: b - a, cols: 2, data: x.data.subarray(2 * a, 2 * b) };
        const states = chainStates(m.topology, [dec.units[i]]);
        acoustic += viterbi(chainGraph(m, states), stateLogLiks(m, sub, states)).logScore;
      }
      expect(chain.length).toBeLessThanOrEqual(T);
      expect(acoustic + lmScore).toBeCloseTo(dec.logScore, 9);
    });
  }
});

/** The chain of `states` as an explicit graph: self-loops, arcs to the next state, start in the first, end by leaving the last. */
function chainGraph(m: AcousticModel, states: Int32Array) {
  const n = states.length;
  const arcs: HmmArc[] = [];
  for (let k = 0; k < n; k++) {
    arcs.push({ from: k, to: k, logProb: m.logSelf[states[k]] });
    if (k + 1 < n) arcs.push({ from: k, to: k + 1, logProb: m.logExit[states[k]] });
  }
  const init = new Float64Array(n).fill(-Infinity), fin = new Float64Array(n).fill(-Infinity);
  init[0] = 0;
  fin[n - 1] = m.logExit[states[n - 1]];
  return compileGraph({ numStates: n, logInit: init, logFinal: fin, arcs });
}

describe('forced alignment to a label chain', () => {
  it('without a beam it is exact Viterbi on the chain graph; a wide beam finds the same path; an impossible chain is undefined', () => {
    const m = randomModel(['a', 'b', 'c', '<SIL>'], 7);
    const rng = makeRng(17);
    for (let trial = 0; trial < 20; trial++) {
      const labels = Int32Array.from({ length: 2 + rng.int(5) }, () => rng.int(4));
      const chain = chainStates(m.topology, labels);
      const T = chain.length + rng.int(25);
      const x = { rows: T, cols: 2, data: Float32Array.from({ length: 2 * T }, () => 2 * rng.normal()) };
      const ref = viterbi(chainGraph(m, chain), stateLogLiks(m, x, chain));
      const exact = alignChain(m, x, chain) as { logScore: number; path: Int32Array };
      expect(exact.logScore).toBeCloseTo(ref.logScore, 9);
      expect(Array.from(exact.path)).toEqual(Array.from(ref.states));
      const wide = alignChain(m, x, chain, 200);
      expect(wide?.logScore).toBeCloseTo(ref.logScore, 9);
    }
    const chain = chainStates(m.topology, Int32Array.of(0, 3));
    expect(alignChain(m, { rows: 3, cols: 2, data: new Float32Array(6) }, chain)).toBeUndefined();
    // A beam of 0 keeps only the best position each frame, which may lose the way to the end.
    const x = { rows: 12, cols: 2, data: Float32Array.from({ length: 24 }, (_, i) => (i % 5) - 2) };
    const greedy = alignChain(m, x, chainStates(m.topology, Int32Array.of(0, 1, 2, 3)), 0);
    if (greedy) expect(greedy.logScore).toBeLessThanOrEqual((alignChain(m, x, chainStates(m.topology, Int32Array.of(0, 1, 2, 3))) as { logScore: number }).logScore + 1e-9);
  });
});

describe('monophone HMM-GMM training from label sequences', () => {
  const topo = syntheticTopology();
  const P = UNITS.length;
  const uniform: PhoneBigram = { numUnits: P, logProb: new Float64Array((P + 1) ** 2).fill(-Math.log(P + 1)) };
  // Uniform LM, ln(1/7) per phone. The best insertion penalty depends on the learnt self-loops, which noisy
  // labels lengthen (wrong labels shrink to a frame, their neighbours absorb the rest); self-training chooses it
  // without references, here it is set per case.
  const decodeAll = (m: AcousticModel, utts: { x: Matrix }[], insertionPenalty: number) =>
    utts.map((u) => Array.from(decodePhoneLoop(m, stateLogLiks(m, u.x), uniform, { lmWeight: 1, insertionPenalty }).units));
  const per = (refs: Int32Array[], hyps: number[][]) =>
    scoreCorpus(refs.map((r, i) => ({ id: String(i), ref: Array.from(r, (l) => UNITS[l]), hyp: hyps[i].map((l) => UNITS[l]) }))).total.errorRate;

  it('flat start spreads frames evenly, or over the given spans', () => {
    const [u] = syntheticCorpus(1, 4);
    const chain = chainStates(topo, u.labels);
    const flat = flatAlignment(topo, { ...u, spans: undefined }, chain) as Int32Array;
    expect(flat.length).toBe(u.x.rows);
    expect(flat[0]).toBe(chain[0]);
    expect(flat[u.x.rows - 1]).toBe(chain[chain.length - 1]);
    const bySpans = flatAlignment(topo, u, chain) as Int32Array;
    // With the true spans, every frame's state belongs to its true unit.
    for (let i = 0; i < u.labels.length; i++)
      for (let t = u.spans[2 * i]; t < u.spans[2 * i + 1]; t++) expect(topo.unitOfState[bySpans[t]]).toBe(u.labels[i]);
  });

  it('learns from clean labels (flat start, no times): decoding recovers held-out phone sequences', async () => {
    const train = syntheticCorpus(150, 1).map((u) => ({ ...u, spans: undefined }));
    const test = syntheticCorpus(40, 2);
    const passes: number[] = [];
    const res = await trainHmm(topo, identityTransform(4), train, { ...DEFAULT_HMM_TRAIN, maxGaussians: 2, passes: 6 }, { onPass: (p) => passes.push(p.logLikPerFrame) });
    expect(res.passes.every((p) => p.failed === 0)).toBe(true);
    // Viterbi training: the alignment likelihood improves over the passes (split passes aside, it never drops much).
    expect(passes[passes.length - 1]).toBeGreaterThan(passes[0]);
    const e = per(test.map((u) => u.labels), decodeAll(res.model, test, -2));
    console.log(`synthetic HMM, clean labels: held-out PER ${(100 * e).toFixed(1)} %`);
    expect(e).toBeLessThan(0.1);
  });

  for (const re of ['viterbi', 'baum-welch'] as const) {
    it(`${re} re-estimation on 40 % substituted labels: decoding makes fewer errors than the labels had`, async () => {
      const rng = makeRng(5);
      const clean = syntheticCorpus(200, 3);
      const noisy = clean.map((u) => ({ ...u, labels: corrupt(u.labels, 0.4, rng), spans: undefined }));
      const labelPer = per(clean.map((u) => u.labels), noisy.map((u) => Array.from(u.labels)));
      const res = await trainHmm(topo, identityTransform(4), noisy, { ...DEFAULT_HMM_TRAIN, maxGaussians: 2, passes: 6, reestimation: re });
      const decPer = per(clean.map((u) => u.labels), decodeAll(res.model, clean, 2));
      console.log(`synthetic HMM (${re}): label PER ${(100 * labelPer).toFixed(1)} % → decoded PER ${(100 * decPer).toFixed(1)} %`);
      expect(labelPer).toBeGreaterThan(0.25);
      expect(decPer).toBeLessThan(labelPer * 0.6);
      expect(res.alignments.every((a, i) => a !== undefined && a.length === noisy[i].x.rows)).toBe(true);
    });
  }
});
