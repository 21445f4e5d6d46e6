/**
 * The train/test split is a pure function of the utterance id, so it never
 * changes when utterances are added, removed or reordered, and anyone can
 * recompute it: TEST iff md5(id), read as a big-endian integer, is 0 mod 10.
 */
import { createHash } from 'node:crypto';

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

export function splitOf(id: string): Split {
  const hex = createHash('md5').update(id, 'utf8').digest('hex');
  return BigInt('0x' + hex) % 10n === 0n ? 'test' : 'train';
}
