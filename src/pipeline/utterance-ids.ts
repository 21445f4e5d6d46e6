/**
 * Utterance ids name a recording everywhere (feature stores, transcripts,
 * scoring). Rule: the file name without extension, which is what Kaldi-style
 * transcripts use; when two files in one corpus share a name, every id becomes
 * the path relative to the common folder instead, so ids stay unique and stable.
 */
import { basename, dirname, extname, relative, resolve, sep } from 'node:path';

function stripExt(p: string): string {
  return p.slice(0, p.length - extname(p).length);
}

function commonDir(paths: string[]): string {
  if (paths.length === 0) return '';
  let parts = dirname(resolve(paths[0])).split(sep);
  for (const p of paths.slice(1)) {
    const q = dirname(resolve(p)).split(sep);
    let i = 0;
    while (i < parts.length && i < q.length && parts[i] === q[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join(sep) || sep;
}

/** Ids for a corpus' files, in the same order; whitespace becomes '_' (ids are space-separated in text files). */
export function utteranceIds(paths: string[]): string[] {
  const clean = (s: string) => s.replace(/\s+/g, '_');
  const names = paths.map((p) => clean(stripExt(basename(p))));
  if (new Set(names).size === names.length) return names;
  const root = commonDir(paths);
  return paths.map((p) => clean(stripExt(relative(root, resolve(p))).split(sep).join('/')));
}
