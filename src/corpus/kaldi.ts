/**
 * Kaldi-style data folders: plain-text tables of "<id> <value>" lines sorted
 * by id, one folder per split. Ours hold
 *   wav.list  one wav path per line, relative to the folder (what listCorpus reads)
 *   text      id + the original transcript
 *   words     id + normalised words
 *   phones    id + reference phones (words concatenated, no <SIL>)
 * Wav files are named <id>.wav, which is how a wav.list line maps to its id.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { ArtifactError, InputFileError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';

/** Byte-wise order (as `LC_ALL=C sort`, which Kaldi's tools expect). */
export function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function checkId(id: string): void {
  if (id === '' || /\s/.test(id)) throw new Error(`Kaldi table id ${JSON.stringify(id)} is empty or contains whitespace`);
}

/** Write "<id> <value>" lines sorted by id; values must be single lines. */
export function writeKaldiTable(path: string, rows: Iterable<readonly [string, string]>): void {
  const sorted = [...rows].sort((x, y) => compareIds(x[0], y[0]));
  const lines: string[] = [];
  for (let k = 0; k < sorted.length; k++) {
    const [id, value] = sorted[k];
    checkId(id);
    if (k > 0 && sorted[k - 1][0] === id) throw new Error(`Kaldi table ${path}: id '${id}' appears twice`);
    if (/[\n\r]/.test(value)) throw new Error(`Kaldi table ${path}: value for '${id}' contains a line break`);
    lines.push(value === '' ? id : `${id} ${value}`);
  }
  writeFileAtomic(path, lines.map((l) => l + '\n').join(''));
}

/** Read a Kaldi table; the value is everything after the first run of blanks. */
export function readKaldiTable(path: string): Map<string, string> {
  if (!existsSync(path)) throw new InputFileError(path, 'file not found', 'unreadable');
  const table = new Map<string, string>();
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((raw, k) => {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '') return;
      const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) throw new InputFileError(path, `line ${k + 1}: expected '<id> <value>'`, 'corrupt');
      if (table.has(m[1])) throw new InputFileError(path, `line ${k + 1}: id '${m[1]}' appears twice`, 'corrupt');
      table.set(m[1], (m[2] ?? '').trimEnd());
    });
  return table;
}

export interface CorpusUtterance {
  id: string;
  /** Path of the utterance's wav file (absolute, or relative to the process cwd); its name must be <id>.wav. */
  wav: string;
  /** Original transcript. */
  text: string;
  words: string[];
  phones: string[];
}

/** Write wav.list, text, words and phones for these utterances into `dir`. */
export function writeDataFolder(dir: string, utts: CorpusUtterance[]): void {
  const sorted = [...utts].sort((a, b) => compareIds(a.id, b.id));
  for (const u of sorted)
    if (basename(u.wav, extname(u.wav)) !== u.id) throw new Error(`wav file ${u.wav} is not named after its utterance id '${u.id}'`);
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
  writeFileAtomic(join(dir, 'wav.list'), sorted.map((u) => relative(resolve(dir), resolve(u.wav)).split(sep).join('/') + '\n').join(''));
  writeKaldiTable(join(dir, 'text'), sorted.map((u) => [u.id, oneLine(u.text)] as const));
  writeKaldiTable(join(dir, 'words'), sorted.map((u) => [u.id, u.words.join(' ')] as const));
  writeKaldiTable(join(dir, 'phones'), sorted.map((u) => [u.id, u.phones.join(' ')] as const));
}

/** Read a folder written by writeDataFolder; wav paths come back absolute. */
export function readDataFolder(dir: string): CorpusUtterance[] {
  const listPath = join(dir, 'wav.list');
  if (!existsSync(listPath)) throw new ArtifactError(listPath, 'file is missing');
  const text = readKaldiTable(join(dir, 'text'));
  const words = readKaldiTable(join(dir, 'words'));
  const phones = readKaldiTable(join(dir, 'phones'));
  const wavs = readFileSync(listPath, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (wavs.length !== text.size) throw new ArtifactError(listPath, `${wavs.length} wav files but ${text.size} transcripts in 'text'`);
  return wavs.map((w) => {
    const id = basename(w, extname(w));
    const t = text.get(id);
    if (t === undefined) throw new ArtifactError(listPath, `${w}: no transcript with id '${id}' in 'text'`);
    const ws = words.get(id);
    const ps = phones.get(id);
    if (ws === undefined || ps === undefined) throw new ArtifactError(dir, `utterance '${id}' is missing from '${ws === undefined ? 'words' : 'phones'}'`);
    const split = (s: string) => (s === '' ? [] : s.split(/\s+/));
    return { id, wav: resolve(dir, w), text: t, words: split(ws), phones: split(ps) };
  });
}
