import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainNgram, writeArpa, readArpa } from '../../src/lm/index.js';
import { makeRng } from '../../src/util/rng.js';
import { phoneSentences } from './phone-grammar.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fieldphone-arpa-'));
});

const LN10 = Math.log(10);

describe('writeArpa → readArpa', () => {
  it('round-trips every stored n-gram and random queries', () => {
    const corpus = phoneSentences(200, 11);
    const lm = trainNgram(corpus, { order: 4 });
    const path = join(dir, 'phones.arpa');
    writeArpa(lm, path);
    const back = readArpa(path);
    expect(back.order).toBe(4);
    expect(new Set(back.vocab)).toEqual(new Set(lm.vocab));

    // The header declares the real section sizes.
    const text = readFileSync(path, 'utf8');
    for (let n = 1; n <= 4; n++) expect(text).toContain(`ngram ${n}=${lm.logProbs[n - 1].size}\n`);
    expect(text).toMatch(/^-99\t<s>\t-[0-9.]+$/m);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);

    // 8 printed decimals of log10: each term is off by ≤ 5e-9·ln10; a lookup sums ≤ 4 terms.
    const tol = 4 * 5e-9 * LN10 + 1e-12;
    let checked = 0;
    for (let n = 1; n <= 4; n++)
      for (const key of lm.logProbs[n - 1].keys()) {
        const words = key.split('\u0001');
        const w = words[words.length - 1];
        const ctx = words.slice(0, -1);
        expect(Math.abs(back.logProb(w, ctx) - lm.logProb(w, ctx))).toBeLessThanOrEqual(tol);
        checked++;
      }
    expect(checked).toBeGreaterThan(1000);

    const rng = makeRng(5);
    const words = [...lm.vocab.filter((w) => w !== '<s>'), 'OOV'];
    for (let q = 0; q < 2000; q++) {
      const ctx = Array.from({ length: rng.int(5) }, () => words[rng.int(words.length)]);
      if (rng.next() < 0.5) ctx.unshift('<s>');
      const w = words[rng.int(words.length)];
      expect(Math.abs(back.logProb(w, ctx) - lm.logProb(w, ctx))).toBeLessThanOrEqual(tol);
    }
    for (const s of phoneSentences(50, 99))
      expect(Math.abs(back.sentenceLogProb(s) - lm.sentenceLogProb(s))).toBeLessThanOrEqual((s.length + 1) * tol);
  });

  it('round-trips unigram models and refuses foreign model objects', () => {
    const lm = trainNgram([['a', 'b'], ['b']], { order: 1 });
    const path = join(dir, 'uni.arpa');
    writeArpa(lm, path);
    const back = readArpa(path);
    for (const w of ['a', 'b', '</s>', '<unk>', 'zzz']) expect(back.logProb(w, ['a'])).toBeCloseTo(lm.logProb(w, []), 7);
    const foreign = { order: 1, vocab: ['<s>'], logProb: () => 0, sentenceLogProb: () => 0 };
    expect(() => writeArpa(foreign, join(dir, 'x.arpa'))).toThrow(/trainNgram or readArpa/);
  });
});

describe('readArpa on hand-written files', () => {
  // log10 values chosen by hand; CRLF line ends and a comment before \data\ as some tools write.
  const trigram = [
    'made by hand',
    '',
    '\\data\\',
    'ngram 1=6',
    'ngram 2=4',
    'ngram 3=2',
    '',
    '\\1-grams:',
    '-99\t<s>\t-0.5',
    '-1.2\t</s>',
    '-2\t<unk>',
    '-0.6\ta\t-0.25',
    '-0.7\tb\t-0.15',
    '-0.9 c -0.05',
    '',
    '\\2-grams:',
    '-0.3\t<s> a\t-0.11',
    '-0.4\ta b\t-0.22',
    '-0.5\tb c',
    '-0.8\tb </s>',
    '',
    '\\3-grams:',
    '-0.05\t<s> a b',
    '-0.12\ta b </s>',
    '',
    '\\end\\',
    '',
  ].join('\r\n');

  it('backs off by hand-checked amounts', () => {
    const path = join(dir, 'hand.arpa');
    writeFileSync(path, trigram);
    const lm = readArpa(path);
    expect(lm.order).toBe(3);
    const log10 = (w: string, ctx: string[]) => lm.logProb(w, ctx) / LN10;
    expect(log10('b', ['<s>', 'a'])).toBeCloseTo(-0.05, 12); // stored trigram
    expect(log10('c', ['<s>', 'a'])).toBeCloseTo(-0.11 + -0.25 + -0.9, 12); // bo(<s> a) + bo(a) + p(c)
    expect(log10('c', ['a', 'b'])).toBeCloseTo(-0.22 + -0.5, 12); // bo(a b) + p(c | b)
    expect(log10('a', ['b', 'c'])).toBeCloseTo(0 + -0.05 + -0.6, 12); // 'b c' has no backoff: bo = 1
    expect(log10('zzz', ['b'])).toBeCloseTo(-0.15 + -2, 12); // OOV → <unk>
    expect(log10('c', ['x', 'y', 'a', 'b'])).toBeCloseTo(-0.22 + -0.5, 12); // only the last 2 words count
    expect(lm.sentenceLogProb(['a', 'b']) / LN10).toBeCloseTo(-0.3 + -0.05 + -0.12, 12);
  });

  it('gives <unk> log10 −100 when the file has none (as KenLM)', () => {
    const path = join(dir, 'closed.arpa');
    writeFileSync(path, '\\data\\\nngram 1=3\n\n\\1-grams:\n-99 <s>\n-0.3 </s>\n-0.1 a\n\n\\end\\\n');
    const lm = readArpa(path);
    expect(lm.vocab).toContain('<unk>');
    expect(lm.logProb('zzz', []) / LN10).toBeCloseTo(-100, 9);
  });

  it('reports the file and line of problems', () => {
    const bad = (name: string, body: string) => {
      const path = join(dir, name);
      writeFileSync(path, body);
      return () => readArpa(path);
    };
    const head = '\\data\\\nngram 1=3\nngram 2=1\n\n\\1-grams:\n-99 <s> -0.1\n-0.3 </s>\n-0.1 a -0.2\n\n\\2-grams:\n';
    expect(bad('e1.arpa', head + '-0.5 <s>\n\n\\end\\\n')).toThrow(/e1\.arpa: line 11: a 2-gram line needs 3 fields/);
    expect(bad('e2.arpa', head + '-0.5 <s> b\n\n\\end\\\n')).toThrow(/e2\.arpa: line 11: word 'b' is not among the 1-grams/);
    expect(bad('e3.arpa', head + 'x <s> a\n\n\\end\\\n')).toThrow(/e3\.arpa: line 11: bad log10 probability 'x'/);
    expect(bad('e4.arpa', head + '-0.5 <s> a\n')).toThrow(/e4\.arpa: .*without \\end\\/);
    expect(bad('e5.arpa', head + '-0.5 <s> a\n-0.4 a </s>\n\\end\\\n')).toThrow(/e5\.arpa: line 13: \\data\\ declares 1 2-grams but the section has 2/);
    expect(bad('e6.arpa', head + '-0.5 <s> a -0.1\n\\end\\\n')).toThrow(/e6\.arpa: line 11: a 2-gram line needs 3 fields/);
    expect(bad('e7.arpa', 'hello\n')).toThrow(/e7\.arpa: not an ARPA language model/);
    expect(bad('e8.arpa', '\\data\\\nngram 1=2\n\n\\1-grams:\n-0.3 </s>\n-0.1 a\n\n\\end\\\n')).toThrow(/e8\.arpa: has no <s> 1-gram/);
    expect(() => readArpa(join(dir, 'missing.arpa'))).toThrow(/missing\.arpa: file not found/);
  });
});
