/**
 * Named trainable weights of one model, with plain-array export/import so a
 * trainer can save checkpoints without knowing the architecture.
 */
import { tf } from '../backend/index.js';
import { ArtifactError } from '../util/errors.js';
import { makeRng, type Rng } from '../util/rng.js';

export interface WeightArray {
  shape: number[];
  data: Float32Array;
}
/** Weights by parameter name (e.g. 'proj', 'emb.w'). */
export type ModelWeights = Record<string, WeightArray>;

/**
 * torch's default Conv1d/Linear init: U(−1/√fanIn, 1/√fanIn) for weights and
 * biases alike; keeps our starting point comparable with fairseq runs.
 */
export function uniformInit(rng: Rng, size: number, fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * bound;
  return out;
}

export class ParamSet {
  private readonly byName = new Map<string, tf.Variable>();

  add(name: string, shape: number[], init: Float32Array): tf.Variable {
    // tidy frees the initial tensor; variables survive tidy.
    const v = tf.tidy(() => tf.variable(tf.tensor(init, shape), true));
    this.byName.set(name, v);
    return v;
  }

  get variables(): tf.Variable[] {
    return [...this.byName.values()];
  }

  get count(): number {
    let n = 0;
    for (const v of this.byName.values()) n += v.size;
    return n;
  }

  getWeights(): ModelWeights {
    const out: ModelWeights = {};
    for (const [name, v] of this.byName) out[name] = { shape: [...v.shape], data: v.dataSync() as Float32Array };
    return out;
  }

  /** Replace every weight; `origin` (a file or folder) names the source in errors. */
  setWeights(weights: ModelWeights, origin: string): void {
    const expected = [...this.byName.keys()];
    const given = Object.keys(weights);
    const missing = expected.filter((n) => !(n in weights));
    const extra = given.filter((n) => !this.byName.has(n));
    if (missing.length || extra.length)
      throw new ArtifactError(
        origin,
        `weights do not match the model configuration` +
          (missing.length ? `; missing: ${missing.join(', ')}` : '') +
          (extra.length ? `; unexpected: ${extra.join(', ')}` : ''),
      );
    for (const [name, v] of this.byName) {
      const w = weights[name];
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (w.shape.join('x') !== v.shape.join('x') || w.data.length !== n)
        throw new ArtifactError(origin, `weight '${name}' has shape [${w.shape}] (${w.data.length} values), expected [${v.shape}]`);
    }
    for (const [name, v] of this.byName) tf.tidy(() => v.assign(tf.tensor(weights[name].data, weights[name].shape)));
  }

  dispose(): void {
    for (const v of this.byName.values()) v.dispose();
    this.byName.clear();
  }
}

/**
 * What the generator and discriminator share: named weights, their export and
 * import, and a dropout random stream that a trainer can restart.
 */
export abstract class ParamModel {
  protected readonly params = new ParamSet();
  protected rng: Rng;

  constructor(
    seed: number,
    private readonly what: string,
  ) {
    this.rng = makeRng(seed);
  }

  /** Restart the dropout random stream (a trainer reseeds per update so resumed runs replay exactly). */
  reseed(seed: number): void {
    this.rng = makeRng(seed);
  }

  get variables(): tf.Variable[] {
    return this.params.variables;
  }

  get paramCount(): number {
    return this.params.count;
  }

  getWeights(): ModelWeights {
    return this.params.getWeights();
  }

  setWeights(weights: ModelWeights, origin = `${this.what} weights`): void {
    this.params.setWeights(weights, origin);
  }

  dispose(): void {
    this.params.dispose();
  }
}
