/**
 * Re-decipherment: decipher again on the segments of a better segmentation.
 *
 * The first decipherment cuts the audio at change points, which often split
 * or merge phones, so its clusters are impure. After a self-training round
 * the HMM's alignment gives segments much closer to the phones; pooling and
 * clustering those and deciphering again gives labels better than both the
 * first decipherment and the round's own (demo corpus: 46.1 % PER against
 * the round's 54.1 %; docs/results.md). Only the phones change: every
 * segment keeps its span, <SIL> segments stay <SIL>, and neighbours that
 * end up with the same phone are joined.
 */
import type { PreparedAudio } from '../pipeline/prepare-audio.js';
import type { UtteranceLabels as SpannedLabels } from '../selftrain/labels.js';
import { SIL } from '../text/silence.js';
import { UsageError } from '../util/errors.js';
import type { Matrix } from '../util/matrix.js';
import type { DecipherConfig } from './config.js';
import { decipherSegments, type DecipherResult } from './index.js';
import { poolDecipherSpans } from './segments.js';

/** Phones with their frame spans (2 per phone): the self-training rounds' labels. */
export type { SpannedLabels };

/**
 * `labels`: utterance id → phones with spans, over `units` (utterances
 * without spans are left out of the decipherment and returned unchanged).
 * `text`: the language's text as ids over the same `units`. `workers`: annealing threads
 * (default: one per core).
 */
export async function redecipherLabels(
  labels: Map<string, SpannedLabels>,
  prepared: Pick<PreparedAudio, 'utterances' | 'rawFrames'>,
  text: { units: string[]; sentences: Int32Array[] },
  cfg: DecipherConfig,
  workers?: number,
): Promise<{ labels: Map<string, SpannedLabels>; result: DecipherResult }> {
  const ids: string[] = [];
  const segments: Matrix[] = [];
  const kept: number[][] = [];
  for (const u of prepared.utterances) {
    const l = labels.get(u.id);
    if (!l?.spans) continue;
    const spans: number[] = [];
    const which: number[] = [];
    for (let i = 0; i < l.units.length; i++)
      if (l.units[i] !== SIL && l.spans[2 * i + 1] > l.spans[2 * i]) {
        spans.push(l.spans[2 * i], l.spans[2 * i + 1]);
        which.push(i);
      }
    if (which.length === 0) continue;
    ids.push(u.id);
    kept.push(which);
    segments.push(poolDecipherSpans(prepared, u, Int32Array.from(spans)));
  }
  if (ids.length === 0) throw new UsageError('re-decipherment needs labels with segment spans (a self-training round\'s); these have none');
  const result = await decipherSegments(segments, text.sentences, text.units, cfg, workers);
  const out = new Map(labels);
  ids.forEach((id, r) => {
    const l = labels.get(id)!;
    const phones = l.units.slice();
    kept[r].forEach((i, j) => (phones[i] = text.units[result.labels[r][j]]));
    out.set(id, joinRepeats(phones, l.spans!));
  });
  return { labels: out, result };
}

/** Neighbouring segments with the same phone become one segment spanning both. */
export function joinRepeats(units: string[], spans: Int32Array): SpannedLabels {
  const u: string[] = [];
  const s: number[] = [];
  for (let i = 0; i < units.length; i++) {
    if (u.length > 0 && u[u.length - 1] === units[i] && s[s.length - 1] === spans[2 * i]) s[s.length - 1] = spans[2 * i + 1];
    else {
      u.push(units[i]);
      s.push(spans[2 * i], spans[2 * i + 1]);
    }
  }
  return { units: u, spans: Int32Array.from(s) };
}
