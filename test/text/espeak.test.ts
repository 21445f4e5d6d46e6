import { describe, it, expect } from 'vitest';
import { espeakPhonemizer, espeakSynthesize, listEspeakVoices, parseEspeakIpa } from '../../src/text/index.js';
import { UsageError } from '../../src/util/errors.js';

describe('parseEspeakIpa', () => {
  it('drops stress marks and language-switch flags, keeps length marks and affricates on their phone', () => {
    expect(parseEspeakIpa('(en)_w_iː_k_ˈɛ_n_d_(fr)')).toEqual(['w', 'iː', 'k', 'ɛ', 'n', 'd']);
    expect(parseEspeakIpa('tʃ_t_ˈi_r̝_i s_ ˌaː__')).toEqual(['tʃ', 't', 'i', 'r̝', 'i', 's', 'aː']);
  });
});

describe('espeak-ng phonemizer (wasm)', () => {
  it('phonemizes Czech words to IPA phones (checked against espeak-ng cs output)', async () => {
    const p = await espeakPhonemizer('cs');
    const out = await p.phonemizeWords(['dobrý', 'den', 'řeka', 'chléb', 'čtyři', 'kůň']);
    expect(out).toEqual([
      ['d', 'o', 'b', 'r', 'iː'],
      ['d', 'e', 'n'],
      ['r̝', 'e', 'k', 'a'],
      ['x', 'l', 'eː', 'p'],
      ['tʃ', 't', 'i', 'r̝', 'i'],
      ['k', 'uː', 'ɲ'],
    ]);
    expect(p.description).toContain('Czech');
  });

  it('reads one-letter words as words, not letter names ("s" is /s/, not /es/)', async () => {
    const p = await espeakPhonemizer('cs');
    const [s, v, k, o] = await p.phonemizeWords(['s', 'v', 'k', 'o']);
    expect(s).toEqual(['s']);
    expect(v).toEqual(['v']);
    expect(k).toEqual(['k']);
    // Alone, "o" is the letter name /oː/; as a preposition it is /o/.
    expect(o).toEqual(['o']);
  });

  it('reads digits as number words and removes language flags from loanwords', async () => {
    const cs = await espeakPhonemizer('cs');
    const [n] = await cs.phonemizeWords(['123']);
    // "sto dvacet tři": one word of the input, three words spoken.
    expect(n!.join('')).toBe('stodvatsettr̝̊i');
    const fr = await espeakPhonemizer('fr');
    const [weekend] = await fr.phonemizeWords(['weekend']);
    expect(weekend!.some((ph) => ph.includes('('))).toBe(false);
    expect(weekend!.length).toBeGreaterThan(3);
  });

  it('phonemizes each word type once and serves repeats from its cache', async () => {
    const p = await espeakPhonemizer('cs');
    const first = await p.phonemizeWords(['máte', 'jak', 'máte']);
    expect(p.cacheSize).toBe(2);
    expect(first[0]).toEqual(first[2]);
    const again = await p.phonemizeWords(['jak', 'máte']);
    expect(p.cacheSize).toBe(2);
    expect(again).toEqual([first[1], first[0]]);
  });

  it('gives the same result in a large batch as word by word', async () => {
    const p = await espeakPhonemizer('cs');
    const words = Array.from({ length: 700 }, (_, i) => `slovo${'abcdefghij'[i % 10]}${'klmnoprstu'[Math.floor(i / 10) % 10]}${i >= 100 ? 'ová' : ''}`);
    const batched = await p.phonemizeWords(words);
    const single = await espeakPhonemizer('cs');
    for (const i of [0, 99, 350, 699]) expect(await single.phonemizeWords([words[i]])).toEqual([batched[i]]);
  });

  it('returns null for words with nothing to pronounce', async () => {
    const p = await espeakPhonemizer('cs');
    expect(await p.phonemizeWords(["'", 'den', ''])).toEqual([null, ['d', 'e', 'n'], null]);
  });

  it('keeps voices apart when two phonemizers share the engine', async () => {
    const cs = await espeakPhonemizer('cs');
    const en = await espeakPhonemizer('en-us');
    const [csChurch] = await cs.phonemizeWords(['church']);
    const [enChurch] = await en.phonemizeWords(['church']);
    expect(enChurch![0]).toBe('tʃ');
    expect(csChurch).not.toEqual(enChurch);
  });

  it('rejects an unknown voice with a usage error that says how to list voices', async () => {
    await expect(espeakPhonemizer('xx-nonexistent')).rejects.toThrow(UsageError);
    await expect(espeakPhonemizer('xx-nonexistent')).rejects.toThrow(/--list-voices/);
  });

  it('lists voices with their language codes', async () => {
    const voices = await listEspeakVoices();
    expect(voices.length).toBeGreaterThan(50);
    expect(voices.find((v) => v.languages.includes('cs'))?.name).toBe('Czech');
  });
});

describe('espeakSynthesize', () => {
  const rms = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);

  it('produces audible speech whose length grows with the text', async () => {
    const short = await espeakSynthesize('Dobrý den.', { voice: 'cs' });
    const long = await espeakSynthesize('Dobrý den. Dobrý den. Dobrý den.', { voice: 'cs' });
    expect(short.sampleRate).toBe(22050);
    const sec = short.samples.length / short.sampleRate;
    expect(sec).toBeGreaterThan(0.3);
    expect(sec).toBeLessThan(2);
    expect(rms(short.samples)).toBeGreaterThan(0.02);
    expect(Math.max(...short.samples.map(Math.abs))).toBeLessThanOrEqual(1);
    const ratio = long.samples.length / short.samples.length;
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThan(4);
  });

  it('speaks faster at a higher rate', async () => {
    const slow = await espeakSynthesize('Dobrý den, jak se máte?', { voice: 'cs', rate: 120 });
    const fast = await espeakSynthesize('Dobrý den, jak se máte?', { voice: 'cs', rate: 300 });
    expect(fast.samples.length).toBeLessThan(0.7 * slow.samples.length);
  });

  it('rejects out-of-range settings and unknown voices', async () => {
    await expect(espeakSynthesize('a', { voice: 'cs', pitch: 150 })).rejects.toThrow(/pitch must be between 0 and 99/);
    await expect(espeakSynthesize('a', { voice: 'nope-zz' })).rejects.toThrow(UsageError);
  });
});
