import { Command } from 'commander';
import { UsageError } from '../../util/errors.js';
import { transcribeBatch } from '../../transcribe/transcribe.js';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../../transcribe/outputs.js';
import { printJson } from '../options.js';

export function register(program: Command): void {
  program
    .command('transcribe')
    .summary('recordings → phones with start and end times')
    .description(
      'Transcribe recordings with a trained model folder. Each recording gives OUT/<id>.json (phones with times in the original ' +
        'file, <SIL> included) and/or OUT/<id>.txt (phones only). Recordings already transcribed are skipped on a rerun; a file ' +
        'that fails is reported and the batch goes on.',
    )
    .argument('<model>', 'model folder (the model/ folder of a training run)')
    .argument('<audio...>', 'recordings, folders (searched recursively) or list files')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('--format <list>', `comma-separated: ${TRANSCRIPT_FORMATS.join(', ')}`, 'json,txt')
    .option('--overwrite', 'redo recordings whose outputs exist')
    .option('--json', 'print the summary as JSON on stdout')
    .action(async (model: string, audio: string[], o) => {
      const formats = String(o.format).split(',').map((f) => f.trim()) as TranscriptFormat[];
      for (const f of formats) if (!TRANSCRIPT_FORMATS.includes(f)) throw new UsageError(`unknown format '${f}'; choose from ${TRANSCRIPT_FORMATS.join(', ')}`);
      const res = await transcribeBatch({ modelDir: model, inputs: audio, outDir: o.out, formats, overwrite: o.overwrite });
      if (o.json) printJson(res);
      // A batch with some bad files succeeds; one where no recording could be transcribed does not.
      if (res.failed.length > 0 && res.ok + res.alreadyDone === 0) process.exitCode = 1;
    });
}
