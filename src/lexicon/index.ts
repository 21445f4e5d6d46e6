/**
 * Words: the lexicon prefix tree and the word decoder (phone posteriors →
 * timed words), lexicon export and word discovery for linguists.
 */
export { buildPrefixTree, collapseRuns, type PrefixTree, type Pronunciation } from './prefix-tree.js';
export { WordDecoder, DEFAULT_WORD_DECODER_OPTIONS, logSoftmaxRows, type WordDecoderOptions, type DecodedWord } from './word-decoder.js';
export { toWordSegments } from './word-segments.js';
export { modelWordDecoder } from './model-decoder.js';
export { compareOccurrences, type LexiconEntry, type Occurrence } from './entry.js';
export { findLexiconSource, buildLexiconEntries, countWords, wordOccurrences, type LexiconSource, type ExportOptions } from './export.js';
export { discoverWords, unexplainedStretches, discoveryScore, DEFAULT_DISCOVER_OPTIONS, type DiscoverOptions } from './discover.js';
export { readTranscripts, parseTranscriptJson, type TranscriptRecord, type TimedPhone, type TimedWord } from './transcripts.js';
export { writeLexiconFiles, renderLexicon, parseLexiconFormats, checkLanguageTag, LEXICON_FORMATS, type LexiconFormat, type LexiconFileMeta } from './write.js';
