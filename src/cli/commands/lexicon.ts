/**
 * `fieldphone lexicon export` and `fieldphone lexicon discover`: the lexicon
 * of a model or prepare-text folder for linguists (with text and audio
 * counts), and candidate new words found in transcribed audio.
 */
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { buildLexiconEntries, findLexiconSource, type LexiconSource } from '../../lexicon/export.js';
import { DEFAULT_DISCOVER_OPTIONS, discoverWords } from '../../lexicon/discover.js';
import { readTranscripts } from '../../lexicon/transcripts.js';
import { checkLanguageTag, LEXICON_FORMATS, parseLexiconFormats, writeLexiconFiles } from '../../lexicon/write.js';
import { parseLexicon } from '../../text/index.js';
import { checkInteger } from '../../util/config-check.js';
import { log } from '../../util/log.js';
import { intOption, printJson } from '../options.js';

const FORMAT_HELP = `
Formats (--format, comma-separated; default all), written as OUT/<name>.<ext>:
  tsv    headword, pronunciation (IPA phones separated by spaces, variants by " ; "),
         text_count, audio_count, examples ("file start-end; …", seconds)
  json   {lang, source…, entries: [{headword, pronunciations, textCount, audioCount, examples}]}
  kaldi  .txt, one "word<TAB>p1 p2 …" line per pronunciation (Kaldi, MFA, prepare-text --lexicon)
  lift   LIFT 0.13 for FLEx: the pronunciation in the writing system <lang>-fonipa-x-emic,
         counts as traits (text-frequency, audio-count), occurrences in a note
The language tag (--lang) defaults to the espeak-ng language the text was phonemized with.`;

/** The language tag for the files: --lang, else the text's espeak language, else "qaa" (ISO 639 local use). */
function languageTag(given: string | undefined, src: LexiconSource): string {
  if (given) return checkLanguageTag(given);
  if (src.language) return checkLanguageTag(src.language);
  log.warn('no language tag known (the text was not phonemized with espeak-ng): writing "qaa" (local use); pass --lang');
  return 'qaa';
}

interface CommonOptions {
  transcripts?: string;
  format: string;
  out: string;
  lang?: string;
  examples: number;
  json?: boolean;
}

function addCommon(cmd: Command, examples: number): Command {
  return cmd
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('--format <list>', `comma-separated: ${LEXICON_FORMATS.join(', ')}`, LEXICON_FORMATS.join(','))
    .option('--lang <tag>', 'BCP 47 language tag of the words (e.g. cs; qaa-x-name for a language without a code)')
    .addOption(new Option('--examples <n>', 'example occurrences per entry').argParser(intOption).default(examples))
    .option('--json', 'print a summary as JSON on stdout');
}

export function register(program: Command): void {
  const lexicon = program.command('lexicon').summary('lexicon export (TSV, JSON, Kaldi, LIFT for FLEx) and word discovery');
  addCommon(
    lexicon
      .command('export')
      .description(
        'Every word of the lexicon with its pronunciation(s), its frequency in the prepared text and, with --transcripts, ' +
          'how often and where the transcribed recordings contain it.',
      )
      .argument('<dir>', 'model folder or prepare-text folder')
      .option('--transcripts <dir>', 'transcript JSONs from `fieldphone transcribe` (searched recursively)'),
    5,
  )
    .addHelpText('after', `${FORMAT_HELP}\n\nExample:\n  fieldphone lexicon export work/run1/model --transcripts work/transcripts -o work/lexicon`)
    .action((dir: string, o: CommonOptions) => {
      const formats = parseLexiconFormats(o.format);
      const src = findLexiconSource(dir);
      const lang = languageTag(o.lang, src);
      const transcripts = o.transcripts ? readTranscripts(o.transcripts) : undefined;
      const entries = buildLexiconEntries(src, { transcripts, examples: checkInteger('--examples', o.examples, 0) });
      const source = { source: resolve(dir), ...(o.transcripts ? { transcripts: resolve(o.transcripts) } : {}) };
      const inputs = [src.lexiconPath, ...(src.wordsPath ? [src.wordsPath] : [])];
      const files = writeLexiconFiles(entries, formats, o.out, 'lexicon', { lang, source }, inputs);
      const heard = entries.filter((e) => (e.audioCount ?? 0) > 0).length;
      log.info(`${entries.length} entries${transcripts ? `, ${heard} heard in ${transcripts.length} transcripts` : ''} → ${files.join(', ')}`);
      if (o.json) printJson({ entries: entries.length, heard: transcripts ? heard : undefined, lang, files });
    });

  const d = DEFAULT_DISCOVER_OPTIONS;
  addCommon(
    lexicon
      .command('discover')
      .description(
        'Phone sequences that recur in transcribed audio where no lexicon word explains them (the unknown stretches of the ' +
          'word decoder, or all phones between silences in phone-only transcripts), as candidate entries with their occurrences.',
      )
      .argument('<dir>', 'model folder or prepare-text folder (its lexicon says which sequences are known words)')
      .requiredOption('--transcripts <dir>', 'transcript JSONs from `fieldphone transcribe` (searched recursively)')
      .addOption(new Option('--min-length <n>', 'fewest phones in a candidate').argParser(intOption).default(d.minLength))
      .addOption(new Option('--max-length <n>', 'most phones in a candidate').argParser(intOption).default(d.maxLength))
      .addOption(new Option('--min-count <n>', 'fewest occurrences').argParser(intOption).default(d.minCount))
      .addOption(new Option('--max-candidates <n>', 'keep the best n').argParser(intOption).default(d.maxCandidates)),
    d.examples,
  )
    .addHelpText(
      'after',
      `\nCandidates are ranked by the phone tokens a new lexicon entry would save,\n(count − 1)(length − 1) − 1; a sequence that only occurs inside a longer candidate\nis left out. Their headword is the phones written together (an IPA form, no spelling yet).\n${FORMAT_HELP}\n\nExample:\n  fieldphone lexicon discover work/run1/model --transcripts work/transcripts -o work/candidates --format tsv,lift`,
    )
    .action((dir: string, o: CommonOptions & { minLength: number; maxLength: number; minCount: number; maxCandidates: number }) => {
      const formats = parseLexiconFormats(o.format);
      const src = findLexiconSource(dir);
      const lang = languageTag(o.lang, src);
      const minLength = checkInteger('--min-length', o.minLength, 1);
      const maxLength = checkInteger('--max-length', o.maxLength, minLength);
      const transcripts = readTranscripts(o.transcripts as string);
      const entries = discoverWords(transcripts, parseLexicon(src.lexiconPath).pronunciations, {
        minLength,
        maxLength,
        minCount: checkInteger('--min-count', o.minCount, 2),
        maxCandidates: checkInteger('--max-candidates', o.maxCandidates, 1),
        examples: checkInteger('--examples', o.examples, 0),
      });
      const source = { source: resolve(dir), transcripts: resolve(o.transcripts as string), minLength, maxLength, minCount: o.minCount };
      const files = writeLexiconFiles(entries, formats, o.out, 'candidates', { lang, source }, [src.lexiconPath]);
      log.info(`${entries.length} candidate words from ${transcripts.length} transcripts → ${files.join(', ')}`);
      if (o.json) printJson({ candidates: entries.length, lang, files });
    });
}
