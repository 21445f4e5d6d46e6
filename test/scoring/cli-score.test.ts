import { describe, it, expect, beforeAll, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register, runScore, collapseRepeats } from '../../src/cli/commands/score.js';

let dir: string;
let ref: string;
let hyp: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fieldphone-score-'));
  ref = join(dir, 'ref.txt');
  hyp = join(dir, 'hyp.txt');
  writeFileSync(ref, ['u1 <SIL> a b c d <SIL>', 'u2 k a t', 'u3 m a m a'].join('\n') + '\n');
  writeFileSync(hyp, ['u1 a a x c <SIL> d e', 'u9 z', 'u3 m m a m a a'].join('\n') + '\n');
});

describe('runScore', () => {
  it('scores by id, drops --ignore tokens, counts missing ids as deletions and reports extras', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const run = runScore({ ref, hyp, ignore: ['<SIL>'] });
    stderr.mockRestore();
    expect(run.missingInHyp).toEqual(['u2']);
    expect(run.extraInHyp).toEqual(['u9']);
    const [u1, u2, u3] = run.report.utterances;
    // u1: a b c d vs a a x c d e: 3 edits at least (one token too many before c, b ≠ a/x, extra e): S1 I2, N 4.
    expect([u1.sub, u1.del, u1.ins, u1.refLen]).toEqual([1, 0, 2, 4]);
    expect([u2.sub, u2.del, u2.ins, u2.refLen]).toEqual([0, 3, 0, 3]);
    // u3: m a m a vs m m a m a a → 2 insertions.
    expect([u3.sub, u3.del, u3.ins, u3.refLen]).toEqual([0, 0, 2, 4]);
    expect(run.report.total.errorRate).toBeCloseTo((3 + 3 + 2) / 11, 12);
    const lines = run.text.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['id', 'N', 'S', 'D', 'I', 'err%']);
    expect(lines.at(-1)?.split(/\s+/)).toEqual(['TOTAL', '11', '1', '3', '4', (800 / 11).toFixed(2)]);
  });

  it('collapses repeats on both sides before dropping ignored tokens', () => {
    expect(collapseRepeats(['m', 'm', 'a', '<SIL>', 'a', 'a'])).toEqual(['m', 'a', '<SIL>', 'a']);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const run = runScore({ ref, hyp, ignore: ['<SIL>'], collapseRepeats: true, showAlignment: true });
    stderr.mockRestore();
    const u3 = run.report.utterances[2];
    expect([u3.sub, u3.del, u3.ins]).toEqual([0, 0, 0]); // m m a m a a → m a m a
    // u1 hyp: a a x c <SIL> d e → (collapse) a x c <SIL> d e → (ignore) a x c d e.
    expect(run.report.utterances[0].ins).toBe(1);
    expect(run.text).toContain('    REF:  a b c d *\n    HYP:  a x c d e\n    Eval:   S     I\n');
  });
});

describe('fieldphone score (commander)', () => {
  it('parses repeatable --ignore and prints the JSON report on stdout', async () => {
    const program = new Command().exitOverride();
    register(program);
    let out = '';
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await program.parseAsync(['score', ref, hyp, '--ignore', '<SIL>', '--ignore', 'e', '--json'], { from: 'user' });
    stdout.mockRestore();
    stderr.mockRestore();
    const json = JSON.parse(out);
    expect(json.missingInHyp).toEqual(['u2']);
    expect(json.extraInHyp).toEqual(['u9']);
    expect(json.utterances[0].ins).toBe(1); // 'e' ignored too
    expect(json.total.refLen).toBe(11);
  });
});
