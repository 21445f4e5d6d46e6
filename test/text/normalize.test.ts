import { describe, it, expect } from 'vitest';
import { normalizeText, splitWords } from '../../src/text/index.js';

describe('normalizeText', () => {
  it('keeps Czech letters with diacritics, lower-cases and removes punctuation', () => {
    expect(normalizeText('Příliš žluťoučký kůň úpěl ďábelské ódy!')).toBe('příliš žluťoučký kůň úpěl ďábelské ódy');
  });

  it('composes NFD input to NFC', () => {
    const nfd = 'Pr\u030Ci\u0301lis\u030C'; // "Příliš" with combining háček and acute
    const out = normalizeText(nfd);
    expect(out).toBe('p\u0159\u00EDli\u0161');
    expect(out.length).toBe(6);
  });

  it('turns punctuation and symbols into single spaces', () => {
    expect(normalizeText('  Hello,   world!  (test) — «quoted»… 50% @home  ')).toBe('hello world test quoted 50 home');
  });

  it('keeps apostrophes inside words only, and maps the typographic apostrophe to ASCII', () => {
    expect(normalizeText("Don't 'quote' me")).toBe("don't quote me");
    expect(normalizeText('rock’n’roll')).toBe("rock'n'roll");
    expect(normalizeText("don't", { keepApostrophe: false })).toBe('don t');
  });

  it('keeps hyphens inside words only', () => {
    expect(normalizeText('well-known - dash -edge edge- 12-year-old')).toBe('well-known dash edge edge 12-year-old');
    expect(normalizeText('well-known', { keepHyphen: false })).toBe('well known');
  });

  it('keeps digits by default and drops words containing digits on request', () => {
    expect(normalizeText('Mám 3 kočky a 12-letého psa')).toBe('mám 3 kočky a 12-letého psa');
    expect(normalizeText('Mám 3 kočky a 12-letého psa', { digits: 'drop' })).toBe('mám kočky a psa');
  });

  it('keeps case when asked', () => {
    expect(normalizeText('Dobrý Den', { lowercase: false })).toBe('Dobrý Den');
  });

  it('keeps modifier letters under NFC but NFKC folds them', () => {
    expect(normalizeText('kʼa tʰa')).toBe('kʼa tʰa');
    expect(normalizeText('tʰa ﬁne', { unicodeForm: 'NFKC' })).toBe('tha fine');
  });

  it('keeps zero-width non-joiner inside Persian words', () => {
    expect(normalizeText('می\u200Cخواهم.')).toBe('می\u200Cخواهم');
  });
});

describe('splitWords', () => {
  it('splits on whitespace and ignores empty strings', () => {
    expect(splitWords('a  b\tc ')).toEqual(['a', 'b', 'c']);
    expect(splitWords('')).toEqual([]);
  });
});
