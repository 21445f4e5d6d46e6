/**
 * Phone and word error rates: Levenshtein alignment, corpus reports, sclite-style
 * alignment print-outs and Kaldi-style transcript files.
 */
export { type EditOp, type Alignment, alignTokens } from './align.js';
export { type ScoreReport, type UtteranceScore, scoreCorpus, errorRate } from './report.js';
export { formatAlignment } from './format.js';
export { displayWidth } from './display-width.js';
export { readTranscriptFile } from './transcript-file.js';
