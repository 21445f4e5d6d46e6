/**
 * FLAC, Ogg Vorbis and MP3 decoded in-process by the wasm builds of libFLAC,
 * libvorbis and mpg123 (npm packages, MIT), so these formats work after a
 * plain `npm install`. A fresh decoder per file keeps concurrent loads apart.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { InputFileError } from '../util/errors.js';
import { flacTotalSamples, scanOggPages } from './container-checks.js';
import { downmix, type DecodedAudio } from './decoded.js';
import { id3TagEnd, type NativeFormat } from './sniff.js';

interface WasmResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string }[];
}

export async function decodeCompressed(bytes: Uint8Array, format: Exclude<NativeFormat, 'wav'>, file: string): Promise<DecodedAudio> {
  const problems: string[] = []; // short, for an error message
  const warnings: string[] = []; // the same, saying what was done about them
  let input = bytes;
  if (bytes[0] === 0x4f && bytes[1] === 0x67) {
    // Ogg (Vorbis, or FLAC in Ogg): drop damaged and cut-off pages before decoding.
    const scan = scanOggPages(bytes);
    input = scan.bytes;
    if (scan.damagedPages > 0) {
      problems.push(`${scan.damagedPages} damaged Ogg page(s) (checksum mismatch)`);
      warnings.push(`${scan.damagedPages} damaged Ogg page(s) (checksum mismatch) were skipped; the audio has gaps there`);
    }
    if (scan.truncated) {
      problems.push('the file is cut off before the end of the Ogg stream');
      warnings.push('file is truncated (cut off before the end of the Ogg stream); the complete part was decoded');
    }
  }
  let result: WasmResult;
  try {
    result = await runDecoder(input, format);
  } catch (e) {
    throw new InputFileError(file, `${label(format)} decoder failed: ${e instanceof Error ? e.message : String(e)}`, 'corrupt');
  }
  const { channelData, samplesDecoded, sampleRate, errors } = result;
  const firstError = errors[0]?.message;
  const announced = format === 'flac' ? flacTotalSamples(bytes, id3TagEnd(bytes)) : 0;
  if (samplesDecoded === 0 || channelData.length === 0 || !(sampleRate > 0)) {
    const why = firstError ?? (problems.length > 0 ? problems.join('; ') : announced > 0 ? 'the file is truncated or damaged' : undefined);
    if (why) throw new InputFileError(file, `no audio could be decoded from this ${label(format)} file (${why})`, 'corrupt');
    throw new InputFileError(file, `${label(format)} file contains no audio samples`, 'empty');
  }
  if (errors.length > 0) {
    warnings.push(`${errors.length} damaged ${label(format)} frame(s) were skipped (first: ${firstError}); the audio has gaps there`);
  }
  const samples = downmix(channelData, samplesDecoded);
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) {
      throw new InputFileError(file, `decoded audio contains a non-finite sample at ${(i / sampleRate).toFixed(3)} s`, 'corrupt');
    }
  }
  const channels = format === 'mp3' ? (mp3ChannelCount(bytes) ?? channelData.length) : channelData.length;
  const incomplete = samples.length < announced;
  if (incomplete) {
    warnings.push(
      `only ${(samples.length / sampleRate).toFixed(2)} s of the ${(announced / sampleRate).toFixed(2)} s announced in the FLAC header ` +
        `could be decoded (the file is truncated or damaged)`,
    );
  }
  return { samples, sampleRate, fileRate: sampleRate, channels, format, warnings, incomplete };
}

async function runDecoder(bytes: Uint8Array, format: Exclude<NativeFormat, 'wav'>): Promise<WasmResult> {
  if (format === 'mp3') {
    const decoder = new MPEGDecoder();
    await decoder.ready;
    try {
      return decoder.decode(bytes); // feeds mpg123 in buffer-sized pieces itself
    } finally {
      decoder.free();
    }
  }
  const decoder = format === 'flac' ? new FLACDecoder() : new OggVorbisDecoder();
  await decoder.ready;
  try {
    return await decoder.decodeFile(bytes);
  } finally {
    decoder.free();
  }
}

/** mpg123 always outputs two channels; the first frame header says whether the file is mono (mode 3). */
function mp3ChannelCount(b: Uint8Array): number | null {
  const end = Math.min(b.length - 3, id3TagEnd(b) + 65536);
  for (let p = id3TagEnd(b); p < end; p++) {
    // Frame sync, a valid layer, bitrate index not 15, sample-rate index not 3.
    if (b[p] === 0xff && (b[p + 1] & 0xe0) === 0xe0 && (b[p + 1] & 0x06) !== 0 && (b[p + 2] & 0xf0) !== 0xf0 && (b[p + 2] & 0x0c) !== 0x0c) {
      return b[p + 3] >> 6 === 3 ? 1 : 2;
    }
  }
  return null;
}

function label(format: Exclude<NativeFormat, 'wav'>): string {
  return format === 'flac' ? 'FLAC' : format === 'ogg-vorbis' ? 'Ogg Vorbis' : 'MP3';
}
