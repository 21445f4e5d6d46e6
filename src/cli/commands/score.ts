/**
 * `fieldphone score REF HYP`: phone or word error rate of HYP against REF, both Kaldi-style
 * text files ("utt_id tok tok …" per line).
 */
import type { Command } from 'commander';
import { InputFileError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import { displayWidth, formatAlignment, readTranscriptFile, scoreCorpus, type ScoreReport } from '../../scoring/index.js';
import { printJson } from '../options.js';

export interface ScoreOptions {
  ref: string;
  hyp: string;
  /** Tokens removed from both sides before scoring, e.g. '<SIL>'. */
  ignore?: string[];
  /** Collapse runs of the same token ("a a b" → "a b") on both sides, before --ignore. */
  collapseRepeats?: boolean;
  /** Put the alignment under each utterance in the human-readable output. */
  showAlignment?: boolean;
}

export interface ScoreRun {
  report: ScoreReport;
  /** REF ids without a HYP line: scored as all deletions. */
  missingInHyp: string[];
  /** HYP ids not in REF: not scored. */
  extraInHyp: string[];
  /** Human-readable table (and alignments). */
  text: string;
}

const HELP = `
Both files: one utterance per line, "utt_id tok tok …" (Kaldi text format), tokens
separated by spaces: phones for a phone error rate, words for a word error rate.
Utterances are matched by id. An id missing from HYP counts as all deletions; ids
only in HYP are reported and not scored. Error rate = (S + D + I) / N, totals over
the whole corpus; an utterance with an empty reference counts its insertions as if N = 1.

Output: a table (and with --show-alignment the REF/HYP/Eval alignment of each utterance)
on stdout; with --json the report {utterances: [{id, sub, del, ins, ok, refLen, hypLen,
errorRate, ops}], total, missingInHyp, extraInHyp} instead.

Examples:
  fieldphone score ref.txt hyp.txt --ignore '<SIL>'
  fieldphone score ref.txt hyp.txt --collapse-repeats --show-alignment | less -S`;

export function register(program: Command): void {
  program
    .command('score')
    .summary('phone / word error rate of transcriptions against references')
    .description('Align HYP to REF per utterance (Levenshtein) and report substitutions, deletions, insertions and error rates.')
    .argument('<ref>', 'reference transcriptions (Kaldi text)')
    .argument('<hyp>', 'hypothesis transcriptions (Kaldi text)')
    .option('--json', 'print the report as JSON')
    .option('--show-alignment', 'print each utterance’s alignment')
    .option('--ignore <token>', 'drop this token from REF and HYP before scoring (repeatable)', collect, [] as string[])
    .option('--collapse-repeats', 'collapse runs of one token on both sides (before --ignore)')
    .addHelpText('after', HELP)
    .action((ref: string, hyp: string, o: { json?: boolean; showAlignment?: boolean; ignore: string[]; collapseRepeats?: boolean }) => {
      const run = runScore({ ref, hyp, ignore: o.ignore, collapseRepeats: o.collapseRepeats, showAlignment: o.showAlignment });
      if (o.json) printJson({ ...run.report, missingInHyp: run.missingInHyp, extraInHyp: run.extraInHyp });
      else process.stdout.write(run.text);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function runScore(opts: ScoreOptions): ScoreRun {
  const refs = readTranscriptFile(opts.ref);
  const hyps = readTranscriptFile(opts.hyp);
  if (refs.size === 0) throw new InputFileError(opts.ref, 'contains no utterances');
  const ignore = new Set((opts.ignore ?? []).map((t) => t.normalize('NFC')));
  const prepare = (toks: string[]) => (opts.collapseRepeats ? collapseRepeats(toks) : toks).filter((t) => !ignore.has(t));

  const missingInHyp = [...refs.keys()].filter((id) => !hyps.has(id));
  const extraInHyp = [...hyps.keys()].filter((id) => !refs.has(id));
  if (missingInHyp.length > 0)
    log.warn(`${missingInHyp.length} utterance(s) of ${opts.ref} have no line in ${opts.hyp} and count as all deletions: ${listIds(missingInHyp)}`);
  if (extraInHyp.length > 0)
    log.warn(`${extraInHyp.length} utterance(s) of ${opts.hyp} are not in ${opts.ref} and were not scored: ${listIds(extraInHyp)}`);

  const report = scoreCorpus(
    [...refs].map(([id, ref]) => ({ id, ref: prepare(ref), hyp: prepare(hyps.get(id) ?? []) })),
  );
  return { report, missingInHyp, extraInHyp, text: formatReport(report, opts.showAlignment ?? false) };
}

export function collapseRepeats(tokens: string[]): string[] {
  return tokens.filter((t, i) => i === 0 || t !== tokens[i - 1]);
}

function listIds(ids: string[]): string {
  const shown = ids.slice(0, 10).join(', ');
  return ids.length > 10 ? `${shown}, … (${ids.length - 10} more)` : shown;
}

function formatReport(report: ScoreReport, showAlignment: boolean): string {
  const rows: string[][] = report.utterances.map((u) => [u.id, String(u.refLen), String(u.sub), String(u.del), String(u.ins), percent(u.errorRate)]);
  const t = report.total;
  const totalRow = ['TOTAL', String(t.refLen), String(t.sub), String(t.del), String(t.ins), percent(t.errorRate)];
  const header = ['id', 'N', 'S', 'D', 'I', 'err%'];
  const widths = header.map((h, c) => Math.max(...[header, totalRow, ...rows].map((r) => displayWidth(r[c]))));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell + ' '.repeat(widths[0] - displayWidth(cell)) : cell.padStart(widths[c]))).join('  ');

  const out = [line(header)];
  report.utterances.forEach((u, i) => {
    out.push(line(rows[i]));
    if (showAlignment) out.push(indent(formatAlignment(u.ops)), '');
  });
  out.push(line(totalRow));
  return out.join('\n') + '\n';
}

function percent(rate: number): string {
  return (100 * rate).toFixed(2);
}

function indent(block: string): string {
  return block
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n');
}
