/**
 * k-means and PCA models on disk: one tensor file each (src/util/tensor-file.ts),
 * written atomically, with a checksum, so a truncated, foreign or bit-rotted
 * file is refused with a message naming it instead of silently producing
 * garbage segments.
 *
 *   kmeans: 'centroids' [k, dim]
 *   pca:    'mean' [inputDim], 'components' [dim, inputDim], 'explainedVariance' [dim]
 */
import { ArtifactError } from '../util/errors.js';
import { matrix } from '../util/matrix.js';
import { readTensorFile, writeTensorFile, type NamedTensor, type TensorMap } from '../util/tensor-file.js';
import type { KMeansModel } from './kmeans.js';
import type { PcaModel } from './pca.js';

const KMEANS = 'k-means model';
const PCA = 'PCA model';

export function saveKMeans(path: string, km: KMeansModel): void {
  writeTensorFile(path, 'kmeans', { centroids: { shape: [km.k, km.dim], data: km.centroids.data } });
}

export function loadKMeans(path: string): KMeansModel {
  const { tensors } = readTensorFile(path, 'kmeans', KMEANS);
  const centroids = tensor(path, KMEANS, tensors, 'centroids', 2);
  const [k, dim] = centroids.shape;
  return { k, dim, centroids: matrix(k, dim, centroids.data) };
}

export function savePca(path: string, p: PcaModel): void {
  writeTensorFile(path, 'pca', {
    mean: { shape: [p.inputDim], data: p.mean },
    components: { shape: [p.dim, p.inputDim], data: p.components.data },
    explainedVariance: { shape: [p.dim], data: p.explainedVariance },
  });
}

export function loadPca(path: string): PcaModel {
  const { tensors } = readTensorFile(path, 'pca', PCA);
  const bad = (msg: string) => new ArtifactError(path, `not a valid ${PCA} file: ${msg}`);
  const components = tensor(path, PCA, tensors, 'components', 2);
  const [dim, inputDim] = components.shape;
  if (dim > inputDim) throw bad(`it keeps ${dim} axes of ${inputDim}-dimensional frames`);
  const mean = tensor(path, PCA, tensors, 'mean', 1);
  if (mean.shape[0] !== inputDim) throw bad(`its mean has ${mean.shape[0]} values for ${inputDim}-dimensional frames`);
  const explainedVariance = tensor(path, PCA, tensors, 'explainedVariance', 1);
  if (explainedVariance.shape[0] !== dim) throw bad(`it has ${explainedVariance.shape[0]} variances for ${dim} axes`);
  return { dim, inputDim, mean: mean.data, components: matrix(dim, inputDim, components.data), explainedVariance: explainedVariance.data };
}

/** The tensor `name` of a model file, which must have `rank` dimensions. */
function tensor(path: string, what: string, tensors: TensorMap, name: string, rank: number): NamedTensor {
  const t = Object.hasOwn(tensors, name) ? tensors[name] : undefined;
  if (!t) throw new ArtifactError(path, `not a valid ${what} file: it has no "${name}" values`);
  if (t.shape.length !== rank) {
    throw new ArtifactError(path, `not a valid ${what} file: its "${name}" shape ${JSON.stringify(t.shape)} is not ${rank === 1 ? 'one positive integer' : `${rank} positive integers`}`);
  }
  return t;
}
