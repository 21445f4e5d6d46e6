/**
 * Bench section for a self-training round's HMM training (trainRoundModels, what every
 * `fieldphone self-train` round runs before decoding): the monophone model, the LDA projection
 * and the LDA-stage model, in this thread and on two worker threads, from the same labels, with
 * a check that both give the same models.
 *
 * Recordings: the bench corpus (data/czech or --corpus) with its reference phones as the labels
 * (the `phones` table next to the list), else speech that espeak-ng synthesises (the demo's
 * corpus builder) with its phones. The time depends on the frames and the label chains'
 * lengths, not on how right the labels are.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { listCorpus } from '../../src/audio/index.js';
import { DEFAULT_SYNTHETIC_CORPUS, buildSyntheticCorpus } from '../../src/demo/synthetic-corpus.js';
import { makeTopology } from '../../src/hmm/topology.js';
import type { LabelledUtterance } from '../../src/hmm/train.js';
import { openPreparedAudio } from '../../src/pipeline/prepare-audio.js';
import { readTranscriptFile } from '../../src/scoring/index.js';
import { DEFAULT_SELF_TRAIN } from '../../src/selftrain/config.js';
import { trainRoundModels, type RoundModels } from '../../src/selftrain/round.js';
import { writeFileAtomic } from '../../src/util/fsx.js';
import { runCli, type BenchContext, type BenchRow, type BenchSection } from './bench-harness.js';

/** Recordings trained on (about 25 min of Czech speech). */
const FILES = 600;
const THREADS = [1, 2];

async function recordings(ctx: BenchContext, dir: string): Promise<{ list: string; phones: string; what: string }> {
  if (ctx.corpus) {
    const phones = join(dirname(ctx.corpus.list), 'phones');
    if (!existsSync(phones)) throw new Error(`${phones} is missing: this section takes its labels from the corpus' reference phones`);
    const files = (await listCorpus(ctx.corpus.list)).slice(0, Math.min(ctx.corpus.maxFiles ?? Infinity, FILES));
    const list = join(dir, 'files.list');
    writeFileAtomic(list, files.join('\n') + '\n');
    return { list, phones, what: ctx.corpus.name };
  }
  await buildSyntheticCorpus(join(dir, 'synthetic'), { ...DEFAULT_SYNTHETIC_CORPUS, trainUtterances: 200, testUtterances: 0, textSentences: 0 });
  return { list: join(dir, 'synthetic', 'train', 'wav.list'), phones: join(dir, 'synthetic', 'train', 'phones'), what: 'espeak-ng synthesised English' };
}

function sameModels(a: RoundModels, b: RoundModels): boolean {
  const flat = (m: RoundModels) => JSON.stringify(m.stages.map((s) => s.model.gmms.map((g) => [Array.from(g.means), Array.from(g.vars), Array.from(g.weights)])));
  return flat(a) === flat(b);
}

export const hmmSection: BenchSection = {
  name: 'hmm',
  title: `a self-training round's HMM training (monophone + LDA stage) with ${THREADS.join(' and ')} threads, same labels`,
  async run(ctx) {
    const dir = join(ctx.scratchDir, 'hmm');
    const { list, phones, what } = await recordings(ctx, dir);
    runCli('prepare-audio', list, '-o', join(dir, 'audio'));
    const prepared = openPreparedAudio(join(dir, 'audio'));
    const refs = readTranscriptFile(phones);
    const units = [...new Set([...refs.values()].flat())].filter((p) => p !== '<SIL>').sort();
    units.push('<SIL>');
    const topology = makeTopology(units, DEFAULT_SELF_TRAIN.silenceStates, DEFAULT_SELF_TRAIN.phoneStates);
    const index = new Map(units.map((u, i) => [u, i]));
    const labelled: LabelledUtterance[] = prepared.utterances
      .filter((u) => (refs.get(u.id)?.length ?? 0) > 0)
      .map((u) => ({ id: u.id, x: prepared.frames(u), labels: Int32Array.from(refs.get(u.id) as string[], (p) => index.get(p) as number) }));
    const frames = labelled.reduce((n, u) => n + u.x.rows, 0);
    const runs: { threads: number; seconds: number; cpuSec: number; models: RoundModels }[] = [];
    for (const threads of THREADS) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const models = await trainRoundModels(labelled, topology, DEFAULT_SELF_TRAIN, { workers: threads });
      const cpu = process.cpuUsage(cpu0);
      runs.push({ threads, seconds: (performance.now() - t0) / 1000, cpuSec: (cpu.user + cpu.system) / 1e6, models });
      ctx.sampleMemory();
    }
    for (const r of runs.slice(1))
      if (!sameModels(runs[0].models, r.models)) throw new Error(`the models trained on ${r.threads} threads differ from those on ${runs[0].threads}`);
    const minutes = ((frames * prepared.config.features.hopMs) / 60_000).toFixed(1);
    const rows: BenchRow[] = runs.map((r) => ({
      measure: `${r.threads} thread${r.threads > 1 ? 's' : ''}, wall`,
      value: r.seconds,
      unit: 's',
      note: `${labelled.length} recordings (${minutes} min of speech after VAD, ${what}); ${r.cpuSec.toFixed(1)} s CPU, ${(r.cpuSec / r.seconds).toFixed(2)} cores busy`,
    }));
    const last = runs[runs.length - 1];
    rows.push({
      measure: `wall speed-up, ${last.threads} vs ${runs[0].threads}`,
      value: runs[0].seconds / last.seconds,
      unit: '×',
      note: `same models; ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at the end`,
    });
    return rows;
  },
};
