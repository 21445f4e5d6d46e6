/** One recording's transcript → the output files the user asked for, each written atomically. */
import { formatTranscriptJson, formatTranscriptText } from '../decode/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fsx.js';
import type { RecordingTranscript } from './transcribe.js';

export type TranscriptFormat = 'json' | 'txt';
export const TRANSCRIPT_FORMATS: TranscriptFormat[] = ['json', 'txt'];

export interface OutputMeta {
  /** Utterance id (output file stem). */
  id: string;
  /** Model folder that made the transcript. */
  model: string;
}

/** Write `t` once per format; paths[j] is the file for formats[j]. */
export function writeTranscriptOutputs(t: RecordingTranscript, formats: TranscriptFormat[], paths: string[], meta: OutputMeta): void {
  formats.forEach((f, j) => {
    if (f === 'json')
      writeJsonAtomic(paths[j], formatTranscriptJson(t.file, t.phones, { id: meta.id, durationSec: t.durationSec, speechSec: t.speechSec, model: meta.model }));
    else writeFileAtomic(paths[j], formatTranscriptText(t.phones, { dropSilence: true }) + '\n');
  });
}
