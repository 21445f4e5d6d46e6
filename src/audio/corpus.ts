/**
 * Which files make up a corpus: every audio file under a folder, the files
 * named in a list file, or a single audio file. Paths come back absolute and, for folders,
 * sorted by code point so the order does not depend on the machine's locale.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { InputFileError } from '../util/errors.js';
import { log } from '../util/log.js';

/** Lower-case, with the dot. Folder walks pick files by these; list files may name anything. */
export const AUDIO_EXTENSIONS: string[] = [
  '.wav', '.wave', '.flac', '.ogg', '.oga', '.mp3',
  '.m4a', '.mp4', '.aac', '.opus', '.webm', '.mka', '.aif', '.aiff', '.aifc', '.caf', '.amr', '.wma',
];

export async function listCorpus(pathOrList: string): Promise<string[]> {
  const root = resolve(pathOrList);
  let info;
  try {
    info = await stat(root);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputFileError(pathOrList, code === 'ENOENT' ? 'no such folder or list file' : `cannot be read (${(e as Error).message})`, 'unreadable');
  }
  if (info.isDirectory()) {
    const files = await walk(root, new Set());
    if (files.length === 0) {
      throw new InputFileError(pathOrList, `folder contains no audio files (looked for ${AUDIO_EXTENSIONS.join(' ')})`, 'empty');
    }
    return files.sort(byCodePoint);
  }
  // A single recording given where a corpus is expected is a corpus of one.
  if (AUDIO_EXTENSIONS.includes(extname(root).toLowerCase())) return [root];
  return readList(root, pathOrList);
}

async function walk(dir: string, seen: Set<string>): Promise<string[]> {
  // Symbolic links are followed; `seen` stops a link that points back up the tree.
  const real = await realpath(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new InputFileError(dir, `folder cannot be read (${(e as Error).message})`, 'unreadable');
  }
  const out: string[] = [];
  for (const ent of entries) {
    if (ent.name.startsWith('.')) continue;
    const p = join(dir, ent.name);
    let isDir = ent.isDirectory();
    let isFile = ent.isFile();
    if (ent.isSymbolicLink()) {
      const target = await stat(p).catch(() => null);
      if (!target) {
        log.warn(`${p}: broken symbolic link, skipped`);
        continue;
      }
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    // Not push(...list): spreading a folder of 130k+ files overflows the stack.
    if (isDir) for (const f of await walk(p, seen)) out.push(f);
    else if (isFile && AUDIO_EXTENSIONS.includes(extname(ent.name).toLowerCase())) out.push(p);
  }
  return out;
}

/** One path per line, relative to the list file's folder; blank lines and lines starting with '#' are skipped. */
async function readList(listPath: string, shownAs: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(listPath, 'utf8');
  } catch (e) {
    throw new InputFileError(shownAs, `list file cannot be read (${(e as Error).message})`, 'unreadable');
  }
  const base = dirname(listPath);
  const out: string[] = [];
  const seen = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const p = resolve(base, line);
    const info = await stat(p).catch(() => null);
    if (!info) throw new InputFileError(shownAs, `line ${i + 1}: ${line} does not exist`, 'unreadable');
    if (!info.isFile()) throw new InputFileError(shownAs, `line ${i + 1}: ${line} is not a file`, 'unreadable');
    if (seen.has(p)) {
      log.warn(`${shownAs}: line ${i + 1}: ${line} is listed twice; using it once`);
      continue;
    }
    seen.add(p);
    out.push(p);
  }
  if (out.length === 0) throw new InputFileError(shownAs, 'list file names no files', 'empty');
  return out;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
