/**
 * Timed labels, the common ground of TextGrid, EAF and CTM, and the two
 * label streams of a transcript (phones, words) in that shape.
 */
import type { PhoneSegment, WordSegment } from '../decode/index.js';
import { SIL } from '../text/silence.js';

/** A labelled stretch, seconds in the original recording. */
export interface TimedLabel {
  start: number;
  end: number;
  label: string;
  /** Confidence in [0, 1], when the label has one. */
  conf?: number;
}

/** What the annotation formats need of a transcript (src/transcribe RecordingTranscript has it). */
export interface TimedTranscript {
  /** The recording (absolute path). */
  file: string;
  durationSec: number;
  phones: PhoneSegment[];
  words?: WordSegment[];
}

export type TierKind = 'phones' | 'words';
export const TIER_KINDS: TierKind[] = ['phones', 'words'];

/**
 * The transcript's phones or words as labels in time order, NFC-normalised,
 * without <SIL> and empty labels (the formats show silence as unlabelled time).
 * A phone's confidence is exp(its mean log probability), the geometric mean of
 * its per-step probabilities; a word's score mixes in the LM, so words get none.
 */
export function transcriptLabels(t: TimedTranscript, kind: TierKind): TimedLabel[] {
  const raw: TimedLabel[] =
    kind === 'phones'
      ? t.phones.map((p) => ({ start: p.start, end: p.end, label: p.phone, ...(p.score === undefined ? {} : { conf: Math.exp(p.score) }) }))
      : (t.words ?? []).map((w) => ({ start: w.start, end: w.end, label: w.word }));
  return raw
    .filter((x) => x.label !== SIL && x.label.trim() !== '')
    .map((x) => ({ ...x, label: x.label.normalize('NFC') }))
    .sort((a, b) => a.start - b.start);
}
