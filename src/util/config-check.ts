/** Checks of settings shared by the config validators and the CLI commands. */
import { UsageError } from './errors.js';

/** `v` when it is an integer ≥ `min`; else a UsageError "`name` must be an integer ≥ `min`, got `v`". */
export function checkInteger(name: string, v: number, min: number): number {
  if (!(Number.isInteger(v) && v >= min)) throw new UsageError(`${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/** checkInteger with `owner` before each name, so a message says whose setting it is ("encoder width …"). */
export function integerCheckFor(owner: string): (name: string, v: number, min: number) => number {
  return (name, v, min) => checkInteger(`${owner} ${name}`, v, min);
}
