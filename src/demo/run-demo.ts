/**
 * `fieldphone demo`: the whole pipeline on built-in data, in one folder.
 * Every step resumes: re-running after an interruption continues where it stopped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareAudio, type PrepareAudioResult } from '../pipeline/prepare-audio.js';
import { prepareText, type PrepareTextResult } from '../pipeline/prepare-text.js';
import { readJson, writeJsonAtomic } from '../util/fsx.js';
import { readTranscriptFile, scoreCorpus } from '../scoring/index.js';
import { SIL } from '../text/index.js';
import type { GanConfigOverrides } from '../train/config.js';
import { RUN_FILES, trainGan, type ValidationResult } from '../train/run.js';
import { DEFAULT_DECIPHER } from '../decipher/index.js';
import { selfTrain, type RoundMetrics } from '../selftrain/run.js';
import { DEFAULT_REGENERATE_SETTINGS, type SelfTrainConfig } from '../selftrain/config.js';
import { transcribeBatch } from '../transcribe/transcribe.js';
import { log } from '../util/log.js';
import type { Manifest } from '../util/manifest.js';
import { buildSyntheticCorpus, DEFAULT_SYNTHETIC_CORPUS, type SyntheticCorpusConfig } from './synthetic-corpus.js';

export interface DemoResult {
  training?: { seconds: number; bestUpdate?: number; selection?: ValidationResult };
  /** Self-training from the trained generator: every round's metrics and the one the label-free score kept. */
  selfTraining?: { rounds: RoundMetrics[]; chosenRound: number; seconds: number };
  /** PER of the held-out recordings against the synthesis phones (<SIL> excluded). */
  testPer?: number;
  testScores?: { sub: number; del: number; ins: number; refLen: number };
  workDir: string;
  corpus: { train: number; test: number; textSentences: number };
  audioTrain: PrepareAudioResult;
  audioTest: PrepareAudioResult;
  text: Pick<PrepareTextResult, 'sentences' | 'units' | 'stats'>;
  seconds: number;
}

/**
 * Training settings of the demo: decipherment of change-point segments gives every segment a
 * first label, and the generator learns from those labels while its outputs' phone bigrams and
 * frequent trigrams are pulled towards the text's. Decipherment maps whole clusters, so an
 * impure cluster is wrong everywhere; the generator sees each segment's features and its
 * neighbours, and the n-gram terms let it depart from the labels where the text disagrees
 * (demo corpus: 60.0 % PER on held-out training audio against 66.7 % from the labels alone;
 * docs/results.md). The adversarial recipe alone does not learn on this corpus. Small and
 * fast enough for two CPU cores.
 */
export const DEMO_GAN_CONFIG: GanConfigOverrides = {
  input: { kind: 'change' },
  decipher: { ...DEFAULT_DECIPHER, clusterings: 4, restarts: 4 },
  loss: { teacher: 1, bigram: 1, trigram: 1, adversarial: 0, smoothness: 0, diversity: 0, aux: 0 },
  batchSize: 32,
  maxSteps: 200,
  updates: 800,
  validEvery: 100,
};

/**
 * Self-training of the demo: six HMM rounds on the generator's transcription; rounds 2 to 5
 * start from a generator re-trained on the previous round's labels plus the text's n-gram
 * statistics. The HMM rounds settle on their own labels; the re-trained generator moves them
 * toward the text. Held-out PER after round 6 (docs/results.md, "Seventh round"): re-training
 * before rounds 3–5 gave 23.7 / 31.3 / 22.9 % on three syntheses, against 29.1 (round 4) /
 * 36.6 / 30.5 % without it; re-training before round 2 as well gave 29.6 / 21.2 % on the last
 * two, for about a minute more. Round 6 follows the last re-training so that the label-free
 * score, which compares a round with the labels it started from, sees the gain. No
 * re-decipherment: from the generator trained with the n-gram terms it hurt as often as it
 * helped (four syntheses: 39.5 / 40.0 / 53.3 / 32.1 % without it after round 4, 38.0 / 51.4 /
 * 46.1 / 40.2 % with it).
 */
export const DEMO_SELF_TRAIN: Partial<SelfTrainConfig> = { rounds: 6, redecipher: null, regenerate: { ...DEFAULT_REGENERATE_SETTINGS, before: [2, 3, 4, 5] } };

export async function runDemo(opts: { workDir: string; corpus?: Partial<SyntheticCorpusConfig>; gan?: GanConfigOverrides; train?: boolean }): Promise<DemoResult> {
  const t0 = Date.now();
  const workDir = resolve(opts.workDir);
  const cfg = { ...DEFAULT_SYNTHETIC_CORPUS, ...opts.corpus };
  log.info(`[1/8] synthetic corpus (espeak-ng, ${cfg.language})`);
  const corpus = await buildSyntheticCorpus(join(workDir, 'corpus'), cfg);

  log.info('[2/8] prepare-audio: training recordings');
  const audioTrain = await prepareAudio({ inputs: [join(workDir, 'corpus/train/wav.list')], outDir: join(workDir, 'audio-train') });
  log.info('[3/8] prepare-audio: held-out recordings, processed like the training ones');
  const audioTest = await prepareAudio({ inputs: [join(workDir, 'corpus/test/wav.list')], outDir: join(workDir, 'audio-test'), reuse: join(workDir, 'audio-train') });

  log.info('[4/8] prepare-text: the unpaired text side');
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
  if (opts.train === false)
    return { workDir, corpus: { train: corpus.train.length, test: corpus.test.length, textSentences: cfg.textSentences }, audioTrain, audioTest, text, seconds: (Date.now() - t0) / 1000 };

  log.info('[5/8] decipherment and training (model chosen by the unsupervised metric on held-out training audio)');
  const runDir = join(workDir, 'train');
  const trained = await trainGan({
    audioDir: join(workDir, 'audio-train'),
    textDir,
    validRefs: join(workDir, 'corpus/train/phones'),
    outDir: runDir,
    config: { ...DEMO_GAN_CONFIG, ...opts.gan },
    resume: existsSync(join(runDir, RUN_FILES.run)),
  });

  log.info('[6/8] self-training: HMM rounds on the model\'s own transcription of the training audio');
  const t6 = Date.now();
  const selfTrained = await selfTrain({
    modelDir: join(runDir, RUN_FILES.model),
    audioDir: join(workDir, 'audio-train'),
    textDir,
    outDir: join(workDir, 'self-train'),
    validRef: join(workDir, 'corpus/train/phones'),
    evalAudio: join(workDir, 'audio-test'),
    evalRef: join(workDir, 'corpus/test/phones'),
    config: DEMO_SELF_TRAIN,
  });

  log.info('[7/8] transcribe the held-out recordings with the self-trained model');
  const transDir = join(workDir, 'transcripts');
  await transcribeBatch({ modelDir: selfTrained.modelDir, inputs: [join(workDir, 'corpus/test/wav.list')], outDir: transDir, formats: ['json', 'txt'], overwrite: true });

  log.info('[8/8] score against the synthesis phones');
  const refs = readTranscriptFile(join(workDir, 'corpus/test/phones'));
  const pairs = corpus.test.map((u) => ({
    id: u.id,
    ref: (refs.get(u.id) ?? []).filter((p) => p !== SIL),
    hyp: readFileSync(join(transDir, `${u.id}.txt`), 'utf8').trim().split(/\s+/).filter((p) => p && p !== SIL),
  }));
  const report = scoreCorpus(pairs);
  writeJsonAtomic(join(workDir, 'test-score.json'), report);
  return {
    workDir,
    corpus: { train: corpus.train.length, test: corpus.test.length, textSentences: cfg.textSentences },
    audioTrain,
    audioTest,
    text,
    training: { seconds: trained.seconds, bestUpdate: trained.best?.update, selection: trained.best?.metric },
    selfTraining: { rounds: selfTrained.rounds, chosenRound: selfTrained.chosenRound, seconds: (Date.now() - t6) / 1000 },
    testPer: report.total.errorRate,
    testScores: { sub: report.total.sub, del: report.total.del, ins: report.total.ins, refLen: report.total.refLen },
    seconds: (Date.now() - t0) / 1000,
  };
}
