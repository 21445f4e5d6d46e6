/** Plain data shapes shared by the audio stage and its callers. */

/** Mono audio; samples are floats, nominally in [-1, 1]. */
export interface Audio {
  samples: Float32Array;
  sampleRate: number;
}

/** What the file on disk was, before downmixing and resampling. */
export interface AudioSource {
  path: string;
  /** Container/encoding, e.g. 'wav-pcm16', 'wav-float32', 'flac', 'ogg-vorbis', 'mp3', 'ffmpeg-aac'. */
  format: string;
  /** The file's own rate; 0 when ffmpeg decoded it and ffprobe was not available to say. */
  sampleRate: number;
  /** The file's own channel count; 0 when unknown (as for sampleRate). */
  channels: number;
  durationSec: number;
  /** Problems that were worked around (e.g. a truncated WAV whose present samples were kept). */
  warnings?: string[];
}

export interface LoadedAudio extends Audio {
  source: AudioSource;
}

/** A span of time in seconds. */
export interface Interval {
  start: number;
  end: number;
}
