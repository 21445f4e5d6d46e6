/**
 * POST /v1/transcriptions: take a place in the pool, stream the upload into
 * a private per-request folder, transcribe it in a worker, answer in the
 * requested format, and remove the folder however the request ends
 * (success, error, timeout, client gone).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { TRANSCRIPT_FORMATS, renderTranscript, type TranscriptFormat } from '../transcribe/outputs.js';
import { FieldphoneError, InputFileError, MissingToolError, errorMessage } from '../util/errors.js';
import { log } from '../util/log.js';
import { HttpError, badRequest, requestUrl, send } from './http.js';
import type { TranscriberPool } from './pool.js';
import { checkUploadHeaders, receiveUpload, type Upload } from './upload.js';

/** Media type (without charset) and file extension of each output format; formats added later default to plain text. */
export const FORMAT_MEDIA_TYPES: Record<string, string> = {
  json: 'application/json',
  txt: 'text/plain',
  textgrid: 'text/plain',
  ctm: 'text/plain',
  eaf: 'application/xml',
};
const FORMAT_EXTENSIONS: Record<string, string> = { json: 'json', txt: 'txt', textgrid: 'TextGrid', ctm: 'ctm', eaf: 'eaf' };

export interface TranscriptionContext {
  pool: TranscriberPool;
  /** The server's private folder; each request gets a folder inside it. */
  uploadRoot: string;
  maxUploadBytes: number;
  timeoutMs: number;
  /** Reported as `model` in transcripts. */
  modelId: string;
}

export function parseFormat(value: string | null | undefined): TranscriptFormat {
  const f = (value ?? 'json').trim().toLowerCase();
  if (!(TRANSCRIPT_FORMATS as string[]).includes(f)) throw badRequest(`unknown format '${value}'; choose one of ${TRANSCRIPT_FORMATS.join(', ')}`, 'bad-format');
  return f as TranscriptFormat;
}

export async function handleTranscription(req: IncomingMessage, res: ServerResponse, ctx: TranscriptionContext): Promise<void> {
  const queryFormat = parseFormat(requestUrl(req).searchParams.get('format'));
  checkUploadHeaders(req, ctx.maxUploadBytes);
  const place = ctx.pool.reserve();
  if (!place) {
    const s = ctx.pool.status();
    throw new HttpError(503, 'busy', `the server is busy: ${s.running} recording(s) being transcribed and ${s.reserved - s.running} waiting or uploading (--concurrency ${s.workers}, --queue ${s.capacity - s.workers}); try again shortly`, {
      'Retry-After': String(ctx.pool.retryAfterSec()),
    });
  }

  let phase: 'upload' | 'transcribe' = 'upload';
  const timeout = new AbortController();
  const limitSec = ctx.timeoutMs / 1000;
  const timer = setTimeout(
    () =>
      timeout.abort(
        phase === 'upload'
          ? new HttpError(408, 'timeout', `the upload did not arrive within ${limitSec} s (--timeout-s)`)
          : new HttpError(504, 'timeout', `the transcription did not finish within ${limitSec} s (--timeout-s); send a shorter recording`),
      ),
    ctx.timeoutMs,
  );
  const gone = new AbortController();
  const onClose = () => res.writableFinished || gone.abort(new Error('the client closed the connection'));
  res.on('close', onClose);

  let dir: string | undefined;
  let upload: Upload | undefined;
  try {
    dir = await mkdtemp(join(ctx.uploadRoot, 'req-'));
    upload = await receiveUpload(req, res, dir, ctx.maxUploadBytes, AbortSignal.any([timeout.signal, gone.signal]));
    const format = upload.fields.format !== undefined ? parseFormat(upload.fields.format) : queryFormat;
    phase = 'transcribe';
    const id = stem(upload.filename);
    const t = await place.transcribe(upload.path, id, { stop: timeout.signal, abandon: gone.signal });
    // The recording is the client's file, not one on this machine: an EAF must not point into the server's folders,
    // so it gets file:///<name> and, what ELAN uses, ./<name> next to the .eaf.
    t.file = format === 'eaf' ? `/${upload.filename}` : upload.filename;
    const body = renderTranscript(t, format, { id, model: ctx.modelId });
    send(res, 200, `${FORMAT_MEDIA_TYPES[format] ?? 'text/plain'}; charset=utf-8`, body, {
      'Content-Disposition': contentDisposition(`${id}.${FORMAT_EXTENSIONS[format] ?? format}`),
    });
  } catch (e) {
    throw asHttpError(e, upload);
  } finally {
    clearTimeout(timer);
    res.off('close', onClose);
    place.release();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** What the client is told: decoding problems are theirs (400), named by their file name, never by the server's temporary path. */
function asHttpError(e: unknown, upload: Upload | undefined): unknown {
  if (e instanceof HttpError) return e;
  const clean = (msg: string) => (upload ? msg.split(upload.path).join(upload.filename) : msg);
  if (e instanceof InputFileError || e instanceof MissingToolError) {
    const detail = e.file ? e.message.slice(e.file.length + 2) : e.message;
    return badRequest(clean(upload ? `${upload.filename}: ${detail}` : detail), e.code);
  }
  if (e instanceof FieldphoneError) return new HttpError(500, e.code, clean(e.message));
  log.error(`transcription failed: ${errorMessage(e)}`);
  return new HttpError(500, 'internal', clean(errorMessage(e)));
}

function stem(filename: string): string {
  const ext = extname(filename);
  return (ext ? filename.slice(0, -ext.length) : filename) || 'upload';
}

/** The name to save the answer under: plain ASCII for every client, and the exact UTF-8 name (RFC 6266) when it differs. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `inline; filename="${ascii}"` + (ascii === name ? '' : `; filename*=UTF-8''${encodeURIComponent(name)}`);
}
