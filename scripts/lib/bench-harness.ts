/**
 * The frame of `npm run bench`: named sections, each an async function that
 * returns rows of figures, run in order with their wall time, and a memory
 * sampler watching the whole run. New work (training, decoding) adds a
 * section to the list in scripts/bench.ts; `--only NAME` runs one.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FieldphoneError, UsageError, errorMessage } from '../../src/util/errors.js';
import { log } from '../../src/util/log.js';

export interface BenchRow {
  measure: string;
  value: number;
  unit: string;
  note?: string;
}

/** Real recordings to measure on: a list file of training recordings (data/czech/train/wav.list by default). */
export interface BenchCorpus {
  name: string;
  list: string;
  /** At most this many files of the list (for quick runs); undefined = all. */
  maxFiles?: number;
}

export interface BenchContext {
  corpus?: BenchCorpus;
  /** Scratch folder for sections that must write files; removed when the run ends. */
  scratchDir: string;
  /** Record the current RSS now (call inside long synchronous loops, where the timer cannot fire). */
  sampleMemory(): void;
}

export interface BenchSection {
  name: string;
  title: string;
  /** Why the section cannot run in this context (e.g. it needs real recordings), or undefined when it can. */
  unavailable?(ctx: BenchContext): string | undefined;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export interface SectionResult {
  name: string;
  title: string;
  seconds: number;
  rows: BenchRow[];
  error?: string;
  skipped?: string;
}

export interface MemoryFigures {
  /** Largest process.memoryUsage().rss seen (timer + explicit samples), MiB. */
  peakRssSampledMiB: number;
  /** process.resourceUsage().maxRSS: the kernel's peak resident size for the process, MiB. */
  maxRssMiB: number;
}

const MIB = 1024 * 1024;

/**
 * Peak RSS by sampling. A timer alone misses the peaks of long synchronous
 * computations (the event loop is blocked), hence also explicit sample()
 * calls, and the kernel's own maxRSS as the authoritative figure.
 */
export class MemorySampler {
  private peak = 0;
  private timer?: NodeJS.Timeout;

  start(everyMs = 20): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  stop(): MemoryFigures {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    // maxRSS is in kilobytes (KiB) on Linux and macOS.
    return { peakRssSampledMiB: this.peak / MIB, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  }
}

/** Pick the sections to run: all of them, or the one named by --only. */
export function selectSections(all: BenchSection[], only: string | undefined): BenchSection[] {
  if (only === undefined) return all;
  const s = all.find((x) => x.name === only);
  if (!s) throw new UsageError(`--only: no bench section '${only}'; the sections are: ${all.map((x) => x.name).join(', ')}`);
  return [s];
}

/** Run sections one after another; a failing section is recorded and the others still run. */
export async function runSections(sections: BenchSection[], ctx: BenchContext): Promise<SectionResult[]> {
  const out: SectionResult[] = [];
  for (const s of sections) {
    const why = s.unavailable?.(ctx);
    if (why) {
      log.info(`bench: ${s.name} skipped: ${why}`);
      out.push({ name: s.name, title: s.title, seconds: 0, rows: [], skipped: why });
      continue;
    }
    log.info(`bench: ${s.name} — ${s.title}`);
    const t0 = performance.now();
    try {
      const rows = await s.run(ctx);
      out.push({ name: s.name, title: s.title, seconds: (performance.now() - t0) / 1000, rows });
    } catch (e) {
      log.error(`bench section ${s.name} failed: ${errorMessage(e)}`);
      out.push({ name: s.name, title: s.title, seconds: (performance.now() - t0) / 1000, rows: [], error: errorMessage(e) });
    }
    ctx.sampleMemory();
  }
  return out;
}

export interface MachineInfo {
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  /** 1-minute load average when the run started: on a shared machine it says how much the figures are depressed. */
  loadAvg1: number;
  date: string;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    loadAvg1: loadavg()[0],
    date: new Date().toISOString(),
  };
}

/** Three significant figures, without exponent notation for the ranges a bench produces. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

export function formatReport(machine: MachineInfo, results: SectionResult[], memory: MemoryFigures): string {
  const lines: string[] = [];
  lines.push(`fieldphone bench — ${machine.date}`);
  lines.push(`node ${machine.node} ${machine.platform}, ${machine.cores} × ${machine.cpu}, load average ${machine.loadAvg1.toFixed(2)}`);
  const table: string[][] = [['section', 'measure', 'value', 'unit', 'note']];
  for (const r of results) {
    if (r.skipped) {
      table.push([r.name, 'skipped', '', '', r.skipped]);
      continue;
    }
    if (r.error) table.push([r.name, 'FAILED', '', '', r.error]);
    for (const row of r.rows) table.push([r.name, row.measure, formatValue(row.value), row.unit, row.note ?? '']);
    table.push([r.name, 'section time', formatValue(r.seconds), 's', '']);
  }
  table.push(['memory', 'peak RSS (sampled)', formatValue(memory.peakRssSampledMiB), 'MiB', 'process.memoryUsage().rss']);
  table.push(['memory', 'max RSS (kernel)', formatValue(memory.maxRssMiB), 'MiB', 'process.resourceUsage().maxRSS']);
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const fmt = (row: string[]) =>
    row
      .map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : c === row.length - 1 ? cell : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  lines.push('');
  lines.push(fmt(table[0]));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  let prev = '';
  for (const row of table.slice(1)) {
    if (prev && row[0] !== prev) lines.push('');
    prev = row[0];
    lines.push(fmt(row));
  }
  return lines.join('\n') + '\n';
}

/**
 * Run a benchmark script's main: its return value is the exit code; a usage
 * error prints the usage (exit 2), a fieldphone error exits 2, anything else 1.
 */
export function runBenchScript(main: () => Promise<number>, usage: string): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      log.error(errorMessage(e));
      const badArgs = e instanceof UsageError || String((e as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
      if (badArgs) process.stderr.write(usage + '\n');
      process.exitCode = badArgs || e instanceof FieldphoneError ? 2 : 1;
    },
  );
}

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** Run a `fieldphone` command as the user would (quietly); throws with its error output when it fails. */
export function runCli(...args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, '--quiet', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fieldphone ${args[0]} failed: ${(r.stderr || r.error?.message || '').trim()}`);
}
