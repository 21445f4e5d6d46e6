import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainNgram, perplexity, readSentencesFile } from '../../src/lm/index.js';
import { phoneSentences, wordSentences } from './phone-grammar.js';

describe('perplexity', () => {
  it('counts </s> as a token and exponentiates the mean negative log probability', () => {
    const lm = trainNgram([['a'], ['a', 'b']], { order: 2 });
    const test = [['a', 'b'], ['b', 'zzz']];
    const r = perplexity(lm, test);
    const lp = lm.sentenceLogProb(['a', 'b']) + lm.sentenceLogProb(['b', 'zzz']);
    expect(r.tokens).toBe(2 + 1 + 2 + 1);
    expect(r.oov).toBe(1);
    expect(r.logProb).toBeCloseTo(lp, 12);
    expect(r.ppl).toBeCloseTo(Math.exp(-lp / 6), 9);
  });

  it('held-out phone text: the 4-gram beats the unigram, stays finite with OOVs, and improves with data', () => {
    const heldOut = phoneSentences(300, 2024);
    heldOut[0] = [...heldOut[0], 'ŋ̊', 'q']; // phones never seen in training
    const small = trainNgram(phoneSentences(100, 1), { order: 4 });
    const large = trainNgram(phoneSentences(3000, 1), { order: 4 });
    const unigram = trainNgram(phoneSentences(3000, 1), { order: 1 });
    const pSmall = perplexity(small, heldOut);
    const pLarge = perplexity(large, heldOut);
    const pUni = perplexity(unigram, heldOut);
    console.log(
      `held-out phone perplexity (300 sentences, ${pLarge.tokens} tokens, ${pLarge.oov} OOV): ` +
        `4-gram/100 sent ${pSmall.ppl.toFixed(3)}, 4-gram/3000 sent ${pLarge.ppl.toFixed(3)}, unigram/3000 sent ${pUni.ppl.toFixed(3)}`,
    );
    expect(pLarge.oov).toBe(2);
    for (const p of [pSmall, pLarge, pUni]) expect(Number.isFinite(p.ppl)).toBe(true);
    expect(pLarge.ppl).toBeLessThan(pUni.ppl * 0.6);
    expect(pLarge.ppl).toBeLessThan(pSmall.ppl);
  });

  it('held-out word text: the trigram beats the unigram', () => {
    const heldOut = wordSentences(300, 77);
    const tri = perplexity(trainNgram(wordSentences(2000, 5), { order: 3 }), heldOut);
    const uni = perplexity(trainNgram(wordSentences(2000, 5), { order: 1 }), heldOut);
    console.log(`held-out word perplexity: trigram ${tri.ppl.toFixed(3)}, unigram ${uni.ppl.toFixed(3)}`);
    expect(tri.ppl).toBeLessThan(uni.ppl);
  });
});

describe('readSentencesFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldphone-lmtext-'));
  });

  it('reads one sentence per line, skips blank lines, normalises to NFC', () => {
    const path = join(dir, 'ok.txt');
    writeFileSync(path, '\uFEFFa b\r\n\n  c\t d  \ne\u0301\n');
    expect(readSentencesFile(path)).toEqual([['a', 'b'], ['c', 'd'], ['\u00e9']]);
  });

  it('names the file and line of a bad token', () => {
    const path = join(dir, 'bad.txt');
    writeFileSync(path, 'a b\n\nc </s> d\n');
    expect(() => readSentencesFile(path)).toThrow(/bad\.txt: line 3: token <\/s> is reserved/);
    writeFileSync(join(dir, 'blank.txt'), '\n \n');
    expect(() => readSentencesFile(join(dir, 'blank.txt'))).toThrow(/blank\.txt: contains no sentences/);
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x61, 0x20, 0xe9, 0x0a]));
    expect(() => readSentencesFile(join(dir, 'latin1.txt'))).toThrow(/latin1\.txt: not valid UTF-8/);
  });
});
