/**
 * Reading back the transcript JSONs `fieldphone transcribe` writes
 * (src/transcribe/outputs.ts): timed phones, and timed words when the model
 * decoded words. What lexicon export and word discovery count.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readUserText } from '../text/index.js';
import { InputFileError } from '../util/errors.js';
import { log } from '../util/log.js';

export interface TimedPhone {
  phone: string;
  start: number;
  end: number;
}

export interface TimedWord {
  word: string;
  start: number;
  end: number;
  phones: string[];
  oov: boolean;
}

export interface TranscriptRecord {
  /** The transcript file. */
  path: string;
  /** The recording it transcribes. */
  file: string;
  phones: TimedPhone[];
  /** Absent when the transcript has phones only. */
  words?: TimedWord[];
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** One transcript JSON; undefined when the JSON is not a transcript (no `segments`), an InputFileError when it is one but broken. */
export function parseTranscriptJson(path: string, text: string): TranscriptRecord | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new InputFileError(path, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof j !== 'object' || j === null || !Array.isArray((j as { segments?: unknown }).segments)) return undefined;
  const o = j as { file?: unknown; segments: unknown[]; words?: unknown };
  const phones = o.segments.map((s, i) => {
    const x = s as Partial<TimedPhone>;
    if (typeof x?.phone !== 'string' || !isNum(x.start) || !isNum(x.end)) throw new InputFileError(path, `segments[${i}] needs a phone and numeric start and end`);
    return { phone: x.phone, start: x.start, end: x.end };
  });
  let words: TimedWord[] | undefined;
  if (o.words !== undefined) {
    if (!Array.isArray(o.words)) throw new InputFileError(path, '"words" is not a list');
    words = o.words.map((w, i) => {
      const x = w as Partial<Omit<TimedWord, 'phones'>> & { phones?: unknown };
      // Phones as a list (what transcribe writes) or as one space-separated string.
      const ph = typeof x?.phones === 'string' ? x.phones.split(/\s+/u).filter((p) => p !== '') : x?.phones;
      if (typeof x?.word !== 'string' || !isNum(x.start) || !isNum(x.end) || !Array.isArray(ph))
        throw new InputFileError(path, `words[${i}] needs a word, numeric start and end, and phones`);
      return { word: x.word, start: x.start, end: x.end, phones: ph.map(String), oov: x.oov === true };
    });
  }
  return { path, file: typeof o.file === 'string' ? o.file : path, phones, ...(words ? { words } : {}) };
}

/** Every transcript JSON under `dir` (searched recursively), in path order. */
export function readTranscripts(dir: string): TranscriptRecord[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new InputFileError(dir, 'transcript folder not found');
  }
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) files.push(p);
    }
  };
  if (st.isDirectory()) walk(dir);
  else files.push(dir);
  const out: TranscriptRecord[] = [];
  for (const f of files) {
    const t = parseTranscriptJson(f, readUserText(f));
    if (t) out.push(t);
    else log.verbose(`${f}: not a transcript (no "segments"), skipped`);
  }
  if (out.length === 0) throw new InputFileError(dir, 'has no transcript JSON files (made by `fieldphone transcribe --format json`)');
  return out;
}
