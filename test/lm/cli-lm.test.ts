import { describe, it, expect, beforeAll, vi } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register, runLmBuild, runLmPpl } from '../../src/cli/commands/lm.js';
import { readArpa, trainNgram, perplexity } from '../../src/lm/index.js';
import { phoneSentences } from './phone-grammar.js';

let dir: string;
let train: string;
let test: string;
const quiet = () => vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fieldphone-lmcli-'));
  train = join(dir, 'train.txt');
  test = join(dir, 'test.txt');
  writeFileSync(train, phoneSentences(300, 1).map((s) => s.join(' ')).join('\n') + '\n\n');
  writeFileSync(test, phoneSentences(40, 2).map((s) => s.join(' ')).join('\n') + '\n');
});

describe('lm build / lm ppl', () => {
  it('builds an ARPA file equal to trainNgram on the same text and reports its perplexity', () => {
    const out = join(dir, 'phones.arpa');
    const stderr = quiet();
    const built = runLmBuild({ text: train, out, order: 3 });
    const ppl = runLmPpl(out, test);
    stderr.mockRestore();
    expect(built.order).toBe(3);
    expect(built.stats.sentences).toBe(300);
    const direct = perplexity(trainNgram(phoneSentences(300, 1), { order: 3 }), phoneSentences(40, 2));
    expect(ppl.sentences).toBe(40);
    expect(ppl.tokens).toBe(direct.tokens);
    expect(ppl.ppl).toBeCloseTo(direct.ppl, 6);
    expect(ppl.log10Prob).toBeCloseTo(direct.logProb / Math.LN10, 5);
    expect(readArpa(out).order).toBe(3);
  });

  it('refuses to overwrite an existing file without --force, and never the input', () => {
    const out = join(dir, 'keep.arpa');
    writeFileSync(out, 'precious');
    expect(() => runLmBuild({ text: train, out, order: 2 })).toThrow(/keep\.arpa: already exists; pass --force/);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(() => runLmBuild({ text: train, out: train, order: 2, force: true })).toThrow(/output path is one of the inputs/);
    const stderr = quiet();
    runLmBuild({ text: train, out, order: 2, force: true });
    stderr.mockRestore();
    expect(readFileSync(out, 'utf8')).toMatch(/^\\data\\\nngram 1=\d+\nngram 2=\d+\n/);
  });

  it('parses options through commander and prints ppl JSON on stdout', async () => {
    const program = new Command().exitOverride();
    register(program);
    const out = join(dir, 'cli.arpa');
    let stdout = '';
    const so = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
    const se = quiet();
    await program.parseAsync(['lm', 'build', train, '--order', '2', '--out', out], { from: 'user' });
    await program.parseAsync(['lm', 'ppl', out, test, '--json'], { from: 'user' });
    so.mockRestore();
    se.mockRestore();
    expect(readArpa(out).order).toBe(2);
    const r = JSON.parse(stdout);
    expect(r.sentences).toBe(40);
    expect(r.ppl).toBeCloseTo(Math.exp(-r.logProb / r.tokens), 9);
  });
});
