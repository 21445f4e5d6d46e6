/** One recording's transcript → the output files the user asked for, each written atomically. */
import { join } from 'node:path';
import { formatTranscriptJson, formatTranscriptText } from '../decode/index.js';
import { renderCtm, renderEaf, renderTextGrid, transcriptEaf, transcriptLabels, transcriptTextGrid } from '../formats/index.js';
import { UsageError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import type { RecordingTranscript } from './transcribe.js';

export type TranscriptFormat = 'json' | 'txt' | 'textgrid' | 'eaf' | 'ctm';
export const TRANSCRIPT_FORMATS: TranscriptFormat[] = ['json', 'txt', 'textgrid', 'eaf', 'ctm'];

/** File name endings; .TextGrid is spelled as Praat spells it. */
export const TRANSCRIPT_EXTENSIONS: Record<TranscriptFormat, string> = { json: '.json', txt: '.txt', textgrid: '.TextGrid', eaf: '.eaf', ctm: '.ctm' };

export interface OutputMeta {
  /** Utterance id (output file stem; the CTM file field). */
  id: string;
  /** Model folder that made the transcript. */
  model: string;
  /** Creation time written into an EAF (default: now). */
  date?: Date;
  /** Where the rendered file will be saved: an EAF refers to the recording relative to it (default: the same folder). */
  outPath?: string;
}

/** "textgrid,eaf" → formats, each once; an unknown name is a UsageError listing the choices. */
export function parseTranscriptFormats(list: string): TranscriptFormat[] {
  const names = list.split(',').map((f) => f.trim().toLowerCase()).filter((f) => f !== '');
  for (const f of names) if (!TRANSCRIPT_FORMATS.includes(f as TranscriptFormat)) throw new UsageError(`unknown format '${f}'; choose from ${TRANSCRIPT_FORMATS.join(', ')}`);
  if (names.length === 0) throw new UsageError(`no output format given; choose from ${TRANSCRIPT_FORMATS.join(', ')}`);
  return [...new Set(names)] as TranscriptFormat[];
}

export function transcriptOutputPath(outDir: string, id: string, format: TranscriptFormat): string {
  return join(outDir, id + TRANSCRIPT_EXTENSIONS[format]);
}

const rounded = (x: number) => Number(x.toFixed(4));

/**
 * The file contents of `t` in one format (no I/O):
 *   json      phones (and words, when decoded) with times and scores
 *   txt       the phones, <SIL> left out
 *   textgrid  Praat long text format, tiers "phones" and "words" tiling the recording
 *   eaf       ELAN 3.0, tiers "phones" and "words", the recording as media
 *   ctm       NIST CTM of the words when the transcript has them, else of the phones (with confidences)
 */
export function renderTranscript(t: RecordingTranscript, format: TranscriptFormat, meta: OutputMeta): string {
  switch (format) {
    case 'json': {
      const j = formatTranscriptJson(t.file, t.phones, { id: meta.id, durationSec: t.durationSec, speechSec: t.speechSec, model: meta.model });
      const words = t.words?.map((w) => ({ ...w, start: rounded(w.start), end: rounded(w.end), ...(w.score === undefined ? {} : { score: rounded(w.score) }) }));
      return JSON.stringify(words ? { ...j, words } : j, null, 2) + '\n';
    }
    case 'txt':
      return formatTranscriptText(t.phones, { dropSilence: true }) + '\n';
    case 'textgrid':
      return renderTextGrid(transcriptTextGrid(t));
    case 'eaf':
      return renderEaf(transcriptEaf(t, { date: meta.date ?? new Date(), eafPath: meta.outPath }));
    case 'ctm':
      return renderCtm(meta.id, transcriptLabels(t, t.words ? 'words' : 'phones'));
  }
}

/** Write `t` once per format; paths[j] is the file for formats[j]. */
export function writeTranscriptOutputs(t: RecordingTranscript, formats: TranscriptFormat[], paths: string[], meta: OutputMeta): void {
  const date = meta.date ?? new Date();
  formats.forEach((f, j) => writeFileAtomic(paths[j], renderTranscript(t, f, { ...meta, date, outPath: paths[j] })));
}
