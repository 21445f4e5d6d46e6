import { expect } from 'vitest';
import { ArtifactError } from '../../src/util/errors.js';

/** Expect `load` to fail with an ArtifactError that names `path` and matches `why`. */
export function expectArtifactError(load: () => unknown, path: string, why: RegExp): void {
  let err: unknown;
  try {
    load();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ArtifactError);
  expect((err as ArtifactError).file).toBe(path);
  expect((err as Error).message).toContain(path);
  expect((err as Error).message).toMatch(why);
}
