/**
 * `npm run bench`: speed and memory figures for the pipeline, as a table
 * (or one JSON document with --json).
 *
 *   node dist/scripts/bench.js [--json] [--only SECTION] [--corpus DIR|LIST | --synthetic] [--max-files N]
 *
 * Real-audio sections use data/czech (built by `npm run corpus:czech`) or
 * --corpus: a folder holding train/wav.list or wav.list, or a list file.
 * Without either (or with --synthetic, for figures comparable across machines)
 * they are skipped, and k-means/PCA run on synthetic frames.
 * Sections run in order in this one process; add new ones to SECTIONS.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../src/util/errors.js';
import { AUDIO_SECTIONS } from './lib/bench-audio.js';
import { batchSection } from './lib/bench-batch.js';
import { decipherSection } from './lib/bench-decipher.js';
import { ganSection } from './lib/bench-gan.js';
import { hmmSection } from './lib/bench-hmm.js';
import {
  MemorySampler,
  formatReport,
  machineInfo,
  runBenchScript,
  runSections,
  selectSections,
  type BenchCorpus,
  type BenchSection,
} from './lib/bench-harness.js';

const SECTIONS: BenchSection[] = [...AUDIO_SECTIONS, ganSection, decipherSection, hmmSection, batchSection];

/** Repository root: this file runs as dist/scripts/bench.js. */
const REPO = fileURLToPath(new URL('../../', import.meta.url));

const USAGE = `usage: node dist/scripts/bench.js [--json] [--only SECTION] [--corpus DIR|LIST | --synthetic] [--max-files N]
sections: ${SECTIONS.map((s) => `${s.name} (${s.title})`).join('; ')}`;

/** The list of training recordings in a corpus folder, or the list file itself. */
function findCorpus(given: string | undefined, maxFiles: number | undefined): BenchCorpus | undefined {
  const dir = given ?? join(REPO, 'data', 'czech');
  if (!existsSync(dir)) {
    if (given) throw new UsageError(`--corpus ${given}: no such folder or list file`);
    return undefined;
  }
  if (statSync(dir).isFile()) return { name: basename(dir), list: resolve(dir), maxFiles };
  for (const list of [join(dir, 'train', 'wav.list'), join(dir, 'wav.list')]) {
    if (existsSync(list)) return { name: `${basename(resolve(dir))}/${list.slice(dir.length + 1)}`, list, maxFiles };
  }
  throw new UsageError(`${dir}: has neither train/wav.list nor wav.list (build it with \`npm run corpus:czech\` or pass --corpus)`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      corpus: { type: 'string' },
      'max-files': { type: 'string' },
      synthetic: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const maxFiles = values['max-files'] === undefined ? undefined : Number(values['max-files']);
  if (maxFiles !== undefined && !(Number.isInteger(maxFiles) && maxFiles > 0))
    throw new UsageError(`--max-files must be a positive integer, got '${values['max-files']}'`);
  const sections = selectSections(SECTIONS, values.only);
  if (values.synthetic && values.corpus) throw new UsageError('--synthetic and --corpus exclude each other');
  const corpus = values.synthetic ? undefined : findCorpus(values.corpus, maxFiles);

  const memory = new MemorySampler();
  const scratchDir = mkdtempSync(join(tmpdir(), 'fieldphone-bench-'));
  const machine = machineInfo();
  memory.start();
  let results;
  try {
    results = await runSections(sections, { corpus, scratchDir, sampleMemory: () => memory.sample() });
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  const mem = memory.stop();
  if (values.json) process.stdout.write(JSON.stringify({ machine, corpus: corpus ?? null, sections: results, memory: mem }, null, 2) + '\n');
  else process.stdout.write(formatReport(machine, results, mem));
  return results.some((r) => r.error) ? 1 : 0;
}

runBenchScript(main, USAGE);
