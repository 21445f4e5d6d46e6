/**
 * The demo's corpus, built from the built-in English sentences
 * (data/demo/sentences.txt): the audio side is speech synthesised by espeak-ng
 * in several voices, rates and pitches; the text side is a disjoint set of
 * sentences. Reference phones for the audio come from the same espeak-ng
 * phonemizer, so PER against them measures the model, not the phonemizer.
 *
 * Layout (the same data-folder layout as the Czech corpus):
 *   <dir>/wav/<id>.wav, <dir>/train/{wav.list,text,words,phones}, <dir>/test/…, <dir>/text.txt
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resample, writeWav } from '../audio/index.js';
import { writeDataFolder, type CorpusUtterance } from '../corpus/index.js';
import { espeakPhonemizer, espeakSynthesize, normalizeText, readUserLines, splitWords } from '../text/index.js';
import { writeFileAtomic } from '../util/fsx.js';
import { log } from '../util/log.js';
import { startProgress } from '../util/progress.js';
import { makeRng } from '../util/rng.js';

export interface SyntheticCorpusConfig {
  language: string;
  /** espeak-ng voice variants appended to the language ('' = the default voice). */
  variants: string[];
  trainUtterances: number;
  testUtterances: number;
  /** Sentences for the text side (never spoken in the audio). */
  textSentences: number;
  seed: number;
}

export const DEFAULT_SYNTHETIC_CORPUS: SyntheticCorpusConfig = {
  language: 'en-us',
  variants: ['', '+f3', '+m3', '+f2', '+m7'],
  trainUtterances: 500,
  testUtterances: 60,
  textSentences: 3000,
  seed: 11,
};

/** The built-in sentence file shipped in the package. */
export function builtInSentencesPath(): string {
  // src/demo → repo root (vitest) or dist/src/demo → repo root (built)
  for (const up of ['../..', '../../..']) {
    const p = fileURLToPath(new URL(`${up}/data/demo/sentences.txt`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('data/demo/sentences.txt is missing from the installation');
}

/**
 * Build (or finish building) the corpus in `dir`. WAVs already present are
 * kept, so an interrupted build resumes.
 */
export async function buildSyntheticCorpus(dir: string, cfg: SyntheticCorpusConfig = DEFAULT_SYNTHETIC_CORPUS): Promise<{ train: CorpusUtterance[]; test: CorpusUtterance[]; textFile: string }> {
  const sentences = readUserLines(builtInSentencesPath()).filter((l) => l.trim().length > 0);
  const nAudio = cfg.trainUtterances + cfg.testUtterances;
  if (nAudio + cfg.textSentences > sentences.length)
    throw new Error(`the built-in text has ${sentences.length} sentences; ${nAudio + cfg.textSentences} were asked for`);
  const audioSentences = sentences.slice(0, nAudio);
  const textSentences = sentences.slice(nAudio, nAudio + cfg.textSentences);

  const phonemizer = await espeakPhonemizer(cfg.language);
  const words = audioSentences.map((s) => splitWords(normalizeText(s)));
  const types = [...new Set(words.flat())];
  const prons = new Map<string, string[] | null>();
  (await phonemizer.phonemizeWords(types)).forEach((p, i) => prons.set(types[i], p));

  const rng = makeRng(cfg.seed);
  const utts: CorpusUtterance[] = [];
  const bar = startProgress('synthesising demo speech', nAudio);
  for (let i = 0; i < nAudio; i++) {
    const variant = cfg.variants[i % cfg.variants.length];
    // Draw the prosody for every utterance, even ones already on disk, so a resumed build stays identical.
    const rate = 140 + rng.int(60);
    const pitch = 30 + rng.int(40);
    const id = `demo${String(i).padStart(4, '0')}`;
    const wav = join(dir, 'wav', `${id}.wav`);
    if (!existsSync(wav)) {
      const speech = await espeakSynthesize(audioSentences[i], { voice: cfg.language + variant, rate, pitch });
      writeWav(wav, { samples: resample(speech.samples, speech.sampleRate, 16000), sampleRate: 16000 });
    }
    const phones = words[i].flatMap((w) => prons.get(w) ?? []);
    utts.push({ id, wav, text: audioSentences[i], words: words[i], phones });
    bar.tick(1);
  }
  bar.stop();
  const train = utts.slice(0, cfg.trainUtterances);
  const test = utts.slice(cfg.trainUtterances);
  writeDataFolder(join(dir, 'train'), train);
  writeDataFolder(join(dir, 'test'), test);
  const textFile = join(dir, 'text.txt');
  writeFileAtomic(textFile, textSentences.join('\n') + '\n');
  log.info(`demo corpus: ${train.length} training and ${test.length} test recordings (${cfg.variants.length} voices), ${textSentences.length} text sentences in ${dir}`);
  return { train, test, textFile };
}
