/**
 * `fieldphone phonemize`: turn a text file into phones, to check a
 * phonemizer (espeak-ng voice, lexicon, orthography profile) before training.
 */
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { UsageError } from '../../util/errors.js';
import { assertNotInput, writeFileAtomic } from '../../util/fsx.js';
import { log } from '../../util/log.js';
import {
  PHONEMIZER_KINDS,
  bootstrapProfile,
  buildInventory,
  codepointLabel,
  listEspeakVoices,
  makePhonemizer,
  phonemizeSentences,
  readUserLines,
  type NormalizeOptions,
  type PhonemizedText,
  type Phonemizer,
  type PhonemizerKind,
  type PhonemizerSpec,
} from '../../text/index.js';
import { printJson } from '../options.js';

interface PhonemizeCliOptions {
  phonemizer?: PhonemizerKind;
  language?: string;
  lexicon?: string;
  profile?: string;
  profileColumn?: string;
  out?: string;
  json?: boolean;
  digits: NormalizeOptions['digits'];
  lowercase: boolean;
  listVoices?: boolean;
  initProfile?: string;
}

const FORMAT_HELP = `
Output (text): one line per input line, phones separated by spaces and words by " | ",
e.g. "d o b r iː | d e n". A line that was dropped (empty, or a word without a
pronunciation) is left empty, so output line N always belongs to input line N.
Dropped lines, words without pronunciation and unmatched profile characters ("�x")
are reported on stderr.

Output (--json): {phonemizer, sentences: [{line, words: [{word, phones}]}],
dropped: [{line, kind, reason}], oov: {word: count}, unmatched: {token: count},
phones: {phone: count}}.

Examples:
  fieldphone phonemize corpus.txt --language cs
  fieldphone phonemize corpus.txt --lexicon lexicon.txt --out phones.txt
  fieldphone phonemize --init-profile profile.tsv corpus.txt   (then fill in the IPA column)
  fieldphone phonemize corpus.txt --profile profile.tsv
  fieldphone phonemize --list-voices`;

export function register(program: Command): void {
  const cmd = program
    .command('phonemize')
    .summary('text → phones (espeak-ng, lexicon, orthography profile or graphemes)')
    .description(
      'Normalise a UTF-8 text file (one sentence per line) and convert every word to phones, to check the text side ' +
        'before training. The phonemizer is chosen by --phonemizer, or from --lexicon / --profile / --language.',
    )
    .argument('[text_file]', 'UTF-8 text, one sentence per line');
  addPhonemizerOptions(cmd)
    .option('-o, --out <file>', 'write the result here instead of stdout')
    .option('--json', 'JSON output (see below)')
    .addOption(new Option('--digits <mode>', 'keep digits (espeak reads them as numbers) or drop words containing them').choices(['keep', 'drop']).default('keep'))
    .option('--no-lowercase', 'keep upper-case letters')
    .option('--list-voices', 'list the espeak-ng voices and exit')
    .option('--init-profile <out.tsv>', 'write a starting orthography profile (graphemes with frequencies) for TEXT_FILE and exit')
    .addHelpText('after', FORMAT_HELP)
    .action(async (textFile: string | undefined, o: PhonemizeCliOptions) => {
      if (o.listVoices) return listVoices(o);
      if (!textFile) throw new UsageError('missing TEXT_FILE (see `fieldphone phonemize --help`)');
      const normalize: Partial<NormalizeOptions> = { digits: o.digits, lowercase: o.lowercase };
      if (o.initProfile) return initProfile(textFile, o.initProfile, normalize);

      const inputs = [textFile, o.lexicon, o.profile].filter((f): f is string => f !== undefined);
      if (o.out) assertNotInput(o.out, inputs);
      const lines = readUserLines(textFile);
      const phonemizer = await makePhonemizer(phonemizerSpec(o));
      log.info(`phonemizing ${lines.length} lines of ${textFile} with ${phonemizer.description}`);
      const result = await phonemizeSentences(lines, phonemizer, { normalize, progress: true });
      report(result, lines.length);

      const text = o.json ? JSON.stringify(toJson(result, phonemizer), null, 2) + '\n' : toText(result, lines.length);
      if (o.out) {
        writeFileAtomic(o.out, text);
        log.info(`wrote ${o.out}`);
      } else {
        process.stdout.write(text);
      }
    });
}

async function listVoices(o: PhonemizeCliOptions): Promise<void> {
  const voices = await listEspeakVoices();
  if (o.json) return printJson(voices);
  const width = Math.max(...voices.map((v) => v.languages.join(',').length));
  process.stdout.write(voices.map((v) => `${v.languages.join(',').padEnd(width)}  ${v.name} (${v.id})`).join('\n') + '\n');
}

function initProfile(textFile: string, out: string, normalize: Partial<NormalizeOptions>): void {
  assertNotInput(out, [textFile]);
  // A profile is hand-edited work: never replace one.
  if (existsSync(out)) throw new UsageError(`${out} already exists; refusing to overwrite it (choose another name or delete it first)`);
  const tsv = bootstrapProfile(readUserLines(textFile), normalize);
  writeFileAtomic(out, tsv);
  log.info(`wrote ${out} with ${tsv.split('\n').length - 2} graphemes; correct its IPA column, add multigraphs, then use --profile ${out}`);
}

/** The options that choose a phonemizer, shared by `phonemize` and `prepare-text`. */
export function addPhonemizerOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-p, --phonemizer <kind>', 'how words become phones').choices([...PHONEMIZER_KINDS]))
    .option('-l, --language <code>', 'espeak-ng voice or language code, e.g. cs, en-us (see `fieldphone phonemize --list-voices`)')
    .option('--lexicon <file>', 'pronunciation lexicon: "word<TAB>p1 p2 …" per line (Kaldi, MFA, fairseq)')
    .option('--profile <file>', 'orthography profile TSV with Grapheme and IPA columns')
    .option('--profile-column <name>', 'profile column holding the phones (default: IPA, Phoneme or mapping)');
}

/** The phonemizer those options ask for: --phonemizer, or the one implied by --lexicon / --profile / --language. */
export function phonemizerSpec(o: Pick<PhonemizeCliOptions, 'phonemizer' | 'language' | 'lexicon' | 'profile' | 'profileColumn'>): PhonemizerSpec {
  const given = [o.lexicon && 'lexicon', o.profile && 'profile', o.language && 'espeak'].filter((k): k is PhonemizerKind => !!k);
  const kind = o.phonemizer ?? (given.length === 1 ? given[0] : undefined);
  if (!kind) {
    throw new UsageError(
      given.length > 1
        ? `--lexicon, --profile and --language each choose a phonemizer; give only one, or say which with --phonemizer`
        : `choose a phonemizer: --language CODE (espeak-ng), --lexicon FILE, --profile FILE, or --phonemizer graphemes`,
    );
  }
  return { kind, language: o.language, path: kind === 'lexicon' ? o.lexicon : o.profile, column: o.profileColumn };
}

function report(r: PhonemizedText, total: number): void {
  const empty = r.dropped.filter((d) => d.kind === 'empty').length;
  const unpronounceable = r.dropped.length - empty;
  log.info(`kept ${r.sentences.length} of ${total} lines; dropped ${empty} empty and ${unpronounceable} with words that have no pronunciation`);
  for (const d of r.dropped) if (d.kind === 'unpronounceable') log.verbose(`  line ${d.line}: ${d.reason}`);
  if (r.oov.size > 0) {
    const top = [...r.oov].sort((a, b) => b[1] - a[1]).slice(0, 20);
    const more = r.oov.size > top.length ? `, … (${r.oov.size - top.length} more; -v lists every dropped line)` : '';
    log.warn(`${r.oov.size} word${r.oov.size === 1 ? ' has' : 's have'} no pronunciation (occurrences): ${top.map(([w, n]) => `${w} ×${n}`).join(', ')}${more}`);
  }
  if (r.unmatched.size > 0) {
    const gaps = [...r.unmatched].sort((a, b) => b[1] - a[1]);
    const show = gaps.map(([t, n]) => `"${t.slice(1)}" ${codepointLabel(t.slice(1))} ×${n}`).join(', ');
    log.warn(`the orthography profile has no rule for these characters (shown as "�x" in the output): ${show}`);
  }
  if (r.sentences.length === 0) log.warn('no line could be phonemized');
}

function toText(r: PhonemizedText, total: number): string {
  const out = new Array<string>(total).fill('');
  r.sentences.forEach((s, i) => {
    out[r.lines[i] - 1] = s.map((w) => w.join(' ')).join(' | ');
  });
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

function toJson(r: PhonemizedText, p: Phonemizer) {
  return {
    phonemizer: { name: p.name, description: p.description },
    sentences: r.sentences.map((s, i) => ({ line: r.lines[i], words: s.map((phones, j) => ({ word: r.words[i][j], phones })) })),
    dropped: r.dropped,
    oov: Object.fromEntries(r.oov),
    unmatched: Object.fromEntries(r.unmatched),
    phones: buildInventory(r.sentences, 1).counts,
  };
}
