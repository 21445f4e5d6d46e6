/**
 * The lexicon for linguists: every word of a model's (or prepare-text
 * folder's) lexicon with its pronunciation(s), how often the text uses it,
 * and how often and where the transcribed recordings contain it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MODEL_FILES, MODEL_STAGE } from '../model/model-folder.js';
import { PREPARE_TEXT_STAGE, TEXT_FILES, type PrepareTextConfig } from '../pipeline/prepare-text.js';
import { parseLexicon, readUserLines } from '../text/index.js';
import { ArtifactError } from '../util/errors.js';
import { readJson } from '../util/fsx.js';
import { log } from '../util/log.js';
import type { Manifest } from '../util/manifest.js';
import { compareOccurrences, type LexiconEntry, type Occurrence } from './entry.js';
import type { TranscriptRecord } from './transcripts.js';

/** Where a folder's lexicon and text are. */
export interface LexiconSource {
  dir: string;
  lexiconPath: string;
  /** The prepared text (words.txt), when it can be found. */
  wordsPath?: string;
  /** The espeak-ng language the text was phonemized with, if any (a BCP 47 tag). */
  language?: string;
}

function manifestOf(dir: string): Manifest<unknown> | undefined {
  const p = join(dir, 'manifest.json');
  return existsSync(p) ? readJson<Manifest<unknown>>(p) : undefined;
}

function languageOf(m: Manifest<unknown> | undefined): string | undefined {
  const ph = (m?.config as Partial<PrepareTextConfig> | undefined)?.phonemizer;
  return ph?.kind === 'espeak' && ph.language ? ph.language : undefined;
}

/**
 * A model folder (its lexicon.txt; words.txt from the prepare-text folder it
 * was trained with, when that is still there) or a prepare-text folder.
 */
export function findLexiconSource(dir: string): LexiconSource {
  if (!existsSync(dir)) throw new ArtifactError(dir, 'folder not found (expected a model folder or a prepare-text folder)');
  const m = manifestOf(dir);
  if (m?.stage === PREPARE_TEXT_STAGE) {
    const wordsPath = join(dir, TEXT_FILES.words);
    return { dir, lexiconPath: join(dir, TEXT_FILES.lexicon), wordsPath: existsSync(wordsPath) ? wordsPath : undefined, language: languageOf(m) };
  }
  if (m?.stage === MODEL_STAGE) {
    const textDir = (m.inputs as { text?: string } | undefined)?.text;
    const textManifest = textDir ? manifestOf(textDir) : undefined;
    const wordsPath = textDir && textManifest?.stage === PREPARE_TEXT_STAGE ? join(textDir, TEXT_FILES.words) : undefined;
    if (!wordsPath || !existsSync(wordsPath))
      log.warn(`the text ${dir} was trained with (${textDir ?? 'unknown'}) is not there any more: text frequencies are left out (give the prepare-text folder instead to have them)`);
    return { dir, lexiconPath: join(dir, MODEL_FILES.lexicon), wordsPath: wordsPath && existsSync(wordsPath) ? wordsPath : undefined, language: languageOf(textManifest) };
  }
  throw new ArtifactError(dir, m ? `is a '${m.stage}' folder; expected a model folder or a prepare-text folder` : 'has no manifest.json; expected a model folder or a prepare-text folder');
}

/** Token counts of a words.txt (one normalised sentence per line). */
export function countWords(wordsPath: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readUserLines(wordsPath)) for (const w of line.split(/\s+/u)) if (w !== '') counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** Lexicon words recognised in the transcripts (not unknown stretches), with their occurrences in file and time order. */
export function wordOccurrences(transcripts: readonly TranscriptRecord[]): Map<string, Occurrence[]> {
  const out = new Map<string, Occurrence[]>();
  for (const t of transcripts)
    for (const w of t.words ?? []) {
      if (w.oov) continue;
      const list = out.get(w.word) ?? [];
      list.push({ file: t.file, start: w.start, end: w.end });
      out.set(w.word, list);
    }
  for (const list of out.values()) list.sort(compareOccurrences);
  return out;
}

export interface ExportOptions {
  /** Transcripts to count attestations in (none: audio counts are left out). */
  transcripts?: readonly TranscriptRecord[];
  /** Example occurrences kept per entry. */
  examples: number;
}

/** One entry per lexicon word, in the lexicon's (sorted) order. */
export function buildLexiconEntries(src: LexiconSource, o: ExportOptions): LexiconEntry[] {
  const lex = parseLexicon(src.lexiconPath);
  const text = src.wordsPath ? countWords(src.wordsPath) : undefined;
  const heard = o.transcripts ? wordOccurrences(o.transcripts) : undefined;
  if (o.transcripts && o.transcripts.every((t) => t.words === undefined))
    log.warn('the transcripts have phones only (no words: the model had no lexicon, or they were made before word decoding); audio counts are all 0');
  const unknown = heard ? [...heard.keys()].filter((w) => !lex.pronunciations.has(w)) : [];
  if (unknown.length > 0) log.warn(`${unknown.length} words of the transcripts are not in ${resolve(src.lexiconPath)} (transcribed with another model?), e.g. ${unknown.slice(0, 5).join(', ')}`);
  return [...lex.pronunciations].map(([headword, pronunciations]) => {
    const occ = heard?.get(headword) ?? [];
    return {
      headword,
      pronunciations,
      ...(text ? { textCount: text.get(headword) ?? 0 } : {}),
      ...(heard ? { audioCount: occ.length } : {}),
      examples: occ.slice(0, o.examples),
    };
  });
}
