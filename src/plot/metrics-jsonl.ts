/**
 * Plots from a JSONL metrics log (one JSON object per line, each with a
 * numeric `step`), as training writes it. The log may be read while training
 * appends to it, so an unparseable last line without a newline is an append
 * in progress and is ignored quietly; other unreadable lines are skipped with
 * a warning (a crash mid-line followed by a resumed run leaves one).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactError } from '../util/errors.js';
import { log } from '../util/log.js';
import { writeLinePlot } from './svg-line-plot.js';

export interface MetricRecord {
  step: number;
  [key: string]: unknown;
}

export interface MetricsLog {
  records: MetricRecord[];
  /** 1-based numbers of complete lines that were not a JSON object with a numeric step. */
  skippedLines: number[];
}

export function readMetricsJsonl(path: string): MetricsLog {
  if (!existsSync(path)) throw new ArtifactError(path, 'file is missing');
  const lines = readFileSync(path, 'utf8').split('\n');
  // After the last '\n' comes either '' or a line still being written.
  const pending = lines.pop() as string;
  const records: MetricRecord[] = [];
  const skippedLines: number[] = [];
  const parse = (line: string): MetricRecord | undefined => {
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && Number.isFinite((v as MetricRecord).step)) return v as MetricRecord;
    } catch {
      // not JSON
    }
    return undefined;
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const r = parse(line);
    if (r) records.push(r);
    else skippedLines.push(i + 1);
  });
  if (pending.trim() !== '') {
    const r = parse(pending);
    if (r) records.push(r);
  }
  if (skippedLines.length > 0)
    log.warn(`${path}: skipped ${skippedLines.length} unreadable line(s) (line ${skippedLines.slice(0, 5).join(', ')}${skippedLines.length > 5 ? ', …' : ''})`);
  return { records, skippedLines };
}

export interface MetricPlotSpec {
  /** Output file name inside outDir, e.g. 'losses.svg'. */
  file: string;
  title: string;
  /** One series per key; records without a finite number under a key have no point there. */
  keys: string[];
  yLabel?: string;
  logY?: boolean;
}

/**
 * One SVG per spec, x = step. Records are ordered by step, and when a step
 * occurs more than once (a run resumed from an earlier checkpoint) the later
 * record wins. Returns the paths written.
 */
export function plotMetricsJsonl(jsonlPath: string, outDir: string, specs: MetricPlotSpec[]): string[] {
  const { records } = readMetricsJsonl(jsonlPath);
  const byStep = new Map<number, MetricRecord>();
  for (const r of records) byStep.set(r.step, r);
  const ordered = [...byStep.values()].sort((a, b) => a.step - b.step);
  return specs.map((spec) => {
    const path = join(outDir, spec.file);
    writeLinePlot(path, {
      title: spec.title,
      xLabel: 'step',
      yLabel: spec.yLabel ?? (spec.keys.length === 1 ? spec.keys[0] : 'value'),
      logY: spec.logY,
      series: spec.keys.map((key) => ({
        name: key,
        points: ordered.filter((r) => typeof r[key] === 'number').map((r) => [r.step, r[key] as number] as [number, number]),
      })),
    });
    return path;
  });
}
