/**
 * The other tools as the judges of our files: xmllint validates EAFs against
 * the shipped schema, Praat reads TextGrids. A missing tool fails the test
 * with the Debian package to install, rather than skipping the check.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const EAF_XSD = fileURLToPath(new URL('../../schemas/EAFv3.0.xsd', import.meta.url));

function run(tool: string, debianPackage: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw new Error(`${tool} is not installed; these tests need it: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`);
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** xmllint's verdict on `file` against `xsd`: ok, and its messages. */
export function xmllintValidate(file: string, xsd = EAF_XSD): { ok: boolean; messages: string } {
  const r = run('xmllint', 'libxml2-utils', ['--noout', '--schema', xsd, file]);
  return { ok: r.status === 0, messages: r.stderr };
}

/** Run a Praat script with arguments; stdout is what the script's appendInfoLine wrote. */
export function praatRun(dir: string, script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const path = join(dir, `script-${Math.random().toString(36).slice(2)}.praat`);
  writeFileSync(path, script);
  return run('praat', 'praat', ['--run', path, ...args]);
}

export interface PraatTier {
  name: string;
  kind: 'interval' | 'point';
  /** Interval tiers: does Praat see them tile [tmin, tmax] (first start = tmin, each end = next start, last end = tmax)? */
  tiles: boolean;
  items: { start: number; end: number; label: string }[];
}

const READ_TEXTGRID = `form Read
  sentence path
endform
Read from file: path$
tmin = Get start time
tmax = Get end time
n = Get number of tiers
appendInfoLine: "grid", tab$, fixed$ (tmin, 9), tab$, fixed$ (tmax, 9), tab$, n
for t to n
  name$ = Get tier name: t
  isInterval = Is interval tier: t
  if isInterval
    k = Get number of intervals: t
    tiles = 1
    prev = tmin
    for i to k
      s = Get start time of interval: t, i
      if s <> prev
        tiles = 0
      endif
      prev = Get end time of interval: t, i
    endfor
    if prev <> tmax
      tiles = 0
    endif
    appendInfoLine: "tier", tab$, "interval", tab$, tiles, tab$, name$
    for i to k
      s = Get start time of interval: t, i
      en = Get end time of interval: t, i
      label$ = Get label of interval: t, i
      appendInfoLine: "item", tab$, fixed$ (s, 9), tab$, fixed$ (en, 9), tab$, label$
    endfor
  else
    k = Get number of points: t
    appendInfoLine: "tier", tab$, "point", tab$, 1, tab$, name$
    for i to k
      s = Get time of point: t, i
      label$ = Get label of point: t, i
      appendInfoLine: "item", tab$, fixed$ (s, 9), tab$, fixed$ (s, 9), tab$, label$
    endfor
  endif
endfor
`;

/** What Praat sees in a TextGrid file (times to 1e-9 s); throws with Praat's message when it cannot read it. */
export function praatReadTextGrid(dir: string, file: string): { xmin: number; xmax: number; tiers: PraatTier[] } {
  const r = praatRun(dir, READ_TEXTGRID, [file]);
  if (r.status !== 0) throw new Error(`Praat could not read ${file}:\n${r.stderr}`);
  let grid = { xmin: NaN, xmax: NaN, tiers: [] as PraatTier[] };
  for (const line of r.stdout.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'grid') grid = { xmin: Number(f[1]), xmax: Number(f[2]), tiers: [] };
    else if (f[0] === 'tier') grid.tiers.push({ name: f.slice(3).join('\t'), kind: f[1] as 'interval' | 'point', tiles: f[2] === '1', items: [] });
    else if (f[0] === 'item') grid.tiers.at(-1)!.items.push({ start: Number(f[1]), end: Number(f[2]), label: f.slice(3).join('\t') });
  }
  return grid;
}

const RESAVE = `form Resave
  sentence inp
  sentence out
  sentence how
endform
Read from file: inp$
if how$ = "text"
  Text writing preferences: "UTF-8"
  Save as text file: out$
elsif how$ = "short-utf16"
  Text writing preferences: "UTF-16"
  Save as short text file: out$
elsif how$ = "binary"
  Save as binary file: out$
else
  Save as chronological text file: out$
endif
`;

/** Have Praat read `inp` and save it as `out` in one of its formats. */
export function praatResave(dir: string, inp: string, out: string, how: 'text' | 'short-utf16' | 'binary' | 'chronological'): void {
  const r = praatRun(dir, RESAVE, [inp, out, how]);
  if (r.status !== 0) throw new Error(`Praat could not resave ${inp}:\n${r.stderr}`);
}
