/**
 * Getting files out of Debian packages without root: `apt-get download`
 * fetches the .deb into the current folder and `dpkg-deb -x` unpacks it
 * anywhere. Both tools are missing off Debian/Ubuntu, so every failure says
 * how to supply the .deb files by hand instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FieldphoneError, InputFileError, MissingToolError, UsageError } from '../../src/util/errors.js';
import { ensureDir } from '../../src/util/fsx.js';

export interface DebFile {
  path: string;
  package: string;
  version: string;
  arch: string;
}

/** `<package>_<version>_<arch>.deb` (an epoch's ':' is written '%3a' in file names), or null. */
export function parseDebFileName(name: string): Omit<DebFile, 'path'> | null {
  const m = /^([a-z0-9][a-z0-9+.-]*)_([^_]+)_([a-z0-9-]+)\.deb$/.exec(name);
  return m ? { package: m[1], version: decodeURIComponent(m[2]), arch: m[3] } : null;
}

/** The .deb of each package in `dir`; a missing or ambiguous one is an error that says what to put there. */
export function findDebs(dir: string, packages: string[]): DebFile[] {
  if (!existsSync(dir)) throw new InputFileError(dir, 'folder not found', 'unreadable');
  const found = readdirSync(dir)
    .map((name) => ({ name, deb: parseDebFileName(name) }))
    .filter((x): x is { name: string; deb: Omit<DebFile, 'path'> } => x.deb !== null);
  return packages.map((pkg) => {
    const mine = found.filter((x) => x.deb.package === pkg);
    if (mine.length === 0) throw new InputFileError(dir, `no ${pkg}_<version>_all.deb here; download it (e.g. from https://packages.debian.org/${pkg}) into this folder`, 'unreadable');
    if (mine.length > 1) throw new UsageError(`${dir} holds several versions of ${pkg} (${mine.map((x) => x.name).join(', ')}); keep only one`);
    return { path: join(dir, mine[0].name), ...mine[0].deb };
  });
}

function hasTool(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return !r.error;
}

const byHand = (packages: string[]) =>
  `download ${packages.map((p) => `${p}_<version>_all.deb`).join(' and ')} by hand (https://packages.debian.org/) into a folder and pass it with --debs DIR`;

/** `apt-get download` the packages into `dir` (no root needed). */
export function aptDownload(packages: string[], dir: string): void {
  if (!hasTool('apt-get')) throw new MissingToolError(`apt-get is not available on this system; ${byHand(packages)}`);
  ensureDir(dir);
  const r = spawnSync('apt-get', ['download', ...packages], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (r.status !== 0) {
    const detail = (r.stderr ?? '').trim().split('\n').filter((l) => !l.startsWith('W:')).join('\n');
    throw new FieldphoneError(
      'download-failed',
      `apt-get download ${packages.join(' ')} failed${detail ? `:\n${detail}` : ''}\n` +
        `Try 'sudo apt-get update' first (the package lists may be stale or lack the 'main' component), or ${byHand(packages)}.`,
    );
  }
}

/** Unpack a .deb's files under `dest` (like `dpkg -x`). */
export function extractDeb(deb: string, dest: string): void {
  if (!hasTool('dpkg-deb'))
    throw new MissingToolError(`dpkg-deb is needed to unpack ${deb}; install dpkg (Debian/Ubuntu: it is always there; macOS: 'brew install dpkg'), or unpack the packages yourself and pass the usr/share/games/fillets-ng folder with --game-dir DIR`);
  ensureDir(dest);
  const r = spawnSync('dpkg-deb', ['-x', deb, dest], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (r.status !== 0) throw new InputFileError(deb, `cannot unpack (${(r.stderr ?? '').trim() || `dpkg-deb exit ${r.status}`}); the file may be damaged: delete it and run again`, 'corrupt');
}
