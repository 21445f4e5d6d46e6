/**
 * Lexicon entries → files: TSV (spreadsheets), JSON (programs), Kaldi
 * lexicon.txt (ASR tools, `prepare-text --lexicon`) and LIFT (FLEx).
 */
import { join } from 'node:path';
import { renderKaldiLexicon } from '../formats/kaldi-lexicon.js';
import { renderLift } from '../formats/lift.js';
import { UsageError } from '../util/errors.js';
import { assertNotInput, writeFileAtomic } from '../util/fsx.js';
import { toolVersion } from '../util/manifest.js';
import type { LexiconEntry } from './entry.js';

export type LexiconFormat = 'tsv' | 'json' | 'kaldi' | 'lift';
export const LEXICON_FORMATS: LexiconFormat[] = ['tsv', 'json', 'kaldi', 'lift'];
const EXTENSION: Record<LexiconFormat, string> = { tsv: '.tsv', json: '.json', kaldi: '.txt', lift: '.lift' };

/** "tsv,lift" → formats, each once; an unknown name is a UsageError listing the choices. */
export function parseLexiconFormats(list: string): LexiconFormat[] {
  const names = list.split(',').map((f) => f.trim().toLowerCase()).filter((f) => f !== '');
  for (const f of names) if (!LEXICON_FORMATS.includes(f as LexiconFormat)) throw new UsageError(`unknown lexicon format '${f}'; choose from ${LEXICON_FORMATS.join(', ')}`);
  if (names.length === 0) throw new UsageError(`no format given; choose from ${LEXICON_FORMATS.join(', ')}`);
  return [...new Set(names)] as LexiconFormat[];
}

/** BCP 47 as far as a writing-system tag needs: "cs", "en-us", "qaa-x-kalam". */
export function checkLanguageTag(lang: string): string {
  if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(lang)) throw new UsageError(`'${lang}' is not a language tag (BCP 47, e.g. cs, en-US, or qaa-x-name for a language without a code)`);
  return lang;
}

const cell = (s: string) => s.replace(/[\t\n\r]+/g, ' ');
const seconds = (x: number) => x.toFixed(3);

function renderTsv(entries: readonly LexiconEntry[]): string {
  const candidates = entries.some((e) => e.candidate);
  const header = ['headword', 'pronunciation', ...(candidates ? ['score'] : []), 'text_count', 'audio_count', 'examples'];
  const rows = entries.map((e) => [
    cell(e.headword),
    // Variants separated by " ; ", phones by spaces.
    e.pronunciations.map((p) => p.join(' ')).join(' ; '),
    ...(candidates ? [e.score === undefined ? '' : String(e.score)] : []),
    e.textCount === undefined ? '' : String(e.textCount),
    e.audioCount === undefined ? '' : String(e.audioCount),
    e.examples.map((x) => `${cell(x.file)} ${seconds(x.start)}-${seconds(x.end)}`).join('; '),
  ]);
  return [header, ...rows].map((r) => r.join('\t')).join('\n') + '\n';
}

export interface LexiconFileMeta {
  lang: string;
  /** What the entries were made from, recorded in the JSON. */
  source: Record<string, unknown>;
}

export function renderLexicon(entries: readonly LexiconEntry[], format: LexiconFormat, meta: LexiconFileMeta): string {
  switch (format) {
    case 'tsv':
      return renderTsv(entries);
    case 'json':
      return JSON.stringify({ lang: meta.lang, ...meta.source, entries }, null, 2) + '\n';
    case 'kaldi':
      return renderKaldiLexicon(entries);
    case 'lift':
      return renderLift(entries, { lang: meta.lang, producer: `fieldphone ${toolVersion()}` });
  }
}

/** Write OUT/<stem>.<ext> per format (atomically), never over one of `inputs`; returns the paths. */
export function writeLexiconFiles(entries: readonly LexiconEntry[], formats: LexiconFormat[], outDir: string, stem: string, meta: LexiconFileMeta, inputs: string[]): string[] {
  const paths = formats.map((f) => join(outDir, stem + EXTENSION[f]));
  for (const p of paths) assertNotInput(p, inputs);
  formats.forEach((f, i) => writeFileAtomic(paths[i], renderLexicon(entries, f, meta)));
  return paths;
}
