/**
 * Span masking for masked prediction (wav2vec 2.0 / HuBERT's compute_mask_indices,
 * without its minimum-gap options): an utterance of T steps gets
 * round(prob·T/span) spans of `span` steps at random starts; spans may overlap,
 * so prob 0.65 with span 5 masks about half of the steps. At least one span
 * whenever T ≥ span, so every utterance contributes to the loss.
 */
import type { Rng } from '../util/rng.js';

export interface MaskConfig {
  prob: number;
  span: number;
}

export const DEFAULT_MASK: MaskConfig = { prob: 0.65, span: 5 };

/** 1 at masked steps, 0 elsewhere. */
export function spanMask(T: number, cfg: MaskConfig, rng: Rng): Uint8Array {
  const mask = new Uint8Array(T);
  const span = Math.min(cfg.span, T);
  if (span <= 0) return mask;
  const n = Math.max(1, Math.round((cfg.prob * T) / span));
  for (let i = 0; i < n; i++) {
    const start = rng.int(T - span + 1);
    mask.fill(1, start, start + span);
  }
  return mask;
}
