/**
 * WAV reading and writing.
 *
 * Reading: `wavefile` parses the header (RIFF, RIFX, RF64; the fmt chunk
 * with its WAVE_FORMAT_EXTENSIBLE sub-format; ds64). The samples are
 * converted here, straight from the bytes into one mono Float32Array,
 * because wavefile's getSamples() returns raw integers as Float64 per
 * channel (2.7 GB for an hour of 48 kHz stereo), and its published build
 * does not expose where the data chunk starts, so findDataChunk() walks the
 * chunk list itself.
 *
 * Truncated files: when the header announces more data than the file holds
 * (a recorder that lost power, a copy that was cut short) the samples that
 * are present are kept and a warning says how much is missing. Field
 * recordings are often irreplaceable, and every sample present is still
 * valid audio. A file cut off before its data starts is rejected as corrupt.
 */
import wavefile from 'wavefile';
import { InputFileError } from '../util/errors.js';
import { float32ToBytes, writeFileAtomic } from '../util/fsx.js';
import type { Audio } from './types.js';
import type { DecodedAudio } from './decoded.js';

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const UNKNOWN_SIZE = 0xffffffff;

/** Names for WAV encodings this module leaves to ffmpeg, for messages. */
const OTHER_WAV_CODECS: Record<number, string> = {
  0x0002: 'MS ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MP3',
};

interface FmtChunk {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
  subformat?: number[];
}
interface Ds64Chunk {
  dataSizeHigh: number;
  dataSizeLow: number;
}

/** A WAV whose encoding is not PCM or float: the caller may hand it to ffmpeg. */
export interface OtherWavCodec {
  otherCodec: string;
}

export function decodeWav(bytes: Uint8Array, file: string): DecodedAudio | OtherWavCodec {
  const wav = new wavefile.WaveFile();
  try {
    wav.fromBuffer(bytes, false);
  } catch (e) {
    throw new InputFileError(file, describeParseError(e), 'corrupt');
  }
  const fmt = wav.fmt as FmtChunk;
  const le = wav.container !== 'RIFX';

  let codec = fmt.audioFormat;
  if (codec === WAVE_FORMAT_EXTENSIBLE) {
    // The sub-format GUID starts with the plain format code (1 = PCM, 3 = float). Big-endian
    // (RIFX) writers disagree on the GUID's byte order, so accept the code in either half.
    const sub = fmt.subformat?.[0];
    if (sub === undefined) throw new InputFileError(file, 'WAVE_FORMAT_EXTENSIBLE header is cut short (no sub-format)', 'corrupt');
    codec = (sub & 0xffff) !== 0 ? sub & 0xffff : sub >>> 16;
  }
  if (codec !== WAVE_FORMAT_PCM && codec !== WAVE_FORMAT_IEEE_FLOAT) {
    return { otherCodec: `WAV with ${OTHER_WAV_CODECS[codec] ?? 'format code 0x' + codec.toString(16)} encoding` };
  }
  const channels = fmt.numChannels;
  const rate = fmt.sampleRate;
  const bits = fmt.bitsPerSample;
  if (!(channels >= 1 && Number.isInteger(channels))) throw new InputFileError(file, `WAV header gives ${channels} channels`, 'corrupt');
  if (!(rate >= 1 && Number.isInteger(rate))) throw new InputFileError(file, `WAV header gives a sample rate of ${rate} Hz`, 'corrupt');
  const isFloat = codec === WAVE_FORMAT_IEEE_FLOAT;
  if (isFloat ? bits !== 32 && bits !== 64 : !(bits >= 1 && bits <= 32)) {
    throw new InputFileError(file, `WAV header gives ${bits}-bit ${isFloat ? 'float' : 'integer'} samples, which is not a valid encoding`, 'corrupt');
  }
  // Integer samples sit left-justified in whole bytes (e.g. 20-bit audio in 3-byte containers).
  const bytesPerSample = Math.ceil(bits / 8);
  const frameBytes = bytesPerSample * channels;

  const data = findDataChunk(bytes, le);
  if (!data) throw new InputFileError(file, 'WAV file has no data chunk; the file is damaged or was cut off before the audio', 'corrupt');
  const start = data.start;
  const available = Math.max(0, bytes.length - start);
  const warnings: string[] = [];
  let size = data.size;
  if (wav.container === 'RF64') {
    // wavefile names the ds64 halves the wrong way round: the file stores the low 32 bits
    // first (EBU Tech 3306), which wavefile calls dataSizeHigh.
    const ds64 = wav.ds64 as Ds64Chunk;
    size = ds64.dataSizeLow * 2 ** 32 + ds64.dataSizeHigh;
  }
  if (size === UNKNOWN_SIZE) {
    size = available; // streaming writers leave the size unset; the data runs to the end of the file
  } else if (size > available) {
    warnings.push(
      `file is truncated: the header announces ${seconds(size, frameBytes, rate)} of audio but only ` +
        `${seconds(available, frameBytes, rate)} is present; using what is there`,
    );
    size = available;
  } else if (size === 0 && available >= frameBytes && !looksLikeChunkId(bytes, start)) {
    warnings.push(
      `the WAV header was never finished (data size 0; the recording was probably interrupted); ` +
        `reading the ${seconds(available, frameBytes, rate)} of audio that follows it`,
    );
    size = available;
  }
  const frames = Math.floor(size / frameBytes);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = sampleReader(bytesPerSample, isFloat, le);
  const samples = new Float32Array(frames);
  const inv = 1 / channels;
  let pos = start;
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const v = read(view, pos);
      if (isFloat && !Number.isFinite(v)) {
        throw new InputFileError(file, `contains a ${Number.isNaN(v) ? 'NaN' : 'infinite'} sample value at ${(i / rate).toFixed(3)} s (channel ${c + 1})`, 'corrupt');
      }
      sum += v;
      pos += bytesPerSample;
    }
    samples[i] = sum * inv;
  }
  if (isFloat) normaliseOverload(samples, warnings);
  const format = isFloat ? `wav-float${bits}` : `wav-pcm${bits}`;
  return { samples, sampleRate: rate, fileRate: rate, channels, format, warnings };
}

type SampleReader = (view: DataView, pos: number) => number;

function sampleReader(bytesPerSample: number, isFloat: boolean, le: boolean): SampleReader {
  if (isFloat) return bytesPerSample === 4 ? (v, p) => v.getFloat32(p, le) : (v, p) => v.getFloat64(p, le);
  switch (bytesPerSample) {
    case 1:
      return (v, p) => (v.getUint8(p) - 128) / 128; // 8-bit WAV is unsigned
    case 2:
      return (v, p) => v.getInt16(p, le) / 32768;
    case 3:
      return le
        ? (v, p) => ((v.getUint8(p) | (v.getUint8(p + 1) << 8) | (v.getUint8(p + 2) << 16)) << 8) / 2147483648
        : (v, p) => ((v.getUint8(p + 2) | (v.getUint8(p + 1) << 8) | (v.getUint8(p) << 16)) << 8) / 2147483648;
    default:
      return (v, p) => v.getInt32(p, le) / 2147483648;
  }
}

/**
 * Float WAVs may legitimately exceed ±1 (unclipped mixes, tools that store
 * raw values). Scale such a file back into [-1, 1] rather than clip it.
 */
function normaliseOverload(samples: Float32Array, warnings: string[]): void {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  if (peak <= 1) return;
  const g = 1 / peak;
  for (let i = 0; i < samples.length; i++) samples[i] *= g;
  warnings.push(`float samples reach ${peak.toPrecision(3)} (beyond ±1); the file was scaled down by that factor`);
}

/** Offset and declared size of the data chunk: RIFF chunks follow the 12-byte file header, each padded to even length. */
function findDataChunk(bytes: Uint8Array, le: boolean): { start: number; size: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = String.fromCharCode(bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]);
    const size = view.getUint32(pos + 4, le);
    if (id === 'data') return { start: pos + 8, size };
    pos += 8 + size + (size % 2);
  }
  return null;
}

function looksLikeChunkId(bytes: Uint8Array, pos: number): boolean {
  if (pos + 4 > bytes.length) return false;
  for (let i = pos; i < pos + 4; i++) if (bytes[i] < 0x20 || bytes[i] > 0x7e) return false;
  return true;
}

function seconds(byteCount: number, frameBytes: number, rate: number): string {
  return `${(Math.floor(byteCount / frameBytes) / rate).toFixed(2)} s`;
}

function describeParseError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/"fmt "/.test(msg)) return 'WAV header has no format ("fmt ") chunk; the file is damaged or was cut off at the start';
  if (/"data"/.test(msg)) return 'WAV file has no data chunk; the file is damaged or was cut off before the audio';
  if (/ds64/.test(msg)) return 'RF64 WAV without its ds64 size chunk; the file is damaged';
  return `damaged WAV header (${msg})`;
}

/** Write mono audio as a WAV (16-bit PCM by default, or 32-bit float), atomically. */
export function writeWav(path: string, audio: Audio, opts: { bitDepth?: 16 | 32 } = {}): void {
  writeFileAtomic(path, encodeWav(audio, opts.bitDepth ?? 16));
}

function encodeWav(audio: Audio, bitDepth: 16 | 32): Uint8Array {
  const { samples, sampleRate } = audio;
  if (!(sampleRate >= 1 && Number.isInteger(sampleRate))) throw new RangeError(`sample rate must be a positive integer, got ${sampleRate}`);
  const isFloat = bitDepth === 32;
  const bytesPerSample = bitDepth / 8;
  const dataBytes = samples.length * bytesPerSample;
  // Float WAVs carry the cbSize field and a fact chunk, as the format requires for non-PCM data.
  const fmtSize = isFloat ? 18 : 16;
  const factBytes = isFloat ? 12 : 0;
  const headerBytes = 12 + 8 + fmtSize + factBytes + 8;
  if (headerBytes - 8 + dataBytes > 0xffffffff) throw new RangeError('audio too long for a WAV file (over 4 GB)');
  const out = new Uint8Array(headerBytes + dataBytes);
  const v = new DataView(out.buffer);
  let p = 0;
  const str = (s: string) => {
    for (let i = 0; i < s.length; i++) out[p++] = s.charCodeAt(i);
  };
  const u32 = (x: number) => {
    v.setUint32(p, x, true);
    p += 4;
  };
  const u16 = (x: number) => {
    v.setUint16(p, x, true);
    p += 2;
  };
  str('RIFF');
  u32(out.length - 8);
  str('WAVE');
  str('fmt ');
  u32(fmtSize);
  u16(isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM);
  u16(1);
  u32(sampleRate);
  u32(sampleRate * bytesPerSample);
  u16(bytesPerSample);
  u16(bitDepth);
  if (isFloat) {
    u16(0);
    str('fact');
    u32(4);
    u32(samples.length);
  }
  str('data');
  u32(dataBytes);
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) throw new RangeError(`sample ${i} is ${samples[i]}; refusing to write it`);
  }
  if (isFloat) {
    out.set(float32ToBytes(samples), p);
  } else {
    for (let i = 0; i < samples.length; i++) {
      v.setInt16(p, Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768))), true);
      p += 2;
    }
  }
  return out;
}
