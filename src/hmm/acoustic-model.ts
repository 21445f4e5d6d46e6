/**
 * A phone HMM-GMM acoustic model: topology, feature transform, one diagonal
 * GMM and one self-loop probability per state. Stored as a tensor file
 * (src/util/tensor-file.ts, kind 'hmm'): the GMMs' parameters back to back
 * plus the LDA matrix; units, state and component counts, the transform and
 * the decoding settings chosen for it go in the header's meta.
 */
import { ArtifactError } from '../util/errors.js';
import type { Matrix } from '../util/matrix.js';
import { readTensorFile, writeTensorFile, type TensorMap } from '../util/tensor-file.js';
import { applyTransform, outputDim, type FeatureTransform } from './feature-transform.js';
import { DiagGmm } from './gmm.js';
import type { Emissions } from './graph.js';
import { topologyFromCounts, type PhoneTopology } from './topology.js';

export interface AcousticModel {
  topology: PhoneTopology;
  transform: FeatureTransform;
  /** One per state. */
  gmms: DiagGmm[];
  /** ln P(stay) and ln P(leave) per state. */
  logSelf: Float64Array;
  logExit: Float64Array;
}

/** How a model decodes (chosen by self-training, stored with it). */
export interface DecodeSettings {
  lmWeight: number;
  insertionPenalty: number;
}

/** An acoustic model as plain data, safe to post to a worker thread (DiagGmm's methods do not cross). */
export type PlainAcousticModel = Omit<AcousticModel, 'gmms'> & { gmms: { weights: Float64Array; means: Float64Array; vars: Float64Array }[] };

export function toPlainModel(m: AcousticModel): PlainAcousticModel {
  return { ...m, gmms: m.gmms.map((g) => ({ weights: g.weights, means: g.means, vars: g.vars })) };
}

/** The same model again: every GMM rebuilt from its full-precision parameters (unlike the float32 file). */
export function fromPlainModel(p: PlainAcousticModel): AcousticModel {
  return { ...p, gmms: p.gmms.map((g) => new DiagGmm(g.weights, g.means, g.vars)) };
}

export const HMM_KIND = 'hmm';
export const HMM_FORMAT = 1;

export function setSelfLoops(model: AcousticModel, pSelf: ArrayLike<number>): void {
  for (let s = 0; s < model.topology.numStates; s++) {
    const p = Math.min(Math.max(pSelf[s], 0.01), 0.99);
    model.logSelf[s] = Math.log(p);
    model.logExit[s] = Math.log1p(-p);
  }
}

/**
 * ln p(x_t | s) for every frame and the given states (default: all), T × states.
 * `x` is already transformed (applyTransform).
 */
export function stateLogLiks(model: AcousticModel, x: Matrix, states?: ArrayLike<number>): Emissions {
  const list = states ?? Int32Array.from({ length: model.topology.numStates }, (_, s) => s);
  const S = list.length, T = x.rows, D = x.cols;
  const logLik = new Float64Array(T * S);
  const maxM = model.gmms.reduce((m, g) => Math.max(m, g.numComponents), 1);
  const scratch = new Float64Array(maxM);
  for (let j = 0; j < S; j++) {
    const g = model.gmms[list[j]];
    for (let t = 0; t < T; t++) logLik[t * S + j] = g.componentLogLiks(x.data, t * D, scratch);
  }
  return { frames: T, states: S, logLik };
}

export function transformFrames(model: AcousticModel, x: Matrix): Matrix {
  return applyTransform(model.transform, x);
}

interface HmmMeta {
  formatVersion: number;
  units: string[];
  statesPerUnit: number[];
  componentsPerState: number[];
  transform: { inputDim: number; splice: number; ldaDim?: number };
  decode: DecodeSettings;
  /** Free-form description of how it was trained (stage, round, options). */
  info: unknown;
}

export function writeAcousticModel(path: string, model: AcousticModel, decode: DecodeSettings, info: unknown = null): void {
  const D = outputDim(model.transform);
  const comps = model.gmms.map((g) => g.numComponents);
  const total = comps.reduce((a, b) => a + b, 0);
  const weights = new Float32Array(total), means = new Float32Array(total * D), vars = new Float32Array(total * D);
  let off = 0;
  for (const g of model.gmms) {
    weights.set(g.weights, off);
    means.set(g.means, off * D);
    vars.set(g.vars, off * D);
    off += g.numComponents;
  }
  const tensors: TensorMap = {
    weights: { shape: [total], data: weights },
    means: { shape: [total, D], data: means },
    vars: { shape: [total, D], data: vars },
    logSelf: { shape: [model.topology.numStates], data: Float32Array.from(model.logSelf) },
  };
  const t = model.transform;
  if (t.lda) tensors.lda = { shape: [t.lda.dim, t.inputDim * (2 * t.splice + 1)], data: Float32Array.from(t.lda.matrix) };
  const meta: HmmMeta = {
    formatVersion: HMM_FORMAT,
    units: model.topology.units,
    statesPerUnit: model.topology.statesPerUnit,
    componentsPerState: comps,
    transform: { inputDim: t.inputDim, splice: t.splice, ...(t.lda ? { ldaDim: t.lda.dim } : {}) },
    decode,
    info,
  };
  writeTensorFile(path, HMM_KIND, tensors, meta);
}

export function readAcousticModel(path: string): { model: AcousticModel; decode: DecodeSettings; info: unknown } {
  const { tensors, meta } = readTensorFile(path, HMM_KIND, 'HMM acoustic model');
  const m = meta as Partial<HmmMeta> | null;
  const bad = (msg: string) => new ArtifactError(path, `not a valid HMM acoustic model file: ${msg}`);
  if (!m || m.formatVersion !== HMM_FORMAT) throw bad(`format version ${String(m?.formatVersion)} is not ${HMM_FORMAT}`);
  if (!Array.isArray(m.units) || !Array.isArray(m.statesPerUnit) || !Array.isArray(m.componentsPerState) || !m.transform || !m.decode) throw bad('its header is incomplete');
  let topology: PhoneTopology;
  try {
    topology = topologyFromCounts(m.units, m.statesPerUnit);
  } catch (e) {
    throw bad((e as Error).message);
  }
  const S = topology.numStates;
  const comps = m.componentsPerState;
  const total = comps.reduce((a, b) => a + b, 0);
  const { inputDim, splice, ldaDim } = m.transform;
  const transform: FeatureTransform = { inputDim, splice };
  if (ldaDim !== undefined) {
    const lda = tensors.lda;
    if (!lda || lda.shape[0] !== ldaDim || lda.shape[1] !== inputDim * (2 * splice + 1)) throw bad('its LDA matrix is missing or has the wrong shape');
    transform.lda = { dim: ldaDim, matrix: Float64Array.from(lda.data) };
  }
  const D = outputDim(transform);
  for (const [name, shape] of [['weights', [total]], ['means', [total, D]], ['vars', [total, D]], ['logSelf', [S]]] as const) {
    if (!tensors[name] || tensors[name].shape.join() !== shape.join()) throw bad(`tensor "${name}" is missing or has the wrong shape`);
  }
  if (comps.length !== S) throw bad(`${comps.length} GMMs for ${S} states`);
  const gmms: DiagGmm[] = [];
  let off = 0;
  for (const M of comps) {
    try {
      gmms.push(new DiagGmm(
        Float64Array.from(tensors.weights.data.subarray(off, off + M)),
        Float64Array.from(tensors.means.data.subarray(off * D, (off + M) * D)),
        Float64Array.from(tensors.vars.data.subarray(off * D, (off + M) * D)),
      ));
    } catch (e) {
      throw bad((e as Error).message);
    }
    off += M;
  }
  const model: AcousticModel = { topology, transform, gmms, logSelf: new Float64Array(S), logExit: new Float64Array(S) };
  setSelfLoops(model, Array.from(tensors.logSelf.data, Math.exp));
  return { model, decode: m.decode, info: m.info ?? null };
}
