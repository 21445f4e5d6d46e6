/** Build a phonemizer from a CLI/config description. */
import { UsageError } from '../util/errors.js';
import { espeakPhonemizer } from './espeak.js';
import { lexiconPhonemizer } from './lexicon.js';
import { profilePhonemizer } from './profile.js';
import { graphemePhonemizer } from './graphemes.js';
import { PHONEMIZER_KINDS, type Phonemizer, type PhonemizerSpec } from './phonemizer.js';

export async function makePhonemizer(spec: PhonemizerSpec): Promise<Phonemizer> {
  switch (spec.kind) {
    case 'espeak':
      if (!spec.language) throw new UsageError('the espeak phonemizer needs a language (--language); `fieldphone phonemize --list-voices` lists them');
      return espeakPhonemizer(spec.language);
    case 'lexicon':
      if (!spec.path) throw new UsageError('the lexicon phonemizer needs a lexicon file (--lexicon FILE)');
      return lexiconPhonemizer(spec.path);
    case 'profile':
      if (!spec.path) throw new UsageError('the profile phonemizer needs an orthography profile (--profile FILE)');
      return profilePhonemizer(spec.path, spec.column);
    case 'graphemes':
      return graphemePhonemizer();
    default:
      throw new UsageError(`unknown phonemizer "${String(spec.kind)}"; choose one of ${PHONEMIZER_KINDS.join(', ')}`);
  }
}
