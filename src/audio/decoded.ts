/** What every decoder hands back to loadAudio, before resampling. */
export interface DecodedAudio {
  /** Mono (channels averaged), at `sampleRate`. */
  samples: Float32Array;
  sampleRate: number;
  /** The file's own rate (differs from sampleRate when ffmpeg resampled); 0 when unknown. */
  fileRate: number;
  /** Channel count of the file; 0 when unknown. */
  channels: number;
  format: string;
  warnings: string[];
  /** The decoder produced less audio than the file announces: another decoder may recover more. */
  incomplete?: boolean;
}

/** Average planar channels into one, over the frames all channels have (at most `maxFrames`). */
export function downmix(channelData: Float32Array[], maxFrames: number): Float32Array {
  const length = Math.min(maxFrames, ...channelData.map((c) => c.length));
  if (channelData.length === 1) return channelData[0].subarray(0, length);
  const out = new Float32Array(length);
  for (const ch of channelData) {
    for (let i = 0; i < length; i++) out[i] += ch[i];
  }
  const inv = 1 / channelData.length;
  for (let i = 0; i < length; i++) out[i] *= inv;
  return out;
}
