/** Input checks shared by the k-means and PCA fits. */
import { FieldphoneError } from '../util/errors.js';
import type { Matrix } from '../util/matrix.js';

/** NaN or ±Inf in features would silently poison every centroid or axis it touches. */
export function assertFinite(m: Matrix, what: string, rowName = 'input frame'): void {
  const a = m.data;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new FieldphoneError('bad-features', `${what}: ${rowName} ${Math.floor(i / m.cols)} has a non-finite value (${a[i]}) in column ${i % m.cols}`);
    }
  }
}
