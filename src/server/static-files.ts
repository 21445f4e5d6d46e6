/**
 * The web page's files (web/ at the package root: plain HTML, CSS and ES
 * modules, no build step). They are listed once at start and served by exact
 * name only, so no request path can reach anything else on disk.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/** web/ next to package.json, found by walking up from this module (src/server under vitest, dist/src/server when built). */
export function findWebDir(): string | undefined {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return existsSync(join(dir, 'web', 'index.html')) ? join(dir, 'web') : undefined;
    dir = join(dir, '..');
  }
  return undefined;
}

/** URL path ('/', '/app.js', '/lib/tiers.js') → file contents. */
export function loadStaticFiles(webDir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && MEDIA_TYPES[extname(e.name)]) {
        files.set('/' + relative(webDir, p).split(sep).join('/'), { body: readFileSync(p), contentType: MEDIA_TYPES[extname(e.name)] });
      }
    }
  };
  walk(webDir);
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
}

/** The page may load scripts, styles and data only from this server; audio plays from in-page blobs. */
export const PAGE_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
