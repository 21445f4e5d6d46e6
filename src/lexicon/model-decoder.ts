/**
 * The word decoder of a model folder: its lexicon.txt and lm.words.arpa
 * (copied from prepare-text), built once per loaded model and reused for
 * every recording.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArpa } from '../lm/index.js';
import { MODEL_FILES, type LoadedModel } from '../model/model-folder.js';
import { SIL, parseLexicon } from '../text/index.js';
import { log } from '../util/log.js';
import { WordDecoder, type WordDecoderOptions } from './word-decoder.js';

const cache = new WeakMap<LoadedModel, { key: string; decoder: WordDecoder | undefined }>();

/**
 * The model's word decoder, or undefined when the folder has no lexicon or
 * word LM (then transcripts have phones only). A corrupt lexicon or LM is an
 * error naming the file.
 */
export function modelWordDecoder(model: LoadedModel, options: Partial<WordDecoderOptions> = {}): WordDecoder | undefined {
  const key = JSON.stringify(options);
  const hit = cache.get(model);
  if (hit && hit.key === key) return hit.decoder;
  const lexPath = join(model.dir, MODEL_FILES.lexicon);
  const lmPath = join(model.dir, MODEL_FILES.wordLm);
  let decoder: WordDecoder | undefined;
  if (!existsSync(lexPath) || !existsSync(lmPath)) {
    log.verbose(`${model.dir} has no ${MODEL_FILES.lexicon} or ${MODEL_FILES.wordLm}: transcribing phones only, no words`);
  } else {
    decoder = new WordDecoder(parseLexicon(lexPath).pronunciations, readArpa(lmPath), model.units, SIL, options);
    const skipped = decoder.tree.skipped.length;
    if (skipped > 0) log.verbose(`word decoder: ${skipped} lexicon words use phones the model does not have and cannot be recognised (e.g. ${decoder.tree.skipped.slice(0, 5).join(', ')})`);
  }
  cache.set(model, { key, decoder });
  return decoder;
}
