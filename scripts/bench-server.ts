/**
 * `npm run bench:server`: load check of the REST API on loopback.
 *
 *   node dist/scripts/bench-server.js --model DIR [--corpus DIR|LIST] [--clients 8] [--requests 400]
 *                                     [--concurrency N] [--queue M] [--max-files N] [--json]
 *
 * Recordings come from --corpus (a folder, or a list file), by default
 * data/czech/train/wav.list (built by `npm run corpus:czech`).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listCorpus } from '../src/audio/index.js';
import { UsageError } from '../src/util/errors.js';
import { MemorySampler, formatReport, machineInfo, runBenchScript } from './lib/bench-harness.js';
import { serverLoad } from './lib/bench-server.js';

/** Repository root: this file runs as dist/scripts/bench-server.js. */
const REPO = fileURLToPath(new URL('../../', import.meta.url));

const USAGE =
  'usage: node dist/scripts/bench-server.js --model DIR [--corpus DIR|LIST] [--clients 8] [--requests 400] [--concurrency N] [--queue M] [--max-files N] [--json]';

function positiveInt(name: string, v: string | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got '${v}'`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      corpus: { type: 'string' },
      clients: { type: 'string' },
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      queue: { type: 'string' },
      'max-files': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (!values.model) throw new UsageError('--model is required');
  const corpus = values.corpus ?? join(REPO, 'data', 'czech', 'train', 'wav.list');
  if (!values.corpus && !existsSync(corpus)) throw new UsageError(`no --corpus given and ${corpus} does not exist (build it with \`npm run corpus:czech\`)`);
  const clients = positiveInt('clients', values.clients, 8);
  const concurrency = positiveInt('concurrency', values.concurrency, Math.min(4, availableParallelism()));
  const o = {
    model: values.model,
    files: (await listCorpus(corpus)).slice(0, positiveInt('max-files', values['max-files'], Number.MAX_SAFE_INTEGER)),
    clients,
    requests: positiveInt('requests', values.requests, 400),
    concurrency,
    // Room for every client: below the limit, no request may be refused.
    queue: positiveInt('queue', values.queue, clients, 0),
    format: 'json',
  };
  const memory = new MemorySampler();
  memory.start();
  const machine = machineInfo();
  const t0 = performance.now();
  const res = await serverLoad(o);
  const section = { name: 'server', title: `fieldphone serve under ${clients} concurrent clients`, seconds: (performance.now() - t0) / 1000, rows: res.rows };
  const mem = memory.stop();
  if (values.json) process.stdout.write(JSON.stringify({ machine, corpus, files: o.files.length, sections: [section], memory: mem }, null, 2) + '\n');
  else process.stdout.write(formatReport(machine, [section], mem));
  return Object.keys(res.errors).length > 0 ? 1 : 0;
}

runBenchScript(main, USAGE);
