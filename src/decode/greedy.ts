/**
 * Greedy ("Viterbi") decoding as fairseq's wav2vec-U does it (notes §7): the
 * Viterbi decoder there has a zero transition matrix, so it reduces to the
 * argmax at every output step followed by collapsing runs of equal labels.
 * <SIL> stays a unit here (it carries timing); formatting may drop it.
 */
import { FieldphoneError } from '../util/errors.js';

export interface GreedyDecoding {
  /** One label per run of equal argmax labels. */
  units: Int32Array;
  /** 2 × runs: [startStep, endStep) of each run. */
  runs: Int32Array;
  /** Mean over the run's steps of the winning label's log-softmax probability (≤ 0; 0 = certain). */
  scores: Float32Array;
}

/** `logits` is row-major [steps × numUnits]; ties go to the lower unit index, as argmax does. */
export function greedyDecode(logits: Float32Array, steps: number, numUnits: number): GreedyDecoding {
  if (!(Number.isInteger(steps) && steps >= 0 && Number.isInteger(numUnits) && numUnits >= 1))
    throw new Error(`greedyDecode: bad shape ${steps} steps × ${numUnits} units`);
  if (logits.length !== steps * numUnits)
    throw new Error(`greedyDecode: ${logits.length} logits for ${steps} steps × ${numUnits} units`);

  const best = new Int32Array(steps);
  const bestLogProb = new Float64Array(steps);
  for (let t = 0; t < steps; t++) {
    const off = t * numUnits;
    let arg = 0;
    for (let j = 1; j < numUnits; j++) if (logits[off + j] > logits[off + arg]) arg = j;
    const max = logits[off + arg];
    let sum = 0;
    for (let j = 0; j < numUnits; j++) sum += Math.exp(logits[off + j] - max);
    // log-softmax of the maximum = max − logsumexp = −log Σ exp(x − max).
    const lp = -Math.log(sum);
    // A diverged model (NaN/±Inf outputs) must not produce a plausible-looking transcript.
    if (!Number.isFinite(max) || !Number.isFinite(lp))
      throw new FieldphoneError('non-finite-model-output', `the model's output at step ${t} is not a finite number (the model has diverged)`);
    best[t] = arg;
    bestLogProb[t] = lp;
  }

  const units: number[] = [];
  const runs: number[] = [];
  const scores: number[] = [];
  for (let start = 0; start < steps; ) {
    let end = start + 1;
    let sum = bestLogProb[start];
    while (end < steps && best[end] === best[start]) sum += bestLogProb[end++];
    units.push(best[start]);
    runs.push(start, end);
    scores.push(sum / (end - start));
    start = end;
  }
  return { units: Int32Array.from(units), runs: Int32Array.from(runs), scores: Float32Array.from(scores) };
}
