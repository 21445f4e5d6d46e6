/**
 * Formats without an in-process decoder (m4a, opus, webm, aiff, ADPCM WAV,
 * …) go through an ffmpeg found on PATH, which also resamples. ffprobe, when
 * present, reports the file's own rate and channels; knowing the channel
 * count, the downmix is a plain average as for the other formats (ffmpeg's
 * own `-ac 1` weights channels, e.g. 0.707 L + 0.707 R), otherwise `-ac 1`.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { InputFileError, MissingToolError } from '../util/errors.js';
import { bytesToFloat32 } from '../util/fsx.js';
import type { DecodedAudio } from './decoded.js';

const STDERR_LIMIT = 16 * 1024;

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Resolves null when the program is not installed. */
function run(program: string, args: string[]): Promise<RunResult | null> {
  return new Promise((done, fail) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += d.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? done(null) : fail(e)));
    child.on('close', (code) => done({ code, stdout: Buffer.concat(out), stderr }));
  });
}

export function missingFfmpeg(file: string, what: string): MissingToolError {
  return new MissingToolError(
    `${file}: reading ${what} needs ffmpeg, which was not found on PATH. Install it ` +
      `(Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: https://ffmpeg.org/download.html) ` +
      `or convert the file to WAV or FLAC.`,
  );
}

/**
 * Decode with ffmpeg to mono float at `sampleRate`. Returns null when ffmpeg
 * is not installed; a file ffmpeg cannot decode throws InputFileError with
 * `failureCode`.
 */
export async function decodeWithFfmpeg(file: string, sampleRate: number, failureCode: string): Promise<DecodedAudio | null> {
  // The file: prefix stops ffmpeg reading a name as an option or a protocol URL.
  const input = `file:${resolve(file)}`;
  const probe = await probeStream(input);
  const n = probe?.channels ?? 0;
  // pan with '<' scales the gains to sum to 1: the average of all channels.
  const mono = n > 1 ? ['-af', `pan=mono|c0<${Array.from({ length: n }, (_, i) => `c${i}`).join('+')}`] : ['-ac', '1'];
  const res = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', input, '-vn', ...mono, '-f', 'f32le', '-ar', String(sampleRate), '-']);
  if (res === null) return null;
  // ffmpeg's first complaint names the cause; later ones are consequences. Complaints from
  // the f32le muxer (our raw output) are about timestamps, not the recording.
  const complaints = res.stderr.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('[f32le @'));
  if (res.code !== 0) {
    const why = complaints[0] ? `ffmpeg reports: ${complaints[0]}` : `ffmpeg exited with code ${res.code}`;
    throw new InputFileError(file, `not readable as audio (${why})`, failureCode);
  }
  const whole = res.stdout.length - (res.stdout.length % 4);
  const samples = bytesToFloat32(res.stdout.subarray(0, whole));
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) {
      throw new InputFileError(file, `decoded audio contains a non-finite sample at ${(i / sampleRate).toFixed(3)} s`, 'corrupt');
    }
  }
  const warnings = complaints.length > 0 ? [`ffmpeg reported: ${complaints[0]}`] : [];
  return {
    samples,
    sampleRate,
    fileRate: probe?.sampleRate ?? 0,
    channels: probe?.channels ?? 0,
    format: `ffmpeg-${probe?.codec ?? 'unknown'}`,
    warnings,
  };
}

interface StreamInfo {
  codec: string;
  sampleRate: number;
  channels: number;
}

async function probeStream(input: string): Promise<StreamInfo | null> {
  const res = await run('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'json', input]);
  if (res === null || res.code !== 0) return null;
  try {
    const s = (JSON.parse(res.stdout.toString('utf8')) as { streams?: { codec_name?: string; sample_rate?: string; channels?: number }[] }).streams?.[0];
    if (!s) return null;
    return { codec: s.codec_name ?? 'unknown', sampleRate: Number(s.sample_rate) || 0, channels: s.channels ?? 0 };
  } catch {
    return null;
  }
}
