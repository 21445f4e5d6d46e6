/**
 * A small stochastic grammar over Czech-like words, written out as phones with <SIL>
 * inserted like wav2vec-U's text preparation (always around the sentence, p = 0.25
 * between words). Gives LM tests text with real structure at both the phone and word level.
 */
import { makeRng, type Rng } from '../../src/util/rng.js';

const LEX: Record<string, string[]> = {
  adj: ['m a l iː', 'v ɛ l k iː', 'n o v iː', 's t a r iː', 'd o b r iː', 'ʧ ɛ r v ɛ n iː'],
  noun: ['p ɛ s', 'k o ʧ k a', 'd uː m', 'm ɲ ɛ s t o', 'ʒ ɛ n a', 'm u ʒ', 'r ɛ k a', 'l ɛ s', 'x l ɛ b', 'v o d a', 'k r aː l', 'd iː t j ɛ'],
  verb: ['v i d iː', 'm aː', 'x t ʃ ɛ', 'j iː', 'n ɛ s ɛ', 'h l ɛ d aː', 'm i l u j ɛ', 'p i j ɛ'],
  prep: ['v', 'n a', 'p o d', 'z a', 's'],
};

function pick(rng: Rng, words: string[]): string {
  // Zipf-like: earlier words are more frequent.
  const weights = words.map((_, i) => 1 / (i + 1));
  let r = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < words.length; i++) if ((r -= weights[i]) < 0) return words[i];
  return words[words.length - 1];
}

function nounPhrase(rng: Rng): string[] {
  return rng.next() < 0.4 ? [pick(rng, LEX.adj), pick(rng, LEX.noun)] : [pick(rng, LEX.noun)];
}

export function grammarWords(rng: Rng): string[] {
  const s = [...nounPhrase(rng), pick(rng, LEX.verb), ...nounPhrase(rng)];
  if (rng.next() < 0.3) s.push(pick(rng, LEX.prep), ...nounPhrase(rng));
  return s;
}

/** Phone sentences: <SIL> word (<SIL>?) word … <SIL>. */
export function phoneSentences(n: number, seed: number): string[][] {
  const rng = makeRng(seed);
  const out: string[][] = [];
  for (let k = 0; k < n; k++) {
    const words = grammarWords(rng);
    const phones = ['<SIL>'];
    words.forEach((w, i) => {
      if (i > 0 && rng.next() < 0.25) phones.push('<SIL>');
      phones.push(...w.split(' '));
    });
    phones.push('<SIL>');
    out.push(phones);
  }
  return out;
}

/** Word sentences (words written with their phones joined, e.g. 'pɛs'). */
export function wordSentences(n: number, seed: number): string[][] {
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => grammarWords(rng).map((w) => w.replace(/ /g, '')));
}
