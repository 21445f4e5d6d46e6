/**
 * A tiny synthetic recording corpus for the prepare-audio end-to-end tests:
 * speech-like WAVs (syllables of harmonic tones with formant-like peaks and
 * noise-burst "consonants", separated by pauses) plus the kinds of broken file
 * field linguists actually hand in. The WAV bytes are written here, not by the
 * code under test, so header damage can be placed exactly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRng, type Rng } from '../../src/util/rng.js';

/** 16-bit PCM WAV bytes for one or more equally long channels. */
export function wavBytes(channels: Float32Array[], rate: number): Uint8Array {
  const n = channels[0].length;
  const nch = channels.length;
  const dataBytes = n * nch * 2;
  const out = new Uint8Array(44 + dataBytes);
  const v = new DataView(out.buffer);
  const str = (p: number, s: string) => [...s].forEach((c, i) => (out[p + i] = c.charCodeAt(0)));
  str(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, nch, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * nch * 2, true);
  v.setUint16(32, nch * 2, true);
  v.setUint16(34, 16, true);
  str(36, 'data');
  v.setUint32(40, dataBytes, true);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < nch; c++) v.setInt16(44 + (i * nch + c) * 2, Math.max(-32768, Math.min(32767, Math.round(channels[c][i] * 32767))), true);
  return out;
}

/**
 * `seconds` of speech-like signal: 2–4 "words" of 2–3 syllables. A syllable is
 * a noise burst (consonant) then a vowel of f0 harmonics weighted by two
 * formant peaks, under a raised-cosine envelope; words are separated by pauses
 * with faint background noise, so the VAD has something to remove.
 */
export function speechLike(rate: number, seconds: number, rng: Rng): Float32Array {
  const x = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < x.length; i++) x[i] = 0.002 * rng.normal();
  let t = 0.15 + 0.1 * rng.next();
  while (t < seconds - 0.4) {
    const syllables = 2 + rng.int(2);
    for (let s = 0; s < syllables && t < seconds - 0.3; s++) {
      const consonant = 0.03 + 0.05 * rng.next();
      const vowel = 0.1 + 0.12 * rng.next();
      const f0 = 100 + 80 * rng.next();
      const [f1, f2] = [300 + 500 * rng.next(), 900 + 1500 * rng.next()];
      const start = Math.round(t * rate);
      const cEnd = start + Math.round(consonant * rate);
      const vEnd = cEnd + Math.round(vowel * rate);
      for (let i = start; i < cEnd && i < x.length; i++) x[i] += 0.15 * rng.normal() * Math.sin((Math.PI * (i - start)) / (cEnd - start));
      for (let i = cEnd; i < vEnd && i < x.length; i++) {
        const tt = (i - cEnd) / rate;
        let y = 0;
        for (let h = 1; h * f0 < Math.min(4000, rate / 2 - 200); h++) {
          const f = h * f0;
          const gain = Math.exp(-(((f - f1) / 150) ** 2)) + 0.6 * Math.exp(-(((f - f2) / 250) ** 2)) + 0.02;
          y += gain * Math.sin(2 * Math.PI * f * tt);
        }
        x[i] += 0.25 * y * (0.5 - 0.5 * Math.cos((2 * Math.PI * (i - cEnd)) / (vEnd - cEnd)));
      }
      t += consonant + vowel;
    }
    t += 0.15 + 0.2 * rng.next(); // pause between words
  }
  return x;
}

export interface FixtureCorpus {
  root: string;
  /** Files that must end up as utterances, by utterance id. */
  good: Record<string, string>;
  /** Files that must be skipped, with the skipped.tsv code each must get. */
  bad: { path: string; code: string; reason: RegExp }[];
  /** A WAV whose header announces more data than is present (cut inside the data): kept, with a warning. */
  truncatedData: string;
}

/**
 * Writes the corpus under `root`: two speakers' folders of good recordings
 * (22.05 kHz stereo and 16 kHz mono, to exercise down-mixing and resampling)
 * and the broken files.
 */
export function writeFixtureCorpus(root: string, seed = 7): FixtureCorpus {
  const rng = makeRng(seed);
  const [a, b] = [join(root, 'anna'), join(root, 'boris')];
  mkdirSync(a, { recursive: true });
  mkdirSync(b, { recursive: true });
  const good: Record<string, string> = {};
  const put = (dir: string, id: string, bytes: Uint8Array | string) => {
    const p = join(dir, `${id}.wav`);
    writeFileSync(p, bytes);
    return p;
  };
  const stereo = (seconds: number) => {
    const l = speechLike(22050, seconds, rng);
    const r = l.map((v, i) => 0.8 * v + 0.01 * Math.sin(i / 7));
    return wavBytes([l, r], 22050);
  };
  good['anna-01'] = put(a, 'anna-01', stereo(1.6));
  good['anna-02'] = put(a, 'anna-02', stereo(1.3));
  good['boris-01'] = put(b, 'boris-01', wavBytes([speechLike(16000, 1.8, rng)], 16000));
  good['boris-02'] = put(b, 'boris-02', wavBytes([speechLike(16000, 1.2, rng)], 16000));

  const full = wavBytes([speechLike(16000, 1.5, rng)], 16000);
  const truncatedData = put(b, 'boris-cut', full.subarray(0, 44 + 2 * Math.round(16000 * 0.9)));
  good['boris-cut'] = truncatedData;

  const bad = [
    { path: put(a, 'anna-header-cut', full.subarray(0, 30)), code: 'corrupt', reason: /damaged or was cut off/ },
    { path: put(a, 'anna-empty', new Uint8Array(0)), code: 'empty', reason: /empty \(0 bytes\)/ },
    { path: put(b, 'boris-notes', 'Boris, session 2: the recorder batteries died.\nRe-record tomorrow.\n'), code: 'unsupported-format', reason: /text file, not audio/ },
    { path: put(b, 'boris-click', wavBytes([speechLike(16000, 0.01, rng)], 16000)), code: 'too-short', reason: /only 10 ms long/ },
  ];
  return { root, good, bad, truncatedData };
}

/** More recordings for --reuse: new audio, plus a byte copy of one training file. */
export function writeHeldOutCorpus(root: string, copyOf: string, copyBytes: Uint8Array, seed = 11): string[] {
  const rng = makeRng(seed);
  mkdirSync(root, { recursive: true });
  const paths = [join(root, 'held-01.wav'), join(root, 'held-02.wav'), join(root, `${copyOf}.wav`)];
  writeFileSync(paths[0], wavBytes([speechLike(16000, 1.4, rng)], 16000));
  writeFileSync(paths[1], wavBytes([speechLike(44100, 1.1, rng)], 44100));
  writeFileSync(paths[2], copyBytes);
  return paths;
}
