/**
 * Decoding: model outputs → greedy phone runs → times in the original
 * recording → transcript JSON and phone text.
 */
export { greedyDecode, type GreedyDecoding } from './greedy.js';
export { strideSpans, frameBoundaryTime, mapToOriginal, stepsToTimes } from './timing.js';
export { toPhoneSegments, type PhoneSegment, type StepTiming } from './phone-segments.js';
export { formatTranscriptText, formatTranscriptJson, type TranscriptJson } from './transcript-format.js';
export { type WordSegment } from './word-segments.js';
