/**
 * `fieldphone serve` through the built CLI, with a tiny model trained on the
 * shared fixture: every endpoint, every error code, the limits (upload size,
 * time, queue), the private upload folder (empty between requests, gone at
 * shutdown, nothing written elsewhere), and graceful shutdown. Transcripts
 * are checked against `fieldphone transcribe` on the same recordings: the
 * API must give exactly what the CLI gives.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync, rmSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseEaf } from '../../src/formats/index.js';
import { TRANSCRIPT_FORMATS } from '../../src/transcribe/outputs.js';
import { snapshot } from '../helpers/cli.js';
import { fieldphone } from '../train/fixture.js';
import { call, json, openUpload, postAudio, sleep, waitFor, type Reply } from './http-client.js';
import { startServe, trainServedModel, type Server, type ServedModel } from './serve-fixture.js';

interface ErrorBody {
  error: { code: string; message: string };
}
interface Transcript {
  id: string;
  file: string;
  model: string;
  durationSec: number;
  segments: { phone: string; start: number; end: number }[];
  [k: string]: unknown;
}
interface Health {
  status: string;
  model: string;
  workers: { workers: number; ready: number; running: number; waiting: number; reserved: number; capacity: number };
}

const MiB = 1024 * 1024;
let tmp: string;
let m: ServedModel;
let srv: Server;
let refDir: string;
let modelBefore: Record<string, string>;
let ids: string[];
const wav = (id: string) => readFileSync(m.fx.wavs[id]);

/** The private folder the server made in its TMPDIR (there must be exactly one). */
function uploadRoot(s: Server): string {
  const entries = readdirSync(s.tmpDir);
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatch(/^fieldphone-serve-/);
  return join(s.tmpDir, entries[0]);
}

const uploadsEmpty = (s: Server) => waitFor('the upload folder to be empty', () => readdirSync(uploadRoot(s)).length === 0, 10_000);

function expectError(r: Reply, status: number, code: string, message?: RegExp): ErrorBody {
  expect(r.status, r.body).toBe(status);
  expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
  const e = json<ErrorBody>(r);
  expect(e.error.code).toBe(code);
  if (message) expect(e.error.message).toMatch(message);
  return e;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-serve-test-'));
  m = trainServedModel(tmp);
  ids = Object.keys(m.fx.wavs).sort();
  refDir = join(tmp, 'cli-out');
  const r = fieldphone('transcribe', m.model, join(tmp, 'corpus'), '-o', refDir, '--format', TRANSCRIPT_FORMATS.join(','));
  if (r.status !== 0) throw new Error(`transcribe failed:\n${r.stderr}`);
  modelBefore = snapshot(m.model);
  srv = await startServe(m.model, join(tmp, 'tmp-main'), '--max-upload-mb', '1', '--concurrency', '2', '--queue', '2', '--timeout-s', '5');
});

afterAll(async () => {
  await srv?.stop('SIGKILL');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fieldphone serve: endpoints', () => {
  it('prints its address on stdout and answers /healthz', async () => {
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const h = json<Health>(await call(`${srv.url}healthz`));
    expect(h.status).toBe('ok');
    expect(h.model).toBe('run');
    expect(h.workers).toMatchObject({ workers: 2, ready: 2, capacity: 4 });
  });

  it('GET /v1/models describes the model folder', async () => {
    const r = await call(`${srv.url}v1/models`);
    expect(r.status).toBe(200);
    const [model] = json<{ data: Record<string, unknown>[] }>(r).data;
    const manifest = JSON.parse(readFileSync(join(m.model, 'manifest.json'), 'utf8'));
    expect(model.id).toBe('run');
    expect(model.units).toEqual(JSON.parse(readFileSync(join(m.model, 'units.json'), 'utf8')));
    expect(model.selectedUpdate).toBe(manifest.stats.selectedUpdate);
    expect(model.lexiconEntries).toBe(readFileSync(join(m.model, 'lexicon.txt'), 'utf8').trim().split('\n').length);
    expect(model.hasTrainingLog).toBe(true);
  });

  it('GET /v1/models/{id}/metrics gives the training log, by id or as current', async () => {
    const lines = readFileSync(join(m.model, 'training', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBe(2);
    for (const id of ['run', 'current']) {
      const r = json<{ model: string; selectedUpdate: number; records: unknown[] }>(await call(`${srv.url}v1/models/${id}/metrics`));
      expect(r.model).toBe('run');
      expect(r.records).toEqual(lines);
      expect(r.selectedUpdate).toBe(JSON.parse(readFileSync(join(m.model, 'manifest.json'), 'utf8')).stats.selectedUpdate);
    }
    expectError(await call(`${srv.url}v1/models/other/metrics`), 404, 'model-not-found', /no model 'other' here; this server has 'run'/);
  });

  it('GET /v1/models/{id}/lexicon searches spelling and phones, pages, and counts phones (checked by brute force)', async () => {
    const lex = readFileSync(join(m.model, 'lexicon.txt'), 'utf8').trim().split('\n').map((l) => {
      const [word, phones] = l.split('\t');
      return { word, phones: phones.split(' ') };
    });
    const counts: Record<string, number> = {};
    for (const e of lex) for (const p of e.phones) counts[p] = (counts[p] ?? 0) + 1;
    const search = async (q: string, phones = '', extra = '') =>
      json<{ total: number; matched: number; offset: number; entries: typeof lex; phoneCounts: Record<string, number> }>(
        await call(`${srv.url}v1/models/current/lexicon?q=${encodeURIComponent(q)}&phones=${encodeURIComponent(phones)}${extra}`),
      );
    for (const q of ['', 'a', 'BA', 'um', 'zzz']) {
      const r = await search(q);
      const want = [...lex.filter((e) => e.word.startsWith(q.toLowerCase())), ...lex.filter((e) => !e.word.startsWith(q.toLowerCase()) && e.word.includes(q.toLowerCase()))];
      expect(r.total).toBe(lex.length);
      expect(r.matched, q).toBe(want.length);
      expect(r.entries).toEqual(want.slice(0, 100));
      expect(r.phoneCounts).toEqual(counts);
    }
    const byPhones = await search('', 'a t');
    const want = lex.filter((e) => e.phones.join(' ').includes('a t'));
    expect(want.length).toBeGreaterThan(0);
    expect(byPhones.entries).toEqual(want);
    const page = await search('', '', '&offset=3&limit=2');
    expect(page.entries).toEqual(lex.slice(3, 5));
    expectError(await call(`${srv.url}v1/models/current/lexicon?limit=0`), 400, 'bad-parameter', /limit must be a whole number from 1 to 1000, got '0'/);
    expectError(await call(`${srv.url}v1/models/nope/lexicon`), 404, 'model-not-found');
  });

  it('GET /openapi.json is OpenAPI 3.1 and describes exactly the paths the server answers', async () => {
    const doc = json<{ openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: { name: string; schema: { enum?: string[] } }[] }>> }>(
      await call(`${srv.url}openapi.json`),
    );
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/healthz', '/openapi.json', '/v1/models', '/v1/models/{id}/lexicon', '/v1/models/{id}/metrics', '/v1/transcriptions']);
    expect(doc.paths['/v1/transcriptions'].post.parameters!.find((p) => p.name === 'format')!.schema.enum).toEqual(TRANSCRIPT_FORMATS);
    // every documented GET answers 200 with the id filled in; every $ref resolves
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (ops.get) expect((await call(srv.url + path.slice(1).replace('{id}', 'current'))).status, path).toBe(200);
    }
    const text = JSON.stringify(doc);
    for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) expect(text).toContain(`"${name}":{"type"`);
  });
});

describe('fieldphone serve: POST /v1/transcriptions', () => {
  const cliJson = (id: string) => JSON.parse(readFileSync(join(refDir, `${id}.json`), 'utf8')) as Transcript;

  it('a raw audio/wav body gives the transcript `fieldphone transcribe` writes (file = the name sent, model = the id)', async () => {
    for (const id of ids.slice(0, 3)) {
      const r = await postAudio(srv.url, wav(id), `?filename=${id}.wav`);
      expect(r.status, r.body).toBe(200);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      const t = json<Transcript>(r);
      expect(t).toEqual({ ...cliJson(id), file: `${id}.wav`, model: 'run' });
      expect(t.segments.length).toBeGreaterThan(0);
    }
  });

  it.each(TRANSCRIPT_FORMATS.filter((f) => f !== 'json'))('format=%s (query or form field) is the same file as the CLI writes', async (format) => {
    const id = ids[1];
    const ext = { txt: 'txt', textgrid: 'TextGrid', eaf: 'eaf', ctm: 'ctm' }[format as string]!;
    const viaQuery = await postAudio(srv.url, wav(id), `?format=${format}&filename=${id}.wav`);
    const form = new FormData();
    form.append('format', format);
    form.append('file', new Blob([wav(id)], { type: 'audio/wav' }), `${id}.wav`);
    const viaForm = await call(`${srv.url}v1/transcriptions?format=json`, { method: 'POST', body: form });
    for (const r of [viaQuery, viaForm]) {
      expect(r.status, r.body).toBe(200);
      expect(r.headers['content-disposition']).toBe(`inline; filename="${id}.${ext}"`);
      expect(r.headers['content-type']).toBe(format === 'eaf' ? 'application/xml; charset=utf-8' : 'text/plain; charset=utf-8');
      const cli = readFileSync(join(refDir, `${id}.${ext}`), 'utf8');
      if (format === 'eaf') {
        const eaf = parseEaf(r.body, 'api.eaf');
        expect(eaf.tiers).toEqual(parseEaf(cli, 'cli.eaf').tiers);
        // the client's file, beside the .eaf; never a path on the server
        expect(eaf.media).toEqual([{ url: `file:///${id}.wav`, relativeUrl: `./${id}.wav`, mimeType: 'audio/x-wav' }]);
      }
      else expect(r.body).toBe(cli);
    }
  });

  it('a multipart form takes the file name from the part; its format field wins over the query', async () => {
    const form = new FormData();
    form.append('file', new Blob([wav(ids[0])]), 'Nahrávka 7.wav');
    const r = await call(`${srv.url}v1/transcriptions?format=txt`, { method: 'POST', body: form });
    expect(r.status, r.body).toBe(200);
    expect(r.body).toBe(readFileSync(join(refDir, `${ids[0]}.txt`), 'utf8'));
    expect(r.headers['content-disposition']).toBe(`inline; filename="Nahr_vka 7.txt"; filename*=UTF-8''Nahr%C3%A1vka%207.txt`);
    form.append('format', 'json');
    const j = json<Transcript>(await call(`${srv.url}v1/transcriptions?format=txt`, { method: 'POST', body: form }));
    expect(j.id).toBe('Nahrávka 7');
    expect(j.file).toBe('Nahrávka 7.wav');
  });

  it('400 for a text file, named by the client’s file name and never by the server’s temporary path', async () => {
    const r = await postAudio(srv.url, Buffer.from('Session notes: the second speaker arrived late.\n'), '?filename=notes.wav');
    const e = expectError(r, 400, 'unsupported-format');
    expect(e.error.message).toBe('notes.wav: is a text file, not audio');
    const form = new FormData();
    form.append('file', new Blob(['not audio at all, just words\n']), 'field notes.mp3');
    expect(expectError(await call(`${srv.url}v1/transcriptions`, { method: 'POST', body: form }), 400, 'unsupported-format').error.message).toBe('field notes.mp3: is a text file, not audio');
    expectError(await postAudio(srv.url, Buffer.alloc(0), '?filename=empty.wav'), 400, 'empty', /^empty\.wav: file is empty \(0 bytes\)$/);
  });

  it('400 for bad parameters and broken forms', async () => {
    expectError(await postAudio(srv.url, wav(ids[0]), '?format=xml'), 400, 'bad-format', /unknown format 'xml'; choose one of json, txt, textgrid, eaf, ctm/);
    const noFile = new FormData();
    noFile.append('format', 'json');
    expectError(await call(`${srv.url}v1/transcriptions`, { method: 'POST', body: noFile }), 400, 'bad-request', /the form has no 'file' field/);
    const broken = await call(`${srv.url}v1/transcriptions`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=abc' },
      body: '--abc\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF',
    });
    expectError(broken, 400, 'bad-multipart', /ends before the closing boundary/);
    await uploadsEmpty(srv);
  });

  it('415 for a body that is neither audio nor a form', async () => {
    expectError(await postAudio(srv.url, wav(ids[0]), '', 'application/x-www-form-urlencoded'), 415, 'unsupported-media-type', /curl -F file=@recording\.wav/);
  });

  it('413 as soon as the upload passes the limit, while the client is still sending', async () => {
    // chunked: the size is only known as bytes arrive; the request is never ended by the client
    const up = openUpload(srv.url, '/v1/transcriptions', { 'Content-Type': 'audio/wav', 'Transfer-Encoding': 'chunked' });
    up.req.write(Buffer.alloc(MiB + 64 * 1024, 1));
    const r = await up.reply;
    expectError(r, 413, 'too-large', /larger than this server's limit of 1 MiB/);
    expect(up.req.writableEnded).toBe(false);
    up.req.destroy();
    // a declared size over the limit is refused before any byte of the body is sent
    const declared = openUpload(srv.url, '/v1/transcriptions', { 'Content-Type': 'audio/wav', 'Content-Length': String(2 * MiB), Expect: '100-continue' });
    let continued = false;
    declared.req.on('continue', () => (continued = true));
    declared.req.flushHeaders();
    expectError(await declared.reply, 413, 'too-large');
    expect(continued).toBe(false);
    declared.req.destroy();
    await uploadsEmpty(srv);
  });

  it('408 when the upload does not arrive within --timeout-s', async () => {
    const up = openUpload(srv.url, '/v1/transcriptions', { 'Content-Type': 'audio/wav', 'Transfer-Encoding': 'chunked' });
    up.req.write(wav(ids[0]).subarray(0, 1000));
    const t0 = Date.now();
    expectError(await up.reply, 408, 'timeout', /the upload did not arrive within 5 s/);
    expect(Date.now() - t0).toBeGreaterThan(4000);
    up.req.destroy();
    await uploadsEmpty(srv);
  });

  it('a client that disconnects mid-upload leaves nothing behind', async () => {
    const up = openUpload(srv.url, '/v1/transcriptions', { 'Content-Type': 'audio/wav', 'Transfer-Encoding': 'chunked' });
    up.req.write(wav(ids[0]));
    await waitFor('the upload to reach the server', () => readdirSync(uploadRoot(srv)).length === 1);
    up.req.destroy();
    await uploadsEmpty(srv);
    await waitFor('the request log line', () => /^POST \/v1\/transcriptions - \(client gone\) \d+ ms$/m.test(srv.stderr()));
  });
});

describe('fieldphone serve: paths, methods, files', () => {
  it('404 for an unknown path, 405 with Allow for a wrong method', async () => {
    expectError(await call(`${srv.url}v2/nothing`), 404, 'not-found', /no such path: \/v2\/nothing; the API is described at \/openapi\.json/);
    const get = await call(`${srv.url}v1/transcriptions`);
    expectError(get, 405, 'method-not-allowed');
    expect(get.headers.allow).toBe('POST');
    const del = await call(`${srv.url}v1/models`, { method: 'DELETE' });
    expectError(del, 405, 'method-not-allowed');
    expect(del.headers.allow).toBe('GET, HEAD');
  });

  it('serves the web page at / with a content security policy', async () => {
    const r = await call(srv.url);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.body).toContain('<script type="module" src="app.js">');
    expect((await call(`${srv.url}app.js`)).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expectError(await call(`${srv.url}..%2fpackage.json`), 404, 'not-found');
    expectError(await call(`${srv.url}lib/../../package.json`), 404, 'not-found');
  });

  it('keeps uploads in a private (0700) folder that is empty between requests, and writes nothing else', async () => {
    const root = uploadRoot(srv);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    await uploadsEmpty(srv);
    expect(readdirSync(srv.tmpDir)).toEqual([basename(root)]);
    expect(snapshot(m.model)).toEqual(modelBefore);
  });

  it('logs one line per request: method, path, status, milliseconds', () => {
    expect(srv.stderr()).toMatch(/^GET \/healthz 200 \d+ ms$/m);
    expect(srv.stderr()).toMatch(/^POST \/v1\/transcriptions 200 \d+ ms$/m);
    expect(srv.stderr()).toMatch(/^POST \/v1\/transcriptions 413 \d+ ms$/m);
  });
});

describe('fieldphone serve: the queue, the time limit and shutdown (--concurrency 1 --queue 0 --timeout-s 3)', () => {
  let lim: Server;
  beforeAll(async () => {
    lim = await startServe(m.model, join(tmp, 'tmp-limits'), '--concurrency', '1', '--queue', '0', '--timeout-s', '3');
  });
  afterAll(async () => {
    await lim?.stop('SIGKILL');
  });
  const health = async () => json<Health>(await call(`${lim.url}healthz`));

  it('503 with Retry-After while the one place is taken; the request holding it still succeeds', async () => {
    const slow = postAudio(lim.url, wav(ids[0]), '?filename=slow-1000.wav');
    await waitFor('the slow request to hold the place', async () => (await health()).workers.reserved === 1);
    const busy = await postAudio(lim.url, wav(ids[1]), `?filename=${ids[1]}.wav`);
    expectError(busy, 503, 'busy', /the server is busy: .*--concurrency 1, --queue 0/);
    expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(Number(busy.headers['retry-after']))).toBe(true);
    const done = await slow;
    expect(done.status, done.body).toBe(200);
    expect(json<Transcript>(done).id).toBe('slow-1000');
    expect((await postAudio(lim.url, wav(ids[1]))).status).toBe(200);
    await uploadsEmpty(lim);
  });

  it('504 when the transcription passes --timeout-s; the worker is replaced and the next request works', async () => {
    const t0 = Date.now();
    expectError(await postAudio(lim.url, wav(ids[0]), '?filename=slow-60000.wav'), 504, 'timeout', /did not finish within 3 s/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await uploadsEmpty(lim);
    await waitFor('a replacement worker', async () => (await health()).workers.ready === 1, 30_000);
    const r = await postAudio(lim.url, wav(ids[2]), `?filename=${ids[2]}.wav`);
    expect(r.status, r.body).toBe(200);
  });

  it('a client that leaves during its transcription: the folder goes when the transcription ends', async () => {
    const up = openUpload(lim.url, '/v1/transcriptions?filename=slow-1500.wav', { 'Content-Type': 'audio/wav' });
    up.req.end(wav(ids[0]));
    await waitFor('the transcription to start', async () => (await health()).workers.running === 1);
    up.req.destroy();
    await uploadsEmpty(lim);
    await waitFor('the place to be free', async () => (await health()).workers.reserved === 0);
  });

  it('SIGTERM: stops accepting, finishes the request in flight, exits 0 and removes its folder', async () => {
    const root = uploadRoot(lim);
    const inFlight = postAudio(lim.url, wav(ids[3]), '?filename=slow-1500.wav');
    await waitFor('the transcription to start', async () => (await health()).workers.running === 1);
    const exit = lim.stop('SIGTERM');
    await sleep(200);
    await expect(call(`${lim.url}healthz`)).rejects.toThrow();
    const r = await inFlight;
    expect(r.status, r.body).toBe(200);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(lim.stderr()).toMatch(/SIGTERM: shutting down, finishing 1 request\(s\) in flight/);
    expect(readdirSync(lim.tmpDir)).toEqual([]);
    expect(() => statSync(root)).toThrow();
  });
});

describe('fieldphone serve: refusing to start', () => {
  it('a folder that is not a model: exit 2 and the message names it', () => {
    const dir = join(tmp, 'not-a-model');
    const r = fieldphone('serve', '--model', dir, '--port', '0');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: folder not found`, 'm'));
  });
});
