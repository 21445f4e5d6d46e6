/**
 * xmllint as the judge of our LIFT files: validation against the shipped
 * RELAX NG schema. A missing xmllint fails the test with the Debian package
 * to install, rather than skipping the check.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const LIFT_RNG = fileURLToPath(new URL('../../schemas/lift-0.13.rng', import.meta.url));

/** xmllint's verdict on `file` against the LIFT 0.13 schema: ok, and its messages. */
export function validateLift(file: string): { ok: boolean; messages: string } {
  const r = spawnSync('xmllint', ['--noout', '--relaxng', LIFT_RNG, file], { encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw new Error('xmllint is not installed; these tests need it: install the Debian package libxml2-utils (apt-get install libxml2-utils)');
  if (r.error) throw r.error;
  return { ok: r.status === 0, messages: r.stderr };
}
