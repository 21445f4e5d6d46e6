/**
 * Phone HMM topology (Kaldi's self-training recipe, notes §7): every phone is
 * one emitting state, <SIL> three, left to right with self-loops. States are
 * numbered unit by unit, in the order of the units.
 */
import { SIL } from '../text/index.js';

export interface PhoneTopology {
  /** Output units in index order (phones, then <SIL>), as in the model folder's units.json. */
  units: string[];
  statesPerUnit: number[];
  /** First state of each unit; its states are firstState[u] … firstState[u] + statesPerUnit[u] − 1. */
  firstState: Int32Array;
  unitOfState: Int32Array;
  numStates: number;
}

export function makeTopology(units: string[], silenceStates = 3, phoneStates = 1): PhoneTopology {
  return topologyFromCounts(units, units.map((u) => (u === SIL ? silenceStates : phoneStates)));
}

export function topologyFromCounts(units: string[], statesPerUnit: number[]): PhoneTopology {
  if (units.length === 0 || units.length !== statesPerUnit.length) throw new Error('topology: one state count per unit needed');
  if (new Set(units).size !== units.length) throw new Error('topology: units must be distinct');
  const firstState = new Int32Array(units.length);
  let n = 0;
  statesPerUnit.forEach((k, u) => {
    if (!(Number.isInteger(k) && k >= 1)) throw new Error(`topology: unit ${units[u]} needs at least one state`);
    firstState[u] = n;
    n += k;
  });
  const unitOfState = new Int32Array(n);
  statesPerUnit.forEach((k, u) => unitOfState.fill(u, firstState[u], firstState[u] + k));
  return { units, statesPerUnit, firstState, unitOfState, numStates: n };
}

/** The state sequence of a unit sequence (the forced-alignment chain). */
export function chainStates(topo: PhoneTopology, labels: ArrayLike<number>): Int32Array {
  let n = 0;
  for (let i = 0; i < labels.length; i++) n += topo.statesPerUnit[labels[i]];
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < labels.length; i++) for (let j = 0; j < topo.statesPerUnit[labels[i]]; j++) out[k++] = topo.firstState[labels[i]] + j;
  return out;
}
