/**
 * Round 0 of self-training: the GAN model's transcription of the prepared
 * training utterances, exactly as `transcribe` would produce it (the
 * generator's greedy output, runs of one unit collapsed), kept with the frame
 * span of each phone so the HMM's flat start can use the GAN's timing.
 */
import { tf } from '../backend/index.js';
import { greedyDecode } from '../decode/index.js';
import type { LoadedModel } from '../model/model-folder.js';
import { savedConfig, type PreparedAudio } from '../pipeline/prepare-audio.js';
import { preparedExample } from '../train/data.js';
import { UsageError } from '../util/errors.js';
import { startProgress } from '../util/progress.js';
import type { LabelSet } from './labels.js';

/** The prepared audio must have been made with the model's feature settings, or the generator sees other inputs. */
export function checkSameFeatures(model: LoadedModel, prepared: PreparedAudio): void {
  // Folders prepared before `source` existed hold audio preparations (savedConfig).
  const a = model.audio, b = savedConfig(prepared.config);
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  if (!same(a.features, b.features) || a.cmvn !== b.cmvn || a.splice !== b.splice || a.source !== b.source)
    throw new UsageError(`${prepared.dir} was prepared with other feature settings than the model ${model.dir} was trained on; prepare it with --reuse on the model's training audio`);
}

export function ganLabels(model: LoadedModel, prepared: PreparedAudio): LabelSet {
  checkSameFeatures(model, prepared);
  const out: LabelSet = new Map();
  const V = model.units.length;
  const bar = startProgress('GAN labels', prepared.utterances.length);
  for (const u of prepared.utterances) {
    const input = model.config.input;
    const ex = preparedExample(input, prepared, u);
    const logits = tf.tidy(() => model.generator.apply(tf.tensor3d(ex.x, [1, ex.steps, ex.x.length / ex.steps]), false).logits);
    const data = logits.dataSync() as Float32Array;
    logits.dispose();
    const dec = greedyDecode(data, ex.steps, V);
    const spans = new Int32Array(dec.runs.length);
    for (let r = 0; r < dec.units.length; r++) {
      spans[2 * r] = ex.spans[2 * dec.runs[2 * r]];
      spans[2 * r + 1] = ex.spans[2 * (dec.runs[2 * r + 1] - 1) + 1];
    }
    out.set(u.id, { units: Array.from(dec.units, (k) => model.units[k]), spans });
    bar.tick(1);
  }
  bar.stop();
  return out;
}
