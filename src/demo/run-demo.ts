/**
 * `fieldphone demo`: the whole pipeline on built-in data, in one folder.
 * Every step resumes: re-running after an interruption continues where it stopped.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareAudio, type PrepareAudioResult } from '../pipeline/prepare-audio.js';
import { prepareText, type PrepareTextResult } from '../pipeline/prepare-text.js';
import { readJson } from '../util/fsx.js';
import { log } from '../util/log.js';
import type { Manifest } from '../util/manifest.js';
import { buildSyntheticCorpus, DEFAULT_SYNTHETIC_CORPUS, type SyntheticCorpusConfig } from './synthetic-corpus.js';

export interface DemoResult {
  workDir: string;
  corpus: { train: number; test: number; textSentences: number };
  audioTrain: PrepareAudioResult;
  audioTest: PrepareAudioResult;
  text: Pick<PrepareTextResult, 'sentences' | 'units' | 'stats'>;
  seconds: number;
}

export async function runDemo(opts: { workDir: string; corpus?: Partial<SyntheticCorpusConfig> }): Promise<DemoResult> {
  const t0 = Date.now();
  const workDir = resolve(opts.workDir);
  const cfg = { ...DEFAULT_SYNTHETIC_CORPUS, ...opts.corpus };
  log.info(`[1/4] synthetic corpus (espeak-ng, ${cfg.language})`);
  const corpus = await buildSyntheticCorpus(join(workDir, 'corpus'), cfg);

  log.info('[2/4] prepare-audio: training recordings');
  const audioTrain = await prepareAudio({ inputs: [join(workDir, 'corpus/train/wav.list')], outDir: join(workDir, 'audio-train') });
  log.info('[3/4] prepare-audio: held-out recordings, processed like the training ones');
  const audioTest = await prepareAudio({ inputs: [join(workDir, 'corpus/test/wav.list')], outDir: join(workDir, 'audio-test'), reuse: join(workDir, 'audio-train') });

  log.info('[4/4] prepare-text: the unpaired text side');
  const textDir = join(workDir, 'text');
  let text: DemoResult['text'];
  if (existsSync(join(textDir, 'manifest.json'))) {
    const m = readJson<Manifest>(join(textDir, 'manifest.json'));
    const inv = readJson<{ units: string[] }>(join(textDir, 'inventory.json'));
    text = { sentences: Number(m.stats?.sentences), units: inv.units, stats: m.stats as Record<string, number> };
    log.info(`${textDir}: already prepared`);
  } else {
    text = await prepareText({ textFiles: [corpus.textFile], outDir: textDir, config: { phonemizer: { kind: 'espeak', language: cfg.language } } });
  }
  return {
    workDir,
    corpus: { train: corpus.train.length, test: corpus.test.length, textSentences: cfg.textSentences },
    audioTrain,
    audioTest,
    text,
    seconds: (Date.now() - t0) / 1000,
  };
}
