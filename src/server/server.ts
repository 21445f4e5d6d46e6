/**
 * `fieldphone serve`: one model behind an HTTP API and a web page, on
 * node:http alone. Routing is a short table; every response is logged as
 * one line (method, path, status, milliseconds).
 *
 * Files: the server writes only inside its private folder (mkdtemp, mode
 * 0700, under the system temp folder), one folder per upload, each removed
 * when its request ends; the private folder goes at shutdown.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, errorMessage } from '../util/errors.js';
import { getLogLevel, log } from '../util/log.js';
import { HttpError, badRequest, requestUrl, send, sendError, sendJson } from './http.js';
import { readModelInfo, readTrainingLog, searchLexicon, type ModelInfo } from './model-info.js';
import { openApiDocument } from './openapi.js';
import { TranscriberPool } from './pool.js';
import { PAGE_SECURITY_POLICY, findWebDir, loadStaticFiles, type StaticFile } from './static-files.js';
import { handleTranscription, type TranscriptionContext } from './transcription.js';

export interface ServeOptions {
  modelDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  maxUploadBytes: number;
  timeoutSec: number;
  /** Transcriptions at the same time (worker threads, each with the model loaded). */
  concurrency: number;
  /** Requests that may wait (or upload) beyond those running; more get 503. */
  queue: number;
  /** Where the private upload folder is made (default: the system temp folder). */
  tmpDir?: string;
  /** The web page's folder (default: web/ of this package). */
  webDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The private folder uploads go to while their request runs. */
  uploadRoot: string;
  backend: string;
  model: ModelInfo;
  /** Stop accepting, let the requests in flight finish, then stop the workers and remove the upload folder. */
  close(): Promise<void>;
  /** Stop now: connections are cut, running transcriptions abandoned. */
  forceClose(): Promise<void>;
  /** Requests being handled now. */
  inFlight(): number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => void | Promise<void>;
interface Route {
  path: RegExp;
  methods: Partial<Record<string, Handler>>;
}

/** A request body still being sent when an error answer goes out is read and dropped for this long, then the connection is cut. */
const LINGER_MS = 2000;

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const model = readModelInfo(o.modelDir);
  const uploadRoot = mkdtempSync(join(o.tmpDir ?? tmpdir(), 'fieldphone-serve-'));
  chmodSync(uploadRoot, 0o700);
  let pool: TranscriberPool;
  try {
    pool = await TranscriberPool.start({ modelDir: model.dir, workers: o.concurrency, queue: o.queue, logLevel: getLogLevel() });
  } catch (e) {
    rmSync(uploadRoot, { recursive: true, force: true });
    throw e;
  }
  const webDir = o.webDir ?? findWebDir();
  const files: Map<string, StaticFile> = webDir ? loadStaticFiles(webDir) : new Map();
  if (!webDir) log.warn('the web page files (web/) were not found; only the API is served');
  const ctx: TranscriptionContext = { pool, uploadRoot, maxUploadBytes: o.maxUploadBytes, timeoutMs: o.timeoutSec * 1000, modelId: model.summary.id };
  const startedAt = Date.now();

  const modelParam = (id: string) => {
    if (id !== model.summary.id && id !== 'current') throw new HttpError(404, 'model-not-found', `no model '${id}' here; this server has '${model.summary.id}' (also reachable as 'current')`);
  };
  const routes: Route[] = [
    {
      path: /^\/healthz$/,
      methods: {
        GET: (_q, res) => sendJson(res, 200, { status: 'ok', model: model.summary.id, backend: pool.backend, uptimeSec: (Date.now() - startedAt) / 1000, workers: pool.status() }),
      },
    },
    {
      path: /^\/openapi\.json$/,
      methods: { GET: (_q, res) => sendJson(res, 200, openApiDocument({ maxUploadBytes: o.maxUploadBytes, timeoutSec: o.timeoutSec, concurrency: o.concurrency, queue: o.queue })) },
    },
    { path: /^\/v1\/models$/, methods: { GET: (_q, res) => sendJson(res, 200, { data: [model.summary] }) } },
    {
      path: /^\/v1\/models\/([^/]+)\/metrics$/,
      methods: {
        GET: (_q, res, [id]) => {
          modelParam(id);
          if (!model.summary.hasTrainingLog) throw new HttpError(404, 'no-training-log', `model '${model.summary.id}' has no training log (training/metrics.jsonl)`);
          sendJson(res, 200, { model: model.summary.id, selectedUpdate: model.summary.selectedUpdate ?? null, records: readTrainingLog(model) });
        },
      },
    },
    {
      path: /^\/v1\/models\/([^/]+)\/lexicon$/,
      methods: {
        GET: (req, res, [id]) => {
          modelParam(id);
          const q = requestUrl(req).searchParams;
          const offset = intParam(q.get('offset'), 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
          const limit = intParam(q.get('limit'), 'limit', 100, 1, 1000);
          const found = searchLexicon(model, { q: q.get('q') ?? undefined, phones: q.get('phones') ?? undefined, offset, limit });
          sendJson(res, 200, { total: model.lexicon.length, matched: found.matched, offset, entries: found.entries, phoneCounts: model.phoneCounts });
        },
      },
    },
    { path: /^\/v1\/transcriptions$/, methods: { POST: (req, res) => handleTranscription(req, res, ctx) } },
  ];

  let closing = false;
  let active = 0;
  const server = createServer({ requestTimeout: 0 });

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const t0 = performance.now();
    active++;
    if (closing) res.setHeader('Connection', 'close');
    const path = requestUrl(req).pathname;
    res.once('close', () => {
      active--;
      const ms = (performance.now() - t0).toFixed(0);
      log.info(`${req.method} ${path} ${res.writableFinished ? res.statusCode : `${res.headersSent ? res.statusCode : '-'} (client gone)`} ${ms} ms`);
      if (closing) server.closeIdleConnections();
    });
    route(req, res, path).catch((e: unknown) => {
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal', errorMessage(e));
      if (!(e instanceof HttpError)) log.error(`${req.method} ${path}: ${errorMessage(e)}`);
      sendError(res, err);
      if (!req.complete) linger(req);
    });
  };

  const route = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const file = files.get(path);
    if (file) {
      if (method !== 'GET') throw methodNotAllowed(['GET', 'HEAD']);
      const page: Record<string, string> = file.contentType.startsWith('text/html') ? { 'Content-Security-Policy': PAGE_SECURITY_POLICY } : {};
      return send(res, 200, file.contentType, file.body, { 'Cache-Control': 'no-cache', ...page });
    }
    for (const r of routes) {
      const m = r.path.exec(path);
      if (!m) continue;
      const h = r.methods[method];
      if (!h) throw methodNotAllowed(Object.keys(r.methods).flatMap((k) => (k === 'GET' ? ['GET', 'HEAD'] : [k])));
      return await h(req, res, m.slice(1).map(decodePathPart));
    }
    throw new HttpError(404, 'not-found', `no such path: ${path}; the API is described at /openapi.json`);
  };

  server.on('request', handle);
  // Expect: 100-continue goes through the same handler, which refuses (too large, busy) before asking for the body.
  server.on('checkContinue', handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (e: unknown) => {
    await pool.close();
    rmSync(uploadRoot, { recursive: true, force: true });
    throw listenError(e, o.host, o.port);
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;

  let closed: Promise<void> | undefined;
  const finish = async () => {
    await pool.close();
    rmSync(uploadRoot, { recursive: true, force: true });
  };
  return {
    url: `http://${host}:${port}/`,
    port,
    uploadRoot,
    backend: pool.backend,
    model,
    inFlight: () => active,
    close() {
      closing = true;
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests end by their own time limit; past it (plus a margin) connections are cut.
        setTimeout(() => server.closeAllConnections(), o.timeoutSec * 1000 + 5000).unref();
      }).then(finish);
      return closed;
    },
    async forceClose() {
      closing = true;
      server.close();
      server.closeAllConnections();
      await finish();
    },
  };
}

/** The usual reasons a port cannot be had, said as what to do. */
function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UsageError(`port ${port} on ${host} is in use by another program; choose another with --port (0: any free port)`);
  if (code === 'EACCES') return new UsageError(`no permission to listen on port ${port}; ports below 1024 need administrator rights, use e.g. --port 8080`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new UsageError(`cannot listen on --host ${host}: this computer has no such address`);
  return e;
}

function methodNotAllowed(allowed: string[]): HttpError {
  return new HttpError(405, 'method-not-allowed', `allowed here: ${allowed.join(', ')}`, { Allow: allowed.join(', ') });
}

function decodePathPart(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw badRequest(`bad percent-encoding in the path: '${s}'`, 'bad-parameter');
  }
}

function intParam(value: string | null, name: string, dflt: number, min: number, max: number): number {
  if (value === null || value === '') return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be a whole number from ${min} to ${max}, got '${value}'`, 'bad-parameter');
  return n;
}

/**
 * After an early answer (413, 503, …) the client may still be sending its
 * body. Reading and dropping it for a moment lets the client see the answer
 * (closing at once would reset the connection under it); a body that goes
 * on longer is cut off.
 */
function linger(req: IncomingMessage): void {
  req.resume();
  const cut = setTimeout(() => req.socket.destroy(), LINGER_MS);
  cut.unref();
  req.once('end', () => clearTimeout(cut));
  req.once('close', () => clearTimeout(cut));
}
