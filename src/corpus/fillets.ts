/**
 * The Fish Fillets NG game data as a speech corpus: dialogue transcripts from
 * `script/**\/*dialogs_<lang>.lua`, recordings from `sound/.../<lang>/<id>.ogg`.
 *
 * Each dialogue file is a sequence of
 *   dialogId("id", "font", "English text")
 *   dialogStr("translated text")
 * and the game pairs a dialogStr with the dialogId before it. Which sound
 * folder belongs to which dialogue file is decided by the game's own
 * `dialogLoad(prefix, soundPrefix)` calls (default soundPrefix
 * "sound/<codename>/"), so we read those calls rather than guess.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { InputFileError, errorMessage } from '../util/errors.js';
import { log } from '../util/log.js';
import { parseLuaCalls } from './lua.js';

export interface DialogLine {
  id: string;
  font: string;
  /** The English "prime" subtitle given in dialogId. */
  english: string;
  /** The translation from the dialogStr that follows, or null when the dialogId has none. */
  text: string | null;
  /** Line of the dialogId call. */
  line: number;
}

/** Read one dialogs_<lang>.lua file. */
export function parseDialogs(source: string, file: string): DialogLine[] {
  const out: DialogLine[] = [];
  let current: Omit<DialogLine, 'text'> | undefined;
  let currentHasText = false;
  const str = (v: unknown, what: string, line: number): string => {
    if (typeof v !== 'string') throw new InputFileError(file, `line ${line}: ${what} must be a string`, 'corrupt');
    return v;
  };
  for (const call of parseLuaCalls(source, file, ['dialogId', 'dialogStr'])) {
    if (call.name === 'dialogId') {
      if (current && !currentHasText) out.push({ ...current, text: null });
      const id = str(call.args[0], 'the dialogue id (1st argument of dialogId)', call.line);
      if (id === '') throw new InputFileError(file, `line ${call.line}: empty dialogue id`, 'corrupt');
      current = {
        id,
        font: call.args[1] == null ? '' : str(call.args[1], 'the font (2nd argument of dialogId)', call.line),
        english: call.args[2] == null ? '' : str(call.args[2], 'the subtitle (3rd argument of dialogId)', call.line),
        line: call.line,
      };
      currentHasText = false;
    } else {
      if (!current) throw new InputFileError(file, `line ${call.line}: dialogStr(...) before any dialogId(...)`, 'corrupt');
      // A second dialogStr for the same id is a second recording of it in the game; keep both, dedup decides later.
      out.push({ ...current, text: str(call.args[0], 'the text (argument of dialogStr)', call.line) });
      currentHasText = true;
    }
  }
  if (current && !currentHasText) out.push({ ...current, text: null });
  return out;
}

function walk(dir: string, keep: (path: string) => boolean, acc: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, keep, acc);
    else if (keep(p)) acc.push(p);
  }
  return acc;
}

/** Game-relative path with '/' separators, as the game's scripts write them. */
function gamePath(gameDir: string, p: string): string {
  return relative(gameDir, p).split(sep).join('/');
}

/**
 * dialogue-file prefix ("script/city/") → sound prefix ("sound/city/") from
 * every dialogLoad call in the game's scripts. `codename` in those calls is the
 * level's folder name under script/.
 */
export function readSoundPrefixes(gameDir: string): Map<string, string> {
  const map = new Map<string, string>();
  const scripts = walk(join(gameDir, 'script'), (p) => p.endsWith('.lua') && !/dialogs_[^/\\]*\.lua$/.test(p));
  for (const file of scripts) {
    const src = readFileSync(file, 'utf8');
    if (!src.includes('dialogLoad')) continue;
    const codename = basename(dirname(file));
    let calls;
    try {
      calls = parseLuaCalls(src, file, ['dialogLoad'], { codename });
    } catch (e) {
      // Game code may compute its prefixes at run time; its dialogues then fall back to the default folder.
      log.warn(`cannot read the dialogLoad calls in ${errorMessage(e)}; assuming sound/<level>/ for its dialogues`);
      continue;
    }
    for (const call of calls) {
      const [prefix, soundPrefix] = call.args;
      if (typeof prefix !== 'string') continue;
      if (!map.has(prefix)) map.set(prefix, typeof soundPrefix === 'string' ? soundPrefix : `sound/${codename}/`);
    }
  }
  return map;
}

export interface FilletsUtterance {
  id: string;
  text: string;
  english: string;
  /** Game-relative dialogue file and line of the dialogId. */
  source: string;
  line: number;
  /** Absolute path of the recording. */
  audio: string;
}

export interface FilletsCorpus {
  utterances: FilletsUtterance[];
  /** Later lines with an id already taken (with text and audio); `sameAudio` when the recordings are byte-identical. */
  duplicates: { id: string; kept: string; dropped: string; sameText: boolean; sameAudio: boolean }[];
  /** Translated lines whose recording does not exist. */
  missingAudio: { id: string; source: string; expected: string }[];
  /** dialogId calls without a dialogStr (e.g. sound effects). */
  noText: { id: string; source: string }[];
  /** Game-relative recordings in a <lang> folder that no dialogue line refers to. */
  audioWithoutText: string[];
  dialogFiles: string[];
}

function sameBytes(a: string, b: string): boolean {
  if (a === b) return true;
  if (statSync(a).size !== statSync(b).size) return false;
  return readFileSync(a).equals(readFileSync(b));
}

/**
 * Pair every translated dialogue line of `lang` with its recording. Files are
 * read in sorted path order and lines in file order, so "first wins" on
 * duplicate ids is deterministic. Only lines that have a recording compete for
 * an id: a line without audio never hides one with audio.
 */
export function collectFilletsCorpus(gameDir: string, lang: string): FilletsCorpus {
  const scriptDir = join(gameDir, 'script');
  if (!existsSync(scriptDir)) throw new InputFileError(gameDir, "not a Fish Fillets NG data folder (it has no 'script' folder)", 'unsupported-format');
  const suffix = `dialogs_${lang}.lua`;
  const dialogFiles = walk(scriptDir, (p) => basename(p).endsWith(suffix));
  if (dialogFiles.length === 0) throw new InputFileError(scriptDir, `no *${suffix} dialogue files: is the '${lang}' language package extracted here?`, 'empty');
  const prefixes = readSoundPrefixes(gameDir);

  const result: FilletsCorpus = { utterances: [], duplicates: [], missingAudio: [], noText: [], audioWithoutText: [], dialogFiles: [] };
  const byId = new Map<string, FilletsUtterance>();
  const referenced = new Set<string>();
  for (const file of dialogFiles) {
    const rel = gamePath(gameDir, file);
    result.dialogFiles.push(rel);
    const prefix = rel.slice(0, rel.length - suffix.length);
    const soundPrefix = prefixes.get(prefix) ?? `sound/${basename(dirname(file))}/`;
    for (const d of parseDialogs(readFileSync(file, 'utf8'), file)) {
      const source = `${rel}:${d.line}`;
      if (d.text === null) {
        result.noText.push({ id: d.id, source });
        continue;
      }
      const audioRel = `${soundPrefix}${lang}/${d.id}.ogg`;
      const audio = join(gameDir, ...audioRel.split('/'));
      referenced.add(audioRel);
      if (!existsSync(audio)) {
        result.missingAudio.push({ id: d.id, source, expected: audioRel });
        continue;
      }
      const kept = byId.get(d.id);
      if (kept) {
        result.duplicates.push({ id: d.id, kept: `${kept.source}:${kept.line}`, dropped: source, sameText: kept.text === d.text, sameAudio: sameBytes(kept.audio, audio) });
        continue;
      }
      const u: FilletsUtterance = { id: d.id, text: d.text, english: d.english, source: rel, line: d.line, audio };
      byId.set(d.id, u);
      result.utterances.push(u);
    }
  }

  const soundDir = join(gameDir, 'sound');
  if (existsSync(soundDir))
    result.audioWithoutText = walk(soundDir, (p) => p.endsWith('.ogg') && basename(dirname(p)) === lang)
      .map((p) => gamePath(gameDir, p))
      .filter((p) => !referenced.has(p));
  return result;
}
