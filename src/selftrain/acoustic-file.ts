/**
 * The acoustic model a self-trained model folder holds instead of using its
 * generator (hmm.bin or ctc.bin): read once per loaded model folder, and
 * refused when the units it outputs are not the folder's units.json.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedModel } from '../model/model-folder.js';
import { ArtifactError } from '../util/errors.js';

/**
 * The decoder `load` makes from `model.dir/file`, cached per model (undefined when
 * the folder has no such file). `load` calls `checkUnits` with the file's units
 * before it builds anything from them.
 */
export function acousticModelFor<T>(cache: WeakMap<LoadedModel, T | null>, model: LoadedModel, file: string, load: (path: string, checkUnits: (units: string[]) => void) => T): T | undefined {
  let dec = cache.get(model);
  if (dec === undefined) {
    const path = join(model.dir, file);
    dec = null;
    if (existsSync(path)) dec = load(path, (units) => checkAcousticUnits(path, units, model.units));
    cache.set(model, dec);
  }
  return dec ?? undefined;
}

/** Refuses the acoustic model file at `path` when its units are not `modelUnits` (the model folder's units.json). */
export function checkAcousticUnits(path: string, units: string[], modelUnits: string[]): void {
  if (units.join('\u0000') !== modelUnits.join('\u0000')) throw new ArtifactError(path, `its units (${units.join(' ')}) differ from the model folder's units.json`);
}
