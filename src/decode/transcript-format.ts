/** Transcript outputs: a JSON record per file with timed phones, and plain phone text. */
import { SIL } from '../text/index.js';
import type { PhoneSegment } from './phone-segments.js';

/** Decimal places of times (0.1 ms, finer than a 10 ms frame) and scores in the JSON. */
const DECIMALS = 4;

function rounded(x: number): number {
  return Number(x.toFixed(DECIMALS));
}

/**
 * Phones separated by single spaces. With dropSilence, <SIL> units are left
 * out and nothing else changes: equal phones on both sides of a dropped
 * silence stay two phones (fairseq also strips silence after collapsing runs).
 */
export function formatTranscriptText(segs: PhoneSegment[], opts: { dropSilence: boolean }): string {
  return segs
    .filter((s) => !(opts.dropSilence && s.phone === SIL))
    .map((s) => s.phone)
    .join(' ');
}

export interface TranscriptJson {
  file: string;
  /** The phones without <SIL>, space-separated (what scoring compares). */
  phones: string;
  /** Every unit with its times in the original file, <SIL> included. */
  segments: PhoneSegment[];
  [meta: string]: unknown;
}

/**
 * One file's transcript as a JSON-ready object. `meta` (utterance id, model,
 * duration …) comes first; its keys cannot replace file, phones or segments.
 */
export function formatTranscriptJson(file: string, segs: PhoneSegment[], meta: Record<string, unknown> = {}): TranscriptJson {
  return {
    ...meta,
    file,
    phones: formatTranscriptText(segs, { dropSilence: true }),
    segments: segs.map((s) => ({
      phone: s.phone,
      start: rounded(s.start),
      end: rounded(s.end),
      ...(s.score === undefined ? {} : { score: rounded(s.score) }),
    })),
  };
}
