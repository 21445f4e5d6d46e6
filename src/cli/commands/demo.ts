import { Command } from 'commander';
import { runDemo } from '../../demo/run-demo.js';
import { intOption, printJson } from '../options.js';

export function register(program: Command): void {
  program
    .command('demo')
    .summary('run the pipeline end to end on built-in data (synthetic English speech)')
    .description(
      'Synthesise a small English corpus with espeak-ng (several voices, rates and pitches), keep a disjoint set of ' +
        'sentences as the unpaired text side, and run every stage on it. Re-running resumes.',
    )
    .option('-w, --work <dir>', 'working folder', 'work/demo')
    .option('--train-utts <n>', 'training recordings to synthesise', intOption)
    .option('--test <n>', 'held-out recordings to synthesise', intOption)
    .option('--updates <n>', 'training updates', intOption)
    .option('--no-train', 'stop after preparing the data')
    .option('--json', 'print the result summary as JSON on stdout')
    .action(async (o) => {
      const res = await runDemo({
        workDir: o.work,
        corpus: { ...(o.trainUtts !== undefined && { trainUtterances: o.trainUtts }), ...(o.test !== undefined && { testUtterances: o.test }) },
        gan: o.updates !== undefined ? { updates: o.updates } : {},
        train: o.train,
      });
      if (o.json) printJson(res);
      else {
        const a = res.audioTrain.stats;
        process.stderr.write(
          `\ndemo finished in ${res.seconds.toFixed(0)} s in ${res.workDir}\n` +
            `  audio: ${res.audioTrain.utterances} training + ${res.audioTest.utterances} held-out recordings, ` +
            `${(a.voicedHours * 60).toFixed(1)} min of speech, ${a.segments} segments (${a.framesPerSegment.toFixed(2)} frames each)\n` +
            `  text:  ${res.text.sentences} sentences, ${res.text.units.length} units: ${res.text.units.join(' ')}\n` +
            (res.testPer !== undefined
              ? `  generator: chosen at update ${res.training?.bestUpdate} by weighted phone-LM perplexity ${res.training?.selection?.weightedPpl.toFixed(2)}\n` +
                `  self-training: kept round ${res.selfTraining?.chosenRound} by the label-free score; held-out PER by round (reported, not used to choose): ` +
                `${(res.selfTraining?.rounds ?? []).map((r) => `${r.round} ${r.evalPer !== undefined ? (100 * r.evalPer).toFixed(1) + '%' : '–'}`).join(', ')}\n` +
                `  held-out PER: ${(100 * res.testPer).toFixed(1)}% (${res.testScores?.sub} substitutions, ${res.testScores?.del} deletions, ${res.testScores?.ins} insertions, ${res.testScores?.refLen} reference phones)\n` +
                `  transcripts: ${res.workDir}/transcripts/, model: ${res.workDir}/self-train/model/, plots: ${res.workDir}/train/plots/ and ${res.workDir}/self-train/plots/\n`
              : ''),
        );
      }
    });
}
