/**
 * What the server tells about its model, read once from the model folder at
 * start: a summary (/v1/models), the training log (…/metrics) and the
 * pronunciation lexicon with counts (…/lexicon). The weights themselves are
 * loaded by the workers, not here.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MODEL_FILES, MODEL_FORMAT, MODEL_STAGE, type ModelConfig } from '../model/model-folder.js';
import type { PrepareAudioConfig } from '../pipeline/prepare-audio.js';
import { readMetricsJsonl, type MetricRecord } from '../plot/index.js';
import { parseLexicon } from '../text/lexicon.js';
import { readJson } from '../util/fsx.js';
import { readManifest } from '../util/manifest.js';

export interface ModelSummary {
  id: string;
  createdAt: string;
  toolVersion: string;
  /** Output units in index order (phones, then <SIL>). */
  units: string[];
  features: string;
  input: ModelConfig['input'];
  generator: ModelConfig['generator'];
  /** The training update whose weights were kept, and its figures (the unsupervised selection metric among them). */
  selectedUpdate?: number;
  selection?: Record<string, unknown>;
  lexiconEntries: number;
  hasTrainingLog: boolean;
}

export interface LexiconEntry {
  word: string;
  phones: string[];
}

export interface ModelInfo {
  dir: string;
  summary: ModelSummary;
  lexicon: LexiconEntry[];
  /** How often each phone occurs over all lexicon pronunciations. */
  phoneCounts: Record<string, number>;
  metricsPath: string;
}

export function readModelInfo(dirGiven: string): ModelInfo {
  const dir = resolve(dirGiven);
  const m = readManifest<ModelConfig>(dir, MODEL_STAGE, MODEL_FORMAT);
  const units = readJson<string[]>(join(dir, MODEL_FILES.units));
  const audio = readJson<PrepareAudioConfig>(join(dir, MODEL_FILES.audio));
  const lexiconPath = join(dir, MODEL_FILES.lexicon);
  const lexicon: LexiconEntry[] = existsSync(lexiconPath) ? [...parseLexicon(lexiconPath).entries].map(([word, phones]) => ({ word, phones })) : [];
  const counts = new Map<string, number>();
  for (const e of lexicon) for (const p of e.phones) counts.set(p, (counts.get(p) ?? 0) + 1);
  // Most frequent first, as a reader scans an inventory.
  const phoneCounts = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
  const metricsPath = join(dir, MODEL_FILES.training, 'metrics.jsonl');
  const stats = m.stats ?? {};
  return {
    dir,
    summary: {
      // A model folder is usually <run>/model: the run's name says more.
      id: basename(dir) === 'model' && dirname(dir) !== dir ? basename(dirname(dir)) : basename(dir),
      createdAt: m.createdAt,
      toolVersion: m.tool.version,
      units,
      features: audio.source === 'fairseq' ? 'fairseq' : audio.features.kind,
      input: m.config.input,
      generator: m.config.generator,
      selectedUpdate: typeof stats.selectedUpdate === 'number' ? stats.selectedUpdate : undefined,
      selection: typeof stats.selection === 'object' && stats.selection !== null ? (stats.selection as Record<string, unknown>) : undefined,
      lexiconEntries: lexicon.length,
      hasTrainingLog: existsSync(metricsPath),
    },
    lexicon,
    phoneCounts,
    metricsPath,
  };
}

/** The training log ordered by step, a resumed run's repeated steps resolved to the later line (as the plots do). */
export function readTrainingLog(info: ModelInfo): MetricRecord[] {
  const byStep = new Map<number, MetricRecord>();
  for (const r of readMetricsJsonl(info.metricsPath).records) byStep.set(r.step, r);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

export interface LexiconQuery {
  /** Part of the spelling (case-insensitive). */
  q?: string;
  /** Phones that must occur in this order, next to each other, space-separated. */
  phones?: string;
  offset: number;
  limit: number;
}

/** Matching entries, those whose spelling starts with `q` first, in lexicon order otherwise. */
export function searchLexicon(info: ModelInfo, query: LexiconQuery): { matched: number; entries: LexiconEntry[] } {
  const q = query.q?.normalize('NFC').toLocaleLowerCase() ?? '';
  const seq = query.phones?.normalize('NFC').trim().split(/\s+/).filter(Boolean) ?? [];
  const prefix: LexiconEntry[] = [];
  const inner: LexiconEntry[] = [];
  for (const e of info.lexicon) {
    if (seq.length > 0 && !containsRun(e.phones, seq)) continue;
    const w = e.word.toLocaleLowerCase();
    if (w.startsWith(q)) prefix.push(e);
    else if (w.includes(q)) inner.push(e);
  }
  const all = prefix.concat(inner);
  return { matched: all.length, entries: all.slice(query.offset, query.offset + query.limit) };
}

function containsRun(hay: string[], run: string[]): boolean {
  outer: for (let i = 0; i + run.length <= hay.length; i++) {
    for (let j = 0; j < run.length; j++) if (hay[i + j] !== run[j]) continue outer;
    return true;
  }
  return false;
}
