/**
 * A tiny training fixture shared by the training and transcription tests:
 * six speech-like recordings prepared with 8 k-means clusters, forty short
 * sentences of an invented language phonemized by graphemes, and helpers to
 * drive the built CLI (dist/, which `npm test` compiles before vitest runs).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRng } from '../../src/util/rng.js';
import { speechLike, wavBytes } from '../pipeline/fixture-corpus.js';

import { CLI, fieldphone } from '../helpers/cli.js';

export { CLI, fieldphone, spawnFieldphone, type Run } from '../helpers/cli.js';

/** An invented language, written out: short sentences over a dozen letters. */
export const SENTENCES = [
  'bata lumi sena',
  'lumi kato bera',
  'sena bata mulo',
  'kato rima lebu',
  'mulo sena kato',
  'bera lumi rima tuse',
  'lebu bata sena',
  'tuse kato mulo',
  'rima bera lumi',
  'sena tuse bata',
  'mulo lebu kato rima',
  'bata bera tuse',
  'lumi sena mulo',
  'kato lebu bera',
  'rima tuse sena',
  'bera mulo lumi bata',
  'tuse rima kato',
  'lebu sena bera',
  'bata mulo rima',
  'lumi tuse lebu',
  'kato bata sena mulo',
  'sena rima bera',
  'mulo lumi tuse',
  'bera kato lebu',
  'rima bata lumi',
  'tuse sena kato bera',
  'lebu mulo bata',
  'bata rima tuse',
  'lumi bera sena',
  'kato mulo lebu',
  'sena lumi rima bata',
  'mulo tuse bera',
  'bera sena kato',
  'rima lebu mulo',
  'tuse bata lumi',
  'lebu kato sena rima',
  'bata tuse mulo',
  'lumi lebu bera',
  'kato sena tuse',
  'sena mulo bata lumi',
];

export interface TrainFixture {
  root: string;
  /** The recordings, by utterance id. */
  wavs: Record<string, string>;
  audioDir: string;
  textDir: string;
}

/** Six 16 kHz speech-like recordings under root/corpus, seeded. */
export function writeRecordings(dir: string, seed = 23, n = 6): Record<string, string> {
  const rng = makeRng(seed);
  mkdirSync(dir, { recursive: true });
  const wavs: Record<string, string> = {};
  for (let i = 1; i <= n; i++) {
    const id = `rec-${String(i).padStart(2, '0')}`;
    const p = join(dir, `${id}.wav`);
    writeFileSync(p, wavBytes([speechLike(16000, 1.2 + 0.15 * i, rng)], 16000));
    wavs[id] = p;
  }
  return wavs;
}

/** Writes and prepares the fixture under `root` (prepare-audio and prepare-text through the CLI). */
export function makeTrainFixture(root: string): TrainFixture {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p .), as \`npm test\` does`);
  const wavs = writeRecordings(join(root, 'corpus'));
  const audioDir = join(root, 'audio');
  const a = fieldphone('prepare-audio', join(root, 'corpus'), '-o', audioDir, '--clusters', '8');
  if (a.status !== 0) throw new Error(`prepare-audio failed:\n${a.stderr}`);
  const textFile = join(root, 'text.txt');
  writeFileSync(textFile, SENTENCES.join('\n') + '\n');
  const textDir = join(root, 'text');
  const t = fieldphone('prepare-text', textFile, '-o', textDir, '--phonemizer', 'graphemes', '--min-phone-count', '1');
  if (t.status !== 0) throw new Error(`prepare-text failed:\n${t.stderr}`);
  return { root, wavs, audioDir, textDir };
}

/** The small training configuration of the tests, as CLI options. */
export const TINY_TRAIN = ['--updates', '24', '--valid-every', '6', '--batch', '4', '--hidden', '16', '--kernel', '3', '--stack', '3'];

export function trainArgs(f: TrainFixture, out: string, ...extra: string[]): string[] {
  return ['train', '--audio', f.audioDir, '--text', f.textDir, '-o', out, ...TINY_TRAIN, ...extra];
}
