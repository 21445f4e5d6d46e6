/**
 * `fieldphone lm build` and `fieldphone lm ppl`: n-gram language models in ARPA format
 * (the phone LM that scores GAN outputs, or word LMs).
 */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { FieldphoneError } from '../../util/errors.js';
import { assertNotInput } from '../../util/fsx.js';
import { log } from '../../util/log.js';
import { perplexity, readArpa, readSentencesFile, trainNgram, writeArpa, type NgramTrainingStats, type PerplexityResult } from '../../lm/index.js';
import { intOption, printJson } from '../options.js';

export interface LmBuildOptions {
  text: string;
  out: string;
  order: number;
  unkThreshold?: number;
  /** Replace an existing output file. */
  force?: boolean;
}

export interface LmBuildResult {
  out: string;
  order: number;
  vocabSize: number;
  ngrams: number[];
  stats: NgramTrainingStats;
}

export interface LmPplResult extends PerplexityResult {
  sentences: number;
  log10Prob: number;
}

const TEXT_HELP = `TEXT: UTF-8, one sentence per line, tokens (phones or words) separated by spaces;
blank lines are skipped; <s> and </s> are added to every sentence automatically.`;

export function register(program: Command): void {
  const lm = program.command('lm').summary('build and evaluate n-gram language models (ARPA)');
  lm.command('build')
    .description('Train an interpolated modified Kneser-Ney n-gram model (like KenLM lmplz --discount_fallback) and write it as ARPA.')
    .argument('<text>', 'training text')
    .requiredOption('-o, --out <lm.arpa>', 'ARPA file to write')
    .addOption(new Option('--order <n>', 'n-gram order').argParser(intOption).default(4))
    .addOption(new Option('--unk-threshold <n>', 'replace words seen fewer than n times by <unk>').argParser(intOption).default(0))
    .option('--force', 'overwrite --out if it exists')
    .addHelpText('after', `\n${TEXT_HELP}\n\nExample:\n  fieldphone lm build phones.txt --order 4 --out phones.4.arpa`)
    .action((text: string, o: { out: string; order: number; unkThreshold: number; force?: boolean }) => {
      runLmBuild({ text, out: o.out, order: o.order, unkThreshold: o.unkThreshold, force: o.force });
    });
  lm.command('ppl')
    .description('Perplexity of a text under an ARPA model (</s> counted as a token, OOVs scored as <unk>, as KenLM does).')
    .argument('<lm>', 'ARPA language model')
    .argument('<text>', 'text to score')
    .option('--json', 'print {sentences, tokens, oov, logProb, log10Prob, ppl} as JSON')
    .addHelpText('after', `\n${TEXT_HELP}`)
    .action((arpa: string, text: string, o: { json?: boolean }) => {
      const r = runLmPpl(arpa, text);
      if (o.json) printJson(r);
      else
        process.stdout.write(
          `sentences ${r.sentences}  tokens ${r.tokens} (incl. </s>)  OOV ${r.oov}  log10 prob ${r.log10Prob.toFixed(4)}  perplexity ${r.ppl.toFixed(4)}\n`,
        );
    });
}

export function runLmBuild(o: LmBuildOptions): LmBuildResult {
  assertNotInput(o.out, [o.text]);
  if (existsSync(o.out) && !o.force)
    throw new FieldphoneError('output-exists', 'already exists; pass --force to replace it, or choose another --out', o.out);
  const sentences = readSentencesFile(o.text);
  const model = trainNgram(sentences, { order: o.order, unkCountThreshold: o.unkThreshold });
  const stats = model.trainingStats as NgramTrainingStats;
  const ngrams = model.logProbs.map((m) => m.size);
  log.info(
    `${o.text}: ${stats.sentences} sentences, ${stats.tokens} tokens (incl. </s>), vocabulary ${model.vocab.length}` +
      (stats.unkReplaced > 0 ? `, ${stats.unkReplaced} rare-word tokens → <unk>` : ''),
  );
  log.info(`order ${model.order}, n-grams ${ngrams.map((c, i) => `${i + 1}:${c}`).join(' ')}`);
  stats.discounts.forEach((d, i) => log.verbose(`  discounts order ${i + 1}: ${d.map((x) => x.toFixed(4)).join(' ')}`));
  if (stats.fallbackOrders.length > 0)
    log.info(`too little text for estimated discounts at order(s) ${stats.fallbackOrders.join(', ')}; used 0.5, 1, 1.5 (as KenLM --discount_fallback)`);
  writeArpa(model, o.out);
  log.info(`wrote ${o.out}`);
  return { out: o.out, order: model.order, vocabSize: model.vocab.length, ngrams, stats };
}

export function runLmPpl(arpaPath: string, textPath: string): LmPplResult {
  const model = readArpa(arpaPath);
  const sentences = readSentencesFile(textPath);
  const r = perplexity(model, sentences);
  return { sentences: sentences.length, ...r, log10Prob: r.logProb / Math.LN10 };
}
