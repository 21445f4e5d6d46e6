/**
 * Receiving a recording: the request body (raw audio, or the field `file` of
 * a multipart form) streams into a file in the request's private folder.
 * The size limit is enforced while bytes arrive, and the upload stops at the
 * first byte over it; nothing is kept in memory beyond one chunk.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { HttpError, badRequest } from './http.js';
import { MultipartParser, multipartBoundary } from './multipart.js';

export interface Upload {
  /** Where the bytes are (inside the request's folder). */
  path: string;
  /** The client's name for the file (multipart filename, ?filename=, or 'upload'), for messages and outputs. */
  filename: string;
  bytes: number;
  /** Other multipart fields (e.g. format). */
  fields: Record<string, string>;
}

/** The form field that holds the recording. */
export const FILE_FIELD = 'file';
const MAX_FIELD_BYTES = 1024;
const MAX_FIELDS = 32;

export const tooLarge = (maxBytes: number) =>
  new HttpError(413, 'too-large', `the upload is larger than this server's limit of ${formatMiB(maxBytes)} (--max-upload-mb)`);

export const HOW_TO_SEND =
  "send the recording as the request body with Content-Type audio/* (e.g. audio/wav), or as the field 'file' of a multipart/form-data form (curl -F file=@recording.wav)";

/** Whether a raw body of this media type is taken as audio. */
function isRawAudio(mediaType: string): boolean {
  return mediaType.startsWith('audio/') || mediaType === 'video/webm' || mediaType === 'application/octet-stream';
}

/**
 * Check what can be checked before reading the body (media type, declared
 * size), so a refused request costs no upload. Throws the HttpError to send.
 */
export function checkUploadHeaders(req: IncomingMessage, maxBytes: number): void {
  const contentType = req.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  if (!multipartBoundary(contentType) && !isRawAudio(mediaType))
    throw new HttpError(415, 'unsupported-media-type', `Content-Type '${mediaType || 'none'}' is not an upload this server takes: ${HOW_TO_SEND}`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
}

/**
 * Stream the body into `dir`. Rejects with an HttpError (400, 413) or with
 * `signal.reason` when the signal fires (timeout, client gone); in every case
 * the partial file is left in `dir` for the caller to remove with the folder.
 */
export function receiveUpload(req: IncomingMessage, res: ServerResponse, dir: string, maxBytes: number, signal: AbortSignal): Promise<Upload> {
  checkUploadHeaders(req, maxBytes);
  const contentType = req.headers['content-type'] ?? '';
  const boundary = multipartBoundary(contentType);
  const path = join(dir, 'audio');
  const fields: Record<string, string> = {};
  let filename = new URL(req.url ?? '/', 'http://localhost').searchParams.get('filename') ?? dispositionFilename(req) ?? 'upload';
  let out: WriteStream | undefined;
  let onFileError: (e: unknown) => void = () => undefined;
  const openFile = () => {
    out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    out.on('error', (e) => onFileError(e));
    return out;
  };
  /** Where body bytes go: the file, or the current multipart part. */
  let sink: (chunk: Buffer) => void;
  let parser: MultipartParser | undefined;
  if (boundary) {
    let part: ((b: Buffer) => void) | undefined;
    let fieldCount = 0;
    parser = new MultipartParser(boundary, {
      partStart(info) {
        if (info.name === FILE_FIELD) {
          if (out) throw badRequest(`the form has more than one '${FILE_FIELD}' field; send one recording per request`);
          if (info.filename) filename = info.filename;
          const file = openFile();
          part = (b) => file.write(b);
        } else {
          if (++fieldCount > MAX_FIELDS) throw badRequest(`the form has more than ${MAX_FIELDS} fields`);
          const chunks: Buffer[] = [];
          let n = 0;
          fields[info.name] = '';
          part = (b) => {
            n += b.length;
            if (n > MAX_FIELD_BYTES) throw badRequest(`form field '${info.name}' is longer than ${MAX_FIELD_BYTES} bytes`);
            chunks.push(b);
            fields[info.name] = Buffer.concat(chunks).toString('utf8');
          };
        }
      },
      partData: (b) => part?.(b),
      partEnd() {
        part = undefined;
      },
    });
    const p = parser;
    sink = (b) => p.write(b);
  } else {
    const file = openFile();
    sink = (b) => file.write(b);
  }

  if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();

  return new Promise<Upload>((resolve, reject) => {
    let bytes = 0;
    let settled = false;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', fail);
      req.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    function fail(e: unknown) {
      if (settled) return;
      settled = true;
      cleanup();
      const finish = () => reject(e);
      if (out && !out.closed) out.destroy();
      if (out && !out.closed) out.once('close', finish);
      else finish();
    }
    function onData(chunk: Buffer) {
      bytes += chunk.length;
      if (bytes > maxBytes) return fail(tooLarge(maxBytes));
      try {
        sink(chunk);
      } catch (e) {
        return fail(e);
      }
      if (out?.writableNeedDrain) {
        req.pause();
        out.once('drain', () => settled || req.resume());
      }
    }
    function onEnd() {
      if (settled) return;
      try {
        parser?.end();
      } catch (e) {
        return fail(e);
      }
      if (!out) return fail(badRequest(`the form has no '${FILE_FIELD}' field with the recording; ${HOW_TO_SEND}`));
      settled = true;
      cleanup();
      out.once('error', reject);
      out.end(() => resolve({ path, filename: baseName(filename), bytes: out!.bytesWritten, fields }));
    }
    function onClose() {
      if (!req.complete) fail(signal.aborted ? signal.reason : new Error('the client closed the connection during the upload'));
    }
    function onAbort() {
      fail(signal.reason);
    }
    if (signal.aborted) return onAbort();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', fail);
    req.on('close', onClose);
    signal.addEventListener('abort', onAbort);
    onFileError = fail;
  });
}

/** filename=… of a raw upload's Content-Disposition header, if any. */
function dispositionFilename(req: IncomingMessage): string | undefined {
  const m = /filename\s*=\s*"?([^";]+)"?/i.exec(req.headers['content-disposition'] ?? '');
  return m?.[1];
}

/** Only the last path component of a client's file name (browsers on Windows have sent full paths). */
function baseName(name: string): string {
  const b = name.split(/[\\/]/).pop()?.trim() ?? '';
  return b === '' ? 'upload' : b.slice(0, 255);
}

export function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toPrecision(3)} MiB`;
}
