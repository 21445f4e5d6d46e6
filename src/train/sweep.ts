/**
 * `fieldphone sweep`: several training runs (seeds × penalty settings), one
 * winner chosen by the unsupervised metric alone (weighted phone-LM
 * perplexity on held-out audio, notes §6). When reference phones are given,
 * each run's PER is reported next to it, so the gap between the label-free
 * choice and the best-by-PER run (the "selection gap") can be read off; the
 * references never influence the choice.
 *
 * Runs are child processes of the CLI (`train`), `jobs` at a time: a sweep
 * uses every core, and each run folder is an ordinary, resumable training run.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../util/errors.js';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../util/fsx.js';
import { log } from '../util/log.js';
import { RUN_FILES, type ValidationResult } from './run.js';

export interface SweepPoint {
  name: string;
  seed: number;
  gradientPenalty: number;
  smoothness: number;
  diversity: number;
}

export interface SweepOptions {
  audioDir: string;
  textDir: string;
  validAudioDir?: string;
  validRefs?: string;
  outDir: string;
  seeds: number[];
  gradientPenalty: number[];
  smoothness: number[];
  diversity: number[];
  /** Further `train` options passed to every run (e.g. ['--updates', '3000']). */
  trainArgs: string[];
  jobs: number;
}

export interface SweepRow extends SweepPoint {
  bestUpdate?: number;
  metric?: ValidationResult;
  error?: string;
}

export interface SweepResult {
  outDir: string;
  rows: SweepRow[];
  chosen?: string;
  /** PER of the chosen run and of the run with the lowest PER (only with references). */
  chosenPer?: number;
  oraclePer?: number;
  oracle?: string;
  seconds: number;
}

export function sweepPoints(o: Pick<SweepOptions, 'seeds' | 'gradientPenalty' | 'smoothness' | 'diversity'>): SweepPoint[] {
  const pts: SweepPoint[] = [];
  for (const gp of o.gradientPenalty)
    for (const sm of o.smoothness)
      for (const dv of o.diversity)
        for (const seed of o.seeds) pts.push({ name: `gp${gp}-sm${sm}-div${dv}-seed${seed}`, seed, gradientPenalty: gp, smoothness: sm, diversity: dv });
  return pts;
}

function cliPath(): string {
  return fileURLToPath(new URL('../cli/main.js', import.meta.url));
}

function runOne(o: SweepOptions, p: SweepPoint): Promise<void> {
  const dir = join(o.outDir, p.name);
  const args = [
    cliPath(),
    '--quiet',
    'train',
    '--audio', o.audioDir,
    '--text', o.textDir,
    '-o', dir,
    '--seed', String(p.seed),
    '--gp', String(p.gradientPenalty),
    '--smoothness', String(p.smoothness),
    '--diversity', String(p.diversity),
    ...(o.validAudioDir ? ['--valid-audio', o.validAudioDir] : []),
    ...(o.validRefs ? ['--valid-ref', o.validRefs] : []),
    ...o.trainArgs,
    ...(existsSync(join(dir, RUN_FILES.run)) ? ['--resume'] : []),
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(err.trim().split('\n').pop() || `exit code ${code}`))));
  });
}

export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const outDir = resolve(o.outDir);
  const points = sweepPoints(o);
  if (points.length === 0) throw new UsageError('the sweep has no runs (give at least one seed and one value per penalty)');
  const t0 = Date.now();
  const rows: SweepRow[] = points.map((p) => ({ ...p }));
  const finished = (p: SweepPoint) => existsSync(join(outDir, p.name, RUN_FILES.model, 'manifest.json'));
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < points.length) {
      const i = next++;
      const p = points[i];
      if (!finished(p)) {
        try {
          await runOne({ ...o, outDir }, p);
        } catch (e) {
          rows[i].error = (e as Error).message;
          log.warn(`run ${p.name} failed: ${rows[i].error}`);
        }
      }
      done++;
      log.info(`sweep: ${done}/${points.length} runs done (${p.name})`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, points.length)) }, worker));

  for (const r of rows) {
    if (r.error) continue;
    const m = readJson<{ stats?: { selectedUpdate?: number; selection?: ValidationResult } }>(join(outDir, r.name, RUN_FILES.model, 'manifest.json'));
    r.bestUpdate = m.stats?.selectedUpdate;
    r.metric = m.stats?.selection;
  }
  const scored = rows.filter((r) => r.metric && Number.isFinite(r.metric.weightedPpl));
  const chosen = scored.reduce<SweepRow | undefined>((b, r) => (!b || r.metric!.weightedPpl < b.metric!.weightedPpl ? r : b), undefined);
  const withPer = scored.filter((r) => r.metric!.per !== undefined);
  const oracle = withPer.reduce<SweepRow | undefined>((b, r) => (!b || r.metric!.per! < b.metric!.per! ? r : b), undefined);
  const result: SweepResult = {
    outDir,
    rows,
    chosen: chosen?.name,
    chosenPer: chosen?.metric?.per,
    oracle: oracle?.name,
    oraclePer: oracle?.metric?.per,
    seconds: (Date.now() - t0) / 1000,
  };
  if (chosen) {
    const modelDir = join(outDir, 'model');
    rmSync(modelDir, { recursive: true, force: true });
    cpSync(join(outDir, chosen.name, RUN_FILES.model), modelDir, { recursive: true });
  }
  writeJsonAtomic(join(outDir, 'sweep.json'), result);
  writeFileAtomic(join(outDir, 'sweep.tsv'), sweepTable(result));
  return result;
}

export function sweepTable(r: SweepResult): string {
  const head = 'run\tweighted_ppl\tlm_ppl\tvocab_usage\tphones_per_sec\tbest_update\tper\tchosen\n';
  return (
    head +
    r.rows
      .map((x) =>
        [
          x.name,
          x.metric?.weightedPpl.toFixed(3) ?? (x.error ? 'failed' : ''),
          x.metric?.lmPpl.toFixed(3) ?? '',
          x.metric ? x.metric.vocabUsage.toFixed(3) : '',
          x.metric ? x.metric.phonesPerSec.toFixed(2) : '',
          x.bestUpdate ?? '',
          x.metric?.per !== undefined ? (100 * x.metric.per).toFixed(1) : '',
          x.name === r.chosen ? '*' : '',
        ].join('\t'),
      )
      .join('\n') +
    '\n'
  );
}
