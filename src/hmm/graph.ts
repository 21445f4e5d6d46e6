/**
 * An HMM as a graph of emitting states: where a path may start (logInit), the
 * arcs between states with their log probabilities, and the log probability of
 * ending in each state after the last frame (logFinal). Forced-alignment
 * chains, phone loops and the tiny test HMMs are all this one shape, compiled
 * to incoming-arc lists (CSR) for the frame-synchronous recursions.
 */

export interface HmmArc {
  from: number;
  to: number;
  logProb: number;
}

export interface HmmGraph {
  numStates: number;
  logInit: Float64Array;
  /** 0 everywhere = a path may end in any state. */
  logFinal: Float64Array;
  arcs: HmmArc[];
}

export interface CompiledGraph {
  numStates: number;
  logInit: Float64Array;
  logFinal: Float64Array;
  /** Incoming arcs of state s: indices inStart[s] … inStart[s+1]−1 into inFrom / inLogProb / inArc. */
  inStart: Int32Array;
  inFrom: Int32Array;
  inLogProb: Float64Array;
  /** Position of each incoming arc in the original `arcs` list. */
  inArc: Int32Array;
  numArcs: number;
}

export function compileGraph(g: HmmGraph): CompiledGraph {
  const S = g.numStates;
  if (g.logInit.length !== S || g.logFinal.length !== S) throw new Error(`compileGraph: init/final must have ${S} entries`);
  const counts = new Int32Array(S + 1);
  for (const a of g.arcs) {
    if (!(a.from >= 0 && a.from < S && a.to >= 0 && a.to < S)) throw new Error(`compileGraph: arc ${a.from}→${a.to} outside ${S} states`);
    counts[a.to + 1]++;
  }
  for (let s = 0; s < S; s++) counts[s + 1] += counts[s];
  const fill = counts.slice(0, S);
  const inFrom = new Int32Array(g.arcs.length);
  const inLogProb = new Float64Array(g.arcs.length);
  const inArc = new Int32Array(g.arcs.length);
  g.arcs.forEach((a, i) => {
    const k = fill[a.to]++;
    inFrom[k] = a.from;
    inLogProb[k] = a.logProb;
    inArc[k] = i;
  });
  return { numStates: S, logInit: g.logInit, logFinal: g.logFinal, inStart: counts, inFrom, inLogProb, inArc, numArcs: g.arcs.length };
}

/**
 * Per-frame state log-likelihoods, T × S row-major: logLik[t·S + s] = ln p(x_t | s).
 */
export interface Emissions {
  frames: number;
  states: number;
  logLik: Float64Array;
}
