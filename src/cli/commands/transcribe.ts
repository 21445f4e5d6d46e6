import { Command } from 'commander';
import { transcribeBatch } from '../../transcribe/transcribe.js';
import { TRANSCRIPT_FORMATS, parseTranscriptFormats } from '../../transcribe/outputs.js';
import { floatOption, intOption, printJson } from '../options.js';
import { DEFAULT_WORD_DECODER_OPTIONS } from '../../lexicon/index.js';

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
    .option('--lm-weight <w>', `word decoding: weight of the word LM (natural-log scores; default ${DEFAULT_WORD_DECODER_OPTIONS.lmWeight.toFixed(3)})`, floatOption)
    .option('--word-score <w>', `word decoding: added per word, > 0 favours more, shorter words (default ${DEFAULT_WORD_DECODER_OPTIONS.wordScore})`, floatOption)
    .option('--no-unknown-words', 'word decoding: force every stretch into lexicon words (no phone-string stretches)')
    .option('--beam <n>', `word decoding: paths kept per step (default ${DEFAULT_WORD_DECODER_OPTIONS.beamSize})`, intOption)
    .action(async (model: string, audio: string[], o) => {
      const formats = parseTranscriptFormats(String(o.format));
      const wordOptions = {
        ...(o.lmWeight === undefined ? {} : { lmWeight: o.lmWeight }),
        ...(o.wordScore === undefined ? {} : { wordScore: o.wordScore }),
        ...(o.unknownWords === false ? { unknownWords: false } : {}),
        ...(o.beam === undefined ? {} : { beamSize: o.beam }),
      };
      const res = await transcribeBatch({ modelDir: model, inputs: audio, outDir: o.out, formats, overwrite: o.overwrite, workers: o.workers, wordOptions });
      if (o.json) printJson(res);
      // A batch with some bad files succeeds; one where no recording could be transcribed does not.
      if (res.failed.length > 0 && res.ok + res.alreadyDone === 0) process.exitCode = 1;
      // Stopped by Ctrl-C: the shell's convention (128 + SIGINT); what was finished is kept.
      if (res.interrupted) process.exitCode = 130;
    });
}
