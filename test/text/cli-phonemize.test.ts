import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/phonemize.js';
import { setLogLevel } from '../../src/util/log.js';
import { scratchFolder } from '../helpers/scratch.js';

let dir: string;
let write: (name: string, text: string) => string;

async function run(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  register(program);
  await program.parseAsync(['phonemize', ...args], { from: 'user' });
}

beforeAll(() => {
  ({ dir, write } = scratchFolder('fp-cli-phonemize-'));
  setLogLevel('quiet');
});

describe('fieldphone phonemize', () => {
  it('writes one output line per input line, words separated by " | ", dropped lines empty', async () => {
    const text = write('corpus.txt', 'Dobrý den!\n\nden pes\nDen, dobrý.\n');
    const lex = write('lex.txt', 'dobrý\td o b r iː\nden\td e n\n');
    const out = join(dir, 'out.txt');
    await run(text, '--lexicon', lex, '--out', out);
    expect(readFileSync(out, 'utf8')).toBe('d o b r iː | d e n\n\n\nd e n | d o b r iː\n');
  });

  it('writes JSON with words, dropped lines, OOV counts and phone counts', async () => {
    const text = write('corpus2.txt', 'den den\nkočka\n');
    const lex = write('lex2.txt', 'den\td e n\n');
    const out = join(dir, 'out.json');
    await run(text, '--phonemizer', 'lexicon', '--lexicon', lex, '--json', '--out', out);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.sentences).toEqual([{ line: 1, words: [{ word: 'den', phones: ['d', 'e', 'n'] }, { word: 'den', phones: ['d', 'e', 'n'] }] }]);
    expect(j.dropped).toEqual([{ line: 2, kind: 'unpronounceable', reason: 'no pronunciation for "kočka"' }]);
    expect(j.oov).toEqual({ kočka: 1 });
    expect(j.phones).toEqual({ d: 2, e: 2, n: 2 });
  });

  it('bootstraps a profile, refuses to overwrite it, and phonemizes with it', async () => {
    const text = write('corpus3.txt', 'aba\n');
    const profile = join(dir, 'profile.tsv');
    await run('--init-profile', profile, text);
    expect(readFileSync(profile, 'utf8')).toBe('Grapheme\tIPA\tFrequency\tCodepoints\na\ta\t2\tU+0061\nb\tb\t1\tU+0062\n');
    writeFileSync(profile, 'Grapheme\tIPA\na\tɑ\nb\tβ\n');
    await expect(run('--init-profile', profile, text)).rejects.toThrow(/already exists; refusing to overwrite/);
    expect(readFileSync(profile, 'utf8')).toBe('Grapheme\tIPA\na\tɑ\nb\tβ\n');
    const out = join(dir, 'out3.txt');
    await run(text, '--profile', profile, '--out', out);
    expect(readFileSync(out, 'utf8')).toBe('ɑ β ɑ\n');
  });

  it('refuses to write over its input and asks for a phonemizer when none is chosen', async () => {
    const text = write('corpus4.txt', 'a\n');
    await expect(run(text, '--phonemizer', 'graphemes', '--out', text)).rejects.toThrow(/refusing to overwrite/);
    expect(readFileSync(text, 'utf8')).toBe('a\n');
    await expect(run(text)).rejects.toThrow(/choose a phonemizer/);
    await expect(run(join(dir, 'missing.txt'), '--phonemizer', 'graphemes')).rejects.toThrow(/missing\.txt: file not found/);
  });
});
