/** Plain HTTP for the server tests: fetch for whole requests, node:http for uploads sent piece by piece or cut off. */
import { request, type ClientRequest } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function call(url: string, init?: RequestInit): Promise<Reply> {
  const res = await fetch(url, init);
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

export const json = <T>(r: Reply): T => JSON.parse(r.body) as T;

export function postAudio(url: string, bytes: Uint8Array, query = '', contentType = 'audio/wav'): Promise<Reply> {
  return call(`${url}v1/transcriptions${query}`, { method: 'POST', headers: { 'Content-Type': contentType }, body: new Uint8Array(bytes) });
}

export interface OpenUpload {
  req: ClientRequest;
  /** The answer, whenever it comes (before the body is finished, for an early refusal). */
  reply: Promise<Reply>;
}

/** Start a POST whose body the test writes (and ends, or not) itself. */
export function openUpload(url: string, path: string, headers: Record<string, string>): OpenUpload {
  const req = request(new URL(path, url), { method: 'POST', headers });
  const reply = new Promise<Reply>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => (body += s));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    // Once the server has answered, a reset of our unfinished upload is expected.
    req.on('error', reject);
  });
  reply.catch(() => undefined);
  return { req, reply };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until check() holds, or fail with `what` after timeoutMs. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}
