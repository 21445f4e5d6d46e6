/** Audio stage: decode any recording to mono 16 kHz, resample, remove silence, find corpus files. */
export type { Audio, AudioSource, LoadedAudio, Interval } from './types.js';
export { loadAudio, type LoadAudioOptions } from './load.js';
export { resample } from './resample.js';
export { removeSilence, toOriginalTime, DEFAULT_VAD_OPTIONS, type VadOptions, type VadResult } from './vad.js';
export { listCorpus, AUDIO_EXTENSIONS } from './corpus.js';
export { writeWav } from './wav.js';
