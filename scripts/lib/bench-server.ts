/**
 * Load check of `fieldphone serve`: start the built CLI on a free loopback
 * port, and have N clients POST real recordings to /v1/transcriptions back to
 * back (each client sends its next file as soon as its last answer is in).
 * Reports throughput (requests/s and × real time), latency percentiles and
 * the answers that were not 200, by status.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './bench-harness.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface ServerLoadOptions {
  model: string;
  files: string[];
  clients: number;
  /** Requests counted (after the warm-up). */
  requests: number;
  /** Server --concurrency (worker threads). */
  concurrency: number;
  /** Server --queue. */
  queue: number;
  format: string;
}

export interface ServerLoadResult {
  rows: BenchRow[];
  /** Non-200 answers by status (0: the request itself failed). */
  errors: Record<string, number>;
}

const CONTENT_TYPES: Record<string, string> = { '.wav': 'audio/wav', '.flac': 'audio/flac', '.ogg': 'audio/ogg', '.mp3': 'audio/mpeg' };

/** The value below which a share q of the sorted values lie (nearest rank). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function startServer(o: ServerLoadOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const args = [CLI, '-q', 'serve', '--model', o.model, '--port', '0', '--concurrency', String(o.concurrency), '--queue', String(o.queue)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0].trim());
    });
    void exited.then(() => reject(new Error(`fieldphone serve stopped before it printed its address:\n${err}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function serverLoad(o: ServerLoadOptions): Promise<ServerLoadResult> {
  // Only the recordings the run will send are read (they are held in memory, so disk reads are not timed).
  const used = o.files.slice(0, o.requests + o.concurrency * 2);
  const bodies = await Promise.all(used.map(async (f) => ({ bytes: await readFile(f), type: CONTENT_TYPES[extname(f).toLowerCase()] ?? 'application/octet-stream' })));
  const server = await startServer(o);
  const endpoint = `${server.url}v1/transcriptions?format=${o.format}`;
  const post = async (i: number) => {
    const b = bodies[i % bodies.length];
    const t0 = performance.now();
    try {
      const res = await fetch(endpoint, { method: 'POST', headers: { 'Content-Type': b.type }, body: new Uint8Array(b.bytes) });
      const text = await res.text();
      const durationSec = res.status === 200 && o.format === 'json' ? (JSON.parse(text) as { durationSec: number }).durationSec : 0;
      return { status: res.status, ms: performance.now() - t0, durationSec };
    } catch {
      return { status: 0, ms: performance.now() - t0, durationSec: 0 };
    }
  };
  try {
    // Warm-up, not counted: every worker compiles its code paths on its first recordings.
    await Promise.all(Array.from({ length: o.concurrency * 2 }, (_, i) => post(i)));
    let next = 0;
    const results: Awaited<ReturnType<typeof post>>[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: o.clients }, async () => {
        while (next < o.requests) results.push(await post(next++));
      }),
    );
    const wallSec = (performance.now() - t0) / 1000;
    const ok = results.filter((r) => r.status === 200);
    const lat = ok.map((r) => r.ms).sort((a, b) => a - b);
    const audioSec = ok.reduce((s, r) => s + r.durationSec, 0);
    const errors: Record<string, number> = {};
    for (const r of results) if (r.status !== 200) errors[r.status] = (errors[r.status] ?? 0) + 1;
    const rows: BenchRow[] = [
      { measure: 'requests answered 200', value: ok.length, unit: 'requests', note: `of ${results.length}, ${o.clients} clients, server --concurrency ${o.concurrency} --queue ${o.queue}` },
      { measure: 'requests not answered 200', value: results.length - ok.length, unit: 'requests', note: Object.keys(errors).length ? JSON.stringify(errors) : 'none' },
      { measure: 'throughput', value: ok.length / wallSec, unit: 'requests/s' },
      { measure: 'throughput, audio', value: audioSec / wallSec, unit: '× real time', note: `${(audioSec / Math.max(1, ok.length)).toFixed(2)} s per recording on average` },
      { measure: 'latency p50', value: percentile(lat, 0.5), unit: 'ms', note: 'upload + queue + transcription + answer' },
      { measure: 'latency p95', value: percentile(lat, 0.95), unit: 'ms' },
      { measure: 'latency max', value: lat.at(-1) ?? NaN, unit: 'ms' },
    ];
    return { rows, errors };
  } finally {
    await server.stop();
  }
}
