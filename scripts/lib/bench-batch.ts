/**
 * Bench section for batch transcription (transcribeBatch, what `fieldphone
 * transcribe` runs): throughput in × real time with one worker thread and with
 * two, on the same recordings, and a check that both wrote identical outputs.
 *
 * Recordings: the bench corpus (data/czech or --corpus), else speech that
 * espeak-ng synthesises (the demo's corpus builder). The model is made on the
 * spot by the CLI's own steps on a few of the recordings (prepare-audio,
 * prepare-text by graphemes, one training update): its weights are untrained,
 * but its shapes are a real model's (39-d MFCC, 128 k-means clusters, the
 * default generator, a lexicon and word LM of the corpus' text), and the time
 * depends on those, not on the weights.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { listCorpus } from '../../src/audio/index.js';
import { DEFAULT_SYNTHETIC_CORPUS, buildSyntheticCorpus, builtInSentencesPath } from '../../src/demo/synthetic-corpus.js';
import { transcribeBatch, type TranscribeSummary } from '../../src/transcribe/transcribe.js';
import { writeFileAtomic } from '../../src/util/fsx.js';
import { runCli as cli, type BenchContext, type BenchRow, type BenchSection } from './bench-harness.js';

/** Recordings the model's k-means and PCA are fitted on. */
const MODEL_FILES = 30;
/** Recordings transcribed in each timed run (about 11 min of Czech speech): enough that starting the workers (about a second of CPU each) weighs little. */
const BATCH_FILES = 240;
const WORKER_COUNTS = [1, 2];

/** The recordings to use and a text in their language. */
async function recordings(ctx: BenchContext): Promise<{ files: string[]; text: string; what: string }> {
  if (ctx.corpus) {
    const all = await listCorpus(ctx.corpus.list);
    const files = all.slice(0, Math.min(ctx.corpus.maxFiles ?? Infinity, Math.max(MODEL_FILES, BATCH_FILES)));
    // The Czech corpus keeps its unpaired text next to the training list.
    const own = join(dirname(ctx.corpus.list), 'unpaired_text.txt');
    return { files, text: existsSync(own) ? own : builtInSentencesPath(), what: ctx.corpus.name };
  }
  const dir = join(ctx.scratchDir, 'batch-synthetic');
  const { train, textFile } = await buildSyntheticCorpus(dir, { ...DEFAULT_SYNTHETIC_CORPUS, trainUtterances: BATCH_FILES, testUtterances: 0, textSentences: 1000 });
  return { files: train.map((u) => u.wav), text: textFile, what: 'espeak-ng synthesised English' };
}

/** The first file name whose contents differ between two flat output folders (or that only one has), or undefined. */
function firstDifference(a: string, b: string): string | undefined {
  const [na, nb] = [readdirSync(a).sort(), readdirSync(b).sort()];
  if (na.join('\n') !== nb.join('\n')) return na.find((n, i) => n !== nb[i]) ?? nb[na.length];
  return na.find((n) => !readFileSync(join(a, n)).equals(readFileSync(join(b, n))));
}

function makeModel(dir: string, files: string[], text: string): string {
  const list = join(dir, 'model-files.list');
  writeFileAtomic(list, files.slice(0, MODEL_FILES).join('\n') + '\n');
  cli('prepare-audio', list, '-o', join(dir, 'audio'));
  cli('prepare-text', text, '-o', join(dir, 'text'), '--phonemizer', 'graphemes');
  cli('train', '--audio', join(dir, 'audio'), '--text', join(dir, 'text'), '-o', join(dir, 'run'), '--updates', '1', '--valid-every', '1', '--batch', '4');
  return join(dir, 'run', 'model');
}

export const batchSection: BenchSection = {
  name: 'batch',
  title: `batch transcription (transcribeBatch) with ${WORKER_COUNTS.join(' and ')} worker threads, same recordings`,
  async run(ctx) {
    const dir = join(ctx.scratchDir, 'batch');
    const { files, text, what } = await recordings(ctx);
    const model = makeModel(dir, files, text);
    const batch = files.slice(0, BATCH_FILES);
    const list = join(dir, 'batch.list');
    writeFileAtomic(list, batch.join('\n') + '\n');
    const runs: { workers: number; s: TranscribeSummary; cpuSec: number; out: string }[] = [];
    for (const workers of WORKER_COUNTS) {
      const out = join(dir, `out-${workers}`);
      // Process-wide CPU time: worker threads included.
      const cpu0 = process.cpuUsage();
      const s = await transcribeBatch({ modelDir: model, inputs: [list], outDir: out, formats: ['json', 'txt'], workers });
      const cpu = process.cpuUsage(cpu0);
      if (s.failed.length) throw new Error(`${s.failed.length} recordings failed, e.g. ${s.failed[0].path}: ${s.failed[0].reason}`);
      runs.push({ workers, s, cpuSec: (cpu.user + cpu.system) / 1e6, out });
      ctx.sampleMemory();
    }
    for (const r of runs.slice(1)) {
      const diff = firstDifference(runs[0].out, r.out);
      if (diff) throw new Error(`${diff}: the output with ${r.workers} workers differs from the one with ${runs[0].workers}`);
    }
    const minutes = (runs[0].s.audioHours * 60).toFixed(1);
    const rows: BenchRow[] = runs.flatMap((r) => {
      const w = `${r.workers} worker${r.workers > 1 ? 's' : ''}`;
      return [
        {
          measure: `${w}, wall`,
          value: r.s.xRealTime,
          unit: '× real time',
          // Cores busy = CPU / wall time: well under the worker count when other work shares the machine.
          note: `${r.s.ok} recordings (${minutes} min, ${what}) in ${r.s.seconds.toFixed(1)} s incl. worker start; ${(r.cpuSec / r.s.seconds).toFixed(2)} cores busy`,
        },
        {
          measure: `${w}, per CPU second`,
          value: (r.s.audioHours * 3600) / r.cpuSec,
          unit: '× real time',
          note: `${r.cpuSec.toFixed(1)} s CPU, all threads`,
        },
      ];
    });
    const last = runs[runs.length - 1];
    rows.push({
      measure: `wall speed-up, ${last.workers} vs ${runs[0].workers}`,
      value: last.s.xRealTime / runs[0].s.xRealTime,
      unit: '×',
      note: `outputs byte-identical; ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at the end`,
    });
    return rows;
  },
};
