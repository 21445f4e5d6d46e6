import { Command } from 'commander';
import { DEFAULT_PREPARE_TEXT_CONFIG, prepareText } from '../../pipeline/prepare-text.js';
import { floatOption, intOption, printJson } from '../options.js';
import { addPhonemizerOptions, phonemizerSpec } from './phonemize.js';

export function register(program: Command): void {
  const d = DEFAULT_PREPARE_TEXT_CONFIG;
  const cmd = program
    .command('prepare-text')
    .summary('text in the language → phone sentences, lexicon, inventory, phone and word LMs')
    .description(
      'Normalise and phonemize text in the language of the recordings (it need not be a transcript of them), ' +
        'build the phone inventory, insert <SIL> between words, and train the phone and word n-gram language models.',
    )
    .argument('<text...>', 'UTF-8 text files, one sentence per line; or Praat .TextGrid / ELAN .eaf files with --tier')
    .requiredOption('-o, --out <dir>', 'output folder (must be new)')
    .option('--tier <name>', 'tier of the .TextGrid/.eaf inputs whose labels are the text (each non-empty label one sentence)');
  addPhonemizerOptions(cmd)
    .option('--min-phone-count <n>', 'drop phones seen fewer times (and their sentences)', intOption, d.minPhoneCount)
    .option('--sil-prob <p>', 'probability of <SIL> between words', floatOption, d.silenceProb)
    .option('--phone-lm-order <n>', 'order of the phone LM', intOption, d.phoneLmOrder)
    .option('--word-lm-order <n>', 'order of the word LM', intOption, d.wordLmOrder)
    .option('--seed <n>', 'random seed for silence insertion', intOption, d.seed)
    .option('--json', 'print the result summary as JSON on stdout')
    .action(async (text: string[], o) => {
      const res = await prepareText({
        textFiles: text,
        tier: o.tier,
        outDir: o.out,
        config: {
          phonemizer: phonemizerSpec(o),
          minPhoneCount: o.minPhoneCount,
          silenceProb: o.silProb,
          phoneLmOrder: o.phoneLmOrder,
          wordLmOrder: o.wordLmOrder,
          seed: o.seed,
        },
      });
      if (o.json) printJson(res);
    });
}
