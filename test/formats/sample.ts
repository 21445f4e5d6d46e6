/**
 * A hand-made transcript of a 1.8 s recording whose VAD removed 0.62–1.0 s:
 * silences at both ends and after the pause, labels that need escaping in
 * XML and in Praat, IPA outside ASCII, and two words, one out of lexicon.
 */
import type { RecordingTranscript } from '../../src/transcribe/transcribe.js';

export const ODD = `<b>&"'`;

export function sampleTranscript(file = '/data/field recordings/session ʃ1.wav'): RecordingTranscript {
  return {
    file,
    durationSec: 1.8,
    speechSec: 1.42,
    phones: [
      { phone: '<SIL>', start: 0, end: 0.3, score: -0.1 },
      { phone: 'a', start: 0.3, end: 0.5, score: Math.log(0.8) },
      { phone: ODD, start: 0.5, end: 0.62, score: Math.log(0.25) },
      // 0.62–1.0: removed by the VAD, no unit at all
      { phone: '<SIL>', start: 1.0, end: 1.1, score: -0.3 },
      { phone: 'ʃː', start: 1.1, end: 1.3, score: Math.log(0.5) },
      { phone: 'ɲ', start: 1.3, end: 1.45, score: Math.log(0.9) },
      { phone: '<SIL>', start: 1.45, end: 1.8, score: -0.2 },
    ],
    words: [
      { word: 'ab', start: 0.3, end: 0.62, phones: ['a', 'b'], oov: false, score: -7.5 },
      { word: 'ʃː ɲ', start: 1.1, end: 1.45, phones: ['ʃː', 'ɲ'], oov: true },
    ],
  };
}
