import { Command } from 'commander';
import { transcribeBatch } from '../../transcribe/transcribe.js';
import { TRANSCRIPT_FORMATS, parseTranscriptFormats } from '../../transcribe/outputs.js';
import { intOption, printJson } from '../options.js';

export function register(program: Command): void {
  program
    .command('transcribe')
    .summary('recordings → phones with start and end times')
    .description(
      'Transcribe recordings with a trained model folder. Each recording gives OUT/<id>.json (phones with times in the original ' +
        'file, <SIL> included) and/or OUT/<id>.txt (phones only), OUT/<id>.TextGrid (Praat), OUT/<id>.eaf (ELAN), OUT/<id>.ctm (NIST CTM). Recordings already transcribed are skipped on a rerun; a file ' +
        'that fails is reported and the batch goes on.',
    )
    .argument('<model>', 'model folder (the model/ folder of a training run)')
    .argument('<audio...>', 'recordings, folders (searched recursively) or list files')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('--format <list>', `comma-separated, several at once: ${TRANSCRIPT_FORMATS.join(', ')} (.TextGrid for Praat, .eaf for ELAN)`, 'json,txt')
    .option('--overwrite', 'redo recordings whose outputs exist')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--workers <n>', 'worker threads, each with its own copy of the model (default: one per core, at most one per recording to do)', intOption)
    .action(async (model: string, audio: string[], o) => {
      const formats = parseTranscriptFormats(String(o.format));
      const res = await transcribeBatch({ modelDir: model, inputs: audio, outDir: o.out, formats, overwrite: o.overwrite, workers: o.workers });
      if (o.json) printJson(res);
      // A batch with some bad files succeeds; one where no recording could be transcribed does not.
      if (res.failed.length > 0 && res.ok + res.alreadyDone === 0) process.exitCode = 1;
      // Stopped by Ctrl-C: the shell's convention (128 + SIGINT); what was finished is kept.
      if (res.interrupted) process.exitCode = 130;
    });
}
