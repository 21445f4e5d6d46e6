/** The text side: normalisation, phonemizers, phone inventory and silence insertion. */
export { normalizeText, splitWords, DEFAULT_NORMALIZE, type NormalizeOptions } from './normalize.js';
export { makePhonemizer } from './make-phonemizer.js';
export { UNMATCHED, PHONEMIZER_KINDS, type Phonemizer, type PhonemizerKind, type PhonemizerSpec } from './phonemizer.js';
export {
  espeakPhonemizer,
  espeakSynthesize,
  listEspeakVoices,
  parseEspeakIpa,
  type EspeakPhonemizer,
  type EspeakVoice,
  type SynthesisOptions,
} from './espeak.js';
export { lexiconPhonemizer, parseLexicon, type Lexicon } from './lexicon.js';
export { profilePhonemizer, parseProfile, bootstrapProfile, type OrthographyProfile } from './profile.js';
export { graphemePhonemizer, graphemeClusters, codepointLabel } from './graphemes.js';
export { phonemizeSentences, type PhonemizeOptions, type PhonemizedText, type DroppedLine } from './sentences.js';
export { buildInventory, filterByInventory, type Inventory } from './inventory.js';
export { SIL, insertSilence } from './silence.js';
export { readUserText, readUserLines } from './user-text.js';
