/**
 * loadAudio: any supported file → mono float at the requested rate.
 * The format is recognised from the file's bytes; WAV, FLAC, Ogg Vorbis and
 * MP3 are decoded in-process, anything else by ffmpeg when it is installed.
 */
import { readFile } from 'node:fs/promises';
import { InputFileError, UsageError } from '../util/errors.js';
import { log } from '../util/log.js';
import type { DecodedAudio } from './decoded.js';
import { decodeWithFfmpeg, missingFfmpeg } from './ffmpeg.js';
import { resample } from './resample.js';
import { sniffFormat } from './sniff.js';
import type { LoadedAudio } from './types.js';
import { decodeCompressed } from './wasm-decoders.js';
import { decodeWav } from './wav.js';

export interface LoadAudioOptions {
  /** Output rate in Hz (default 16000). */
  sampleRate?: number;
  /** Shorter files are rejected with code 'too-short' (default 0.1 s). */
  minDurationSec?: number;
}

export async function loadAudio(path: string, opts: LoadAudioOptions = {}): Promise<LoadedAudio> {
  const sampleRate = opts.sampleRate ?? 16000;
  const minDurationSec = opts.minDurationSec ?? 0.1;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new UsageError(`sample rate must be a positive whole number of Hz, got ${sampleRate}`);

  const bytes = await readBytes(path);
  if (bytes.length === 0) throw new InputFileError(path, 'file is empty (0 bytes)', 'empty');
  const decoded = await decode(bytes, path, sampleRate);
  if (decoded.samples.length === 0) throw new InputFileError(path, 'contains no audio samples', 'empty');
  const durationSec = decoded.samples.length / decoded.sampleRate;
  if (durationSec < minDurationSec) {
    throw new InputFileError(path, `is only ${formatSeconds(durationSec)} long; at least ${minDurationSec} s of audio is needed`, 'too-short');
  }
  for (const w of decoded.warnings) log.warn(`${path}: ${w}`);
  const samples = decoded.sampleRate === sampleRate ? decoded.samples : resample(decoded.samples, decoded.sampleRate, sampleRate);
  return {
    samples,
    sampleRate,
    source: {
      path,
      format: decoded.format,
      sampleRate: decoded.fileRate,
      channels: decoded.channels,
      durationSec,
      ...(decoded.warnings.length > 0 ? { warnings: decoded.warnings } : {}),
    },
  };
}

async function decode(bytes: Uint8Array, path: string, sampleRate: number): Promise<DecodedAudio> {
  const sniffed = sniffFormat(bytes);
  switch (sniffed.kind) {
    case 'native': {
      if (sniffed.format === 'wav') {
        const wav = decodeWav(bytes, path);
        if (!('otherCodec' in wav)) return wav;
        const viaFfmpeg = await decodeWithFfmpeg(path, sampleRate, 'unsupported-format');
        if (!viaFfmpeg) throw missingFfmpeg(path, `a ${wav.otherCodec}`);
        return viaFfmpeg;
      }
      try {
        const decoded = await decodeCompressed(bytes, sniffed.format, path);
        return decoded.incomplete ? await preferLonger(decoded, path, sampleRate) : decoded;
      } catch (e) {
        if (!(e instanceof InputFileError) || e.code !== 'corrupt') throw e;
        // A second opinion: ffmpeg tolerates some damage the wasm decoders do not.
        const viaFfmpeg = await decodeWithFfmpeg(path, sampleRate, 'corrupt').catch(() => null);
        if (!viaFfmpeg || viaFfmpeg.samples.length === 0) throw e;
        viaFfmpeg.warnings.unshift(`the built-in decoder failed (${e.message}); ffmpeg decoded it instead`);
        return viaFfmpeg;
      }
    }
    case 'ffmpeg': {
      const viaFfmpeg = await decodeWithFfmpeg(path, sampleRate, 'corrupt');
      if (!viaFfmpeg) throw missingFfmpeg(path, `${sniffed.name} files`);
      return viaFfmpeg;
    }
    case 'text':
      throw new InputFileError(path, 'is a text file, not audio', 'unsupported-format');
    case 'unknown': {
      const viaFfmpeg = await decodeWithFfmpeg(path, sampleRate, 'unsupported-format');
      if (!viaFfmpeg) {
        throw new InputFileError(
          path,
          'is not a recognised audio file (not WAV, FLAC, Ogg Vorbis or MP3); if it is audio in another format, installing ffmpeg lets fieldphone read it',
          'unsupported-format',
        );
      }
      return viaFfmpeg;
    }
  }
}

/** When the built-in decoder came up short, ffmpeg (if installed) may resynchronise past the damage. */
async function preferLonger(decoded: DecodedAudio, path: string, sampleRate: number): Promise<DecodedAudio> {
  const viaFfmpeg = await decodeWithFfmpeg(path, sampleRate, 'corrupt').catch(() => null);
  if (!viaFfmpeg) return decoded;
  const builtIn = decoded.samples.length / decoded.sampleRate;
  const other = viaFfmpeg.samples.length / viaFfmpeg.sampleRate;
  if (other <= builtIn) return decoded;
  viaFfmpeg.warnings.unshift(...decoded.warnings, `ffmpeg recovered ${other.toFixed(2)} s (the built-in decoder ${builtIn.toFixed(2)} s) and was used`);
  return viaFfmpeg;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied; the file cannot be read'
          : code === 'EISDIR'
            ? 'is a folder, not an audio file'
            : code === 'ERR_FS_FILE_TOO_LARGE'
              ? 'file is larger than 2 GiB; split the recording into shorter files'
              : `cannot be read (${(e as Error).message})`;
    throw new InputFileError(path, why, 'unreadable');
  }
}

function formatSeconds(s: number): string {
  return s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`;
}
