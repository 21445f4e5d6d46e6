import { expect } from 'vitest';
import { ArtifactError, InputFileError, type FieldphoneError } from '../../src/util/errors.js';

/** Expect `fn` to throw an error of class `kind` that names `path` (in .file and the message) and matches `why`. */
export function expectFileError(kind: new (...args: never[]) => FieldphoneError, fn: () => unknown, path: string, why: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(kind);
  expect((err as FieldphoneError).file).toBe(path);
  expect((err as Error).message).toContain(path);
  expect((err as Error).message).toMatch(why);
}

/** A corrupt or incompatible artifact (feature store, model file, …). */
export const expectArtifactError = (fn: () => unknown, path: string, why: RegExp) => expectFileError(ArtifactError, fn, path, why);

/** A user's input file that cannot be used. */
export const expectInputError = (fn: () => unknown, path: string, why: RegExp) => expectFileError(InputFileError, fn, path, why);
