/**
 * espeak-ng through its WebAssembly build (@echogarden/espeak-ng-emscripten):
 * phonemization in ~140 languages and speech synthesis, with nothing to
 * install beyond `npm install`.
 *
 * Licence: espeak-ng and this wasm build are GPL-3.0; fieldphone is
 * GPL-3.0-or-later, so linking them is compatible. Anyone redistributing
 * fieldphone with this module must keep it under the GPL.
 */
import type { EspeakModule, EspeakNGWorker } from '@echogarden/espeak-ng-emscripten';
import { MissingToolError, UsageError, errorMessage } from '../util/errors.js';
import type { Phonemizer } from './phonemizer.js';
import { graphemeClusters } from './graphemes.js';

interface Engine {
  module: EspeakModule;
  worker: EspeakNGWorker;
}

let engine: Promise<Engine> | undefined;

/** Load the wasm module once per process (~0.3 s); every voice shares one worker. */
function loadEngine(): Promise<Engine> {
  engine ??= (async () => {
    try {
      const { default: init } = await import('@echogarden/espeak-ng-emscripten');
      const module = await init();
      return { module, worker: new module.eSpeakNGWorker() };
    } catch (e) {
      engine = undefined;
      throw new MissingToolError(
        `espeak-ng (npm package @echogarden/espeak-ng-emscripten) could not be loaded: ${errorMessage(e)}. Reinstall fieldphone with npm install.`,
      );
    }
  })();
  return engine;
}

function selectVoice(worker: EspeakNGWorker, voice: string): void {
  if (worker.set_voice(voice) !== 0) {
    throw new UsageError(`espeak-ng has no voice "${voice}"; run \`fieldphone phonemize --list-voices\` to see the voice and language codes`);
  }
}

export interface EspeakVoice {
  /** Voice file id, e.g. "zlw/cs". */
  id: string;
  name: string;
  /** Language codes this voice answers to, e.g. ["cs"]. */
  languages: string[];
}

export async function listEspeakVoices(): Promise<EspeakVoice[]> {
  const { worker } = await loadEngine();
  return worker.list_voices().map((v) => ({ id: v.identifier, name: v.name, languages: v.languages.map((l) => l.name) }));
}

const decoder = new TextDecoder();

function phonemesOf(e: Engine, text: string): string {
  const ptr = e.worker.convert_to_phonemes(text, true).ptr;
  // Read HEAPU8 after the call: memory growth replaces the buffer.
  const heap = e.module.HEAPU8;
  return decoder.decode(heap.subarray(ptr, heap.indexOf(0, ptr)));
}

// Clauses come back separated by " | ", phones by "_", words by spaces.
const CLAUSE_SEPARATOR = ' | ';
// "(en)" ... "(cs)" mark a switch to another language's rules for a loanword.
const LANGUAGE_FLAG = /\([a-z]{2,3}(?:-[a-z0-9]+)*\)/gi;
const STRESS = /[ˈˌ]/g;

/** Phones of espeak's IPA output: stress and language flags removed, length marks and ties kept on their phone. */
export function parseEspeakIpa(ipa: string): string[] {
  return ipa
    .replace(LANGUAGE_FLAG, ' ')
    .replace(STRESS, '')
    .split(/[\s_|]+/u)
    .filter((p) => p.length > 0);
}

/** A lone letter ends its clause when phonemized on its own, and espeak then reads the letter's name ("s" → "es"). */
function isSingleLetter(word: string): boolean {
  return graphemeClusters(word).length === 1 && /^\p{L}/u.test(word);
}

// Words per espeak call: large enough to amortise the call, small enough to keep one bad word's fallback cheap.
const BATCH = 500;

export interface EspeakPhonemizer extends Phonemizer {
  /** Word types phonemized so far (each is phonemized once). */
  readonly cacheSize: number;
}

export async function espeakPhonemizer(language: string): Promise<EspeakPhonemizer> {
  const e = await loadEngine();
  selectVoice(e.worker, language);
  const lang = language.toLowerCase();
  const info = e.worker
    .list_voices()
    .find((v) => v.identifier.toLowerCase() === lang || v.name.toLowerCase() === lang || v.languages.some((l) => l.name === lang));
  const cache = new Map<string, string[] | null>();

  const toPhones = (clauseIpa: string): string[] | null => {
    const phones = parseEspeakIpa(clauseIpa);
    return phones.length > 0 ? phones : null;
  };

  // Carrier "s s": the first "s" is read as a word because it no longer ends the clause.
  // Proclitics such as Czech "o" fuse with the next word ("o o" → "o_o"); then take half.
  const phonemizeLetter = (word: string): string[] | null => {
    const groups = phonemesOf(e, `${word} ${word}`).trim().split(/\s+/u);
    if (groups.length === 2) return toPhones(groups[0]);
    const fused = parseEspeakIpa(groups.join(' '));
    const half = fused.length / 2;
    if (groups.length === 1 && half >= 1 && fused.slice(0, half).join(' ') === fused.slice(half).join(' ')) return fused.slice(0, half);
    return toPhones(phonemesOf(e, word));
  };

  const phonemizeBatch = (words: string[]): void => {
    const plain = words.filter((w) => !isSingleLetter(w));
    // A blank line ends a clause, so each word is phonemized alone. If espeak ever splits a
    // word into two clauses the counts disagree and those words are redone one by one.
    const clauses = plain.length > 0 ? phonemesOf(e, plain.join('\n\n')).split(CLAUSE_SEPARATOR) : [];
    const aligned = clauses.length === plain.length;
    plain.forEach((w, i) => cache.set(w, toPhones(aligned ? clauses[i] : phonemesOf(e, w))));
    for (const w of words) if (isSingleLetter(w)) cache.set(w, phonemizeLetter(w));
  };

  return {
    name: `espeak-ng:${language}`,
    description: info
      ? `espeak-ng voice ${info.name} (${info.identifier}), IPA without stress marks`
      : `espeak-ng voice ${language}, IPA without stress marks`,
    get cacheSize() {
      return cache.size;
    },
    async phonemizeWords(words: string[]) {
      const todo = [...new Set(words.filter((w) => !cache.has(w) && w.trim().length > 0 && !w.includes('\n')))];
      if (todo.length > 0) {
        // The worker is shared by all voices: select ours before every use.
        selectVoice(e.worker, language);
        for (let i = 0; i < todo.length; i += BATCH) phonemizeBatch(todo.slice(i, i + BATCH));
      }
      return words.map((w) => cache.get(w) ?? null);
    },
  };
}

export interface SynthesisOptions {
  /** espeak-ng voice or language code. */
  voice: string;
  /** Words per minute, 80–450 (espeak default 175). */
  rate?: number;
  /** Base pitch, 0–99 (default 50). */
  pitch?: number;
  /** Pitch range, 0–99 (default 50; 0 is monotone). */
  pitchRange?: number;
}

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Speak `text` with espeak-ng; mono samples in [-1, 1] at espeak's rate (22050 Hz). */
export async function espeakSynthesize(text: string, opts: SynthesisOptions): Promise<{ samples: Float32Array; sampleRate: number }> {
  const { worker } = await loadEngine();
  selectVoice(worker, opts.voice);
  worker.set_rate(checkRange('rate', opts.rate ?? 175, 80, 450));
  worker.set_pitch(checkRange('pitch', opts.pitch ?? 50, 0, 99));
  worker.set_range(checkRange('pitch range', opts.pitchRange ?? 50, 0, 99));
  const chunks: Int16Array[] = [];
  worker.synthesize(text, (chunk) => {
    chunks.push(chunk);
    return false;
  });
  const samples = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) samples[off + i] = c[i] / 32768;
    off += c.length;
  }
  return { samples, sampleRate: worker.get_samplerate() };
}
