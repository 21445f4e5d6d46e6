import { Command } from 'commander';
import { cpus } from 'node:os';
import { runSweep, sweepTable } from '../../train/sweep.js';
import { intOption, printJson } from '../options.js';

const list = (parse: (s: string) => number) => (v: string) => v.split(',').map((x) => parse(x.trim()));

export function register(program: Command): void {
  program
    .command('sweep')
    .summary('several training runs (seeds × penalties); the winner is chosen without transcripts')
    .description(
      'Train one run per combination of seed and penalty weights, in parallel, and copy the run with the lowest weighted ' +
        'phone-LM perplexity on held-out audio to OUT/model. With --valid-ref, every run\'s PER is reported next to it ' +
        '(never used to choose). Re-running continues unfinished runs. Options after -- are passed to every `train` run.',
    )
    .requiredOption('--audio <dir>', 'prepare-audio output of the training recordings')
    .requiredOption('--text <dir>', 'prepare-text output')
    .option('--valid-audio <dir>', 'prepare-audio output of held-out recordings')
    .option('--valid-ref <file>', 'reference phones of the held-out recordings (reported only)')
    .requiredOption('-o, --out <dir>', 'sweep folder')
    .option('--seeds <list>', 'comma-separated seeds', list((s) => parseInt(s, 10)), [0, 1, 2])
    .option('--gp <list>', 'gradient penalty weights', list(Number), [1.5])
    .option('--smoothness <list>', 'smoothness weights', list(Number), [0.5])
    .option('--diversity <list>', 'diversity weights', list(Number), [2, 4])
    .option('-j, --jobs <n>', 'runs at a time', intOption, Math.max(1, cpus().length))
    .option('--json', 'print the result as JSON on stdout')
    .argument('[train_options...]', 'extra `train` options, after --')
    .action(async (trainArgs: string[], o) => {
      const res = await runSweep({
        audioDir: o.audio,
        textDir: o.text,
        validAudioDir: o.validAudio,
        validRefs: o.validRef,
        outDir: o.out,
        seeds: o.seeds,
        gradientPenalty: o.gp,
        smoothness: o.smoothness,
        diversity: o.diversity,
        trainArgs,
        jobs: o.jobs,
      });
      if (o.json) printJson(res);
      else process.stderr.write('\n' + sweepTable(res) + (res.chosen ? `\nchosen without transcripts: ${res.chosen} → ${res.outDir}/model\n` : '\nno run finished\n'));
    });
}
