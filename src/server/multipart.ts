/**
 * A streaming multipart/form-data parser (RFC 7578), so that an uploaded
 * recording goes to disk as it arrives instead of being held in memory.
 * Bytes are fed in chunks of any size; part bodies come out through
 * callbacks, holding back only the few bytes that might begin a boundary.
 */
import { HttpError } from './http.js';

export interface PartInfo {
  /** The form field name (Content-Disposition name=…). */
  name: string;
  /** The file name the client gave, when the part is a file. */
  filename?: string;
  contentType?: string;
}

export interface MultipartEvents {
  partStart(info: PartInfo): void;
  partData(chunk: Buffer): void;
  partEnd(): void;
}

/** A part's header block larger than this is refused (browsers send a few hundred bytes). */
const MAX_HEADER_BYTES = 16 * 1024;

const malformed = (what: string) => new HttpError(400, 'bad-multipart', `malformed multipart/form-data body: ${what}`);

/** The boundary of a multipart/form-data Content-Type, or undefined when the type is something else. */
export function multipartBoundary(contentType: string): string | undefined {
  const [type, ...params] = splitParams(contentType);
  if (type.toLowerCase() !== 'multipart/form-data') return undefined;
  const b = params.find(([k]) => k === 'boundary')?.[1];
  if (!b || b.length > 70) throw malformed('the Content-Type has no valid boundary parameter');
  return b;
}

type State = 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done';

export class MultipartParser {
  private state: State = 'preamble';
  /** Bytes not yet handed on; starts with CRLF so the first boundary looks like every other one. */
  private pending: Buffer = Buffer.from('\r\n');
  private readonly delimiter: Buffer;

  constructor(
    boundary: string,
    private readonly on: MultipartEvents,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  write(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.step());
  }

  /** The body has ended: it must have reached the closing boundary. */
  end(): void {
    if (this.state !== 'done') throw malformed('the body ends before the closing boundary');
  }

  /** One transition; false when more bytes are needed. */
  private step(): boolean {
    const buf = this.pending;
    switch (this.state) {
      case 'preamble':
      case 'body': {
        const at = buf.indexOf(this.delimiter);
        if (at < 0) {
          // Keep what could be the start of a boundary split across chunks.
          const keep = Math.min(buf.length, this.delimiter.length - 1);
          if (this.state === 'body' && buf.length > keep) this.on.partData(buf.subarray(0, buf.length - keep));
          this.pending = buf.subarray(buf.length - keep);
          return false;
        }
        if (this.state === 'body') {
          if (at > 0) this.on.partData(buf.subarray(0, at));
          this.on.partEnd();
        }
        this.pending = buf.subarray(at + this.delimiter.length);
        this.state = 'after-boundary';
        return true;
      }
      case 'after-boundary': {
        // "--" closes the body; otherwise optional blanks, then CRLF and the next part's headers.
        let i = 0;
        while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
        if (i > 64) throw malformed('junk after a boundary');
        if (buf.length < i + 2) return false;
        if (buf[i] === 0x2d && buf[i + 1] === 0x2d) {
          this.state = 'done';
          return true;
        }
        if (buf[i] !== 0x0d || buf[i + 1] !== 0x0a) throw malformed('a boundary is not followed by a line break');
        this.pending = buf.subarray(i + 2);
        this.state = 'headers';
        return true;
      }
      case 'headers': {
        const end = buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a ? 0 : buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > MAX_HEADER_BYTES) throw malformed(`a part's headers are longer than ${MAX_HEADER_BYTES} bytes`);
          return false;
        }
        this.on.partStart(parsePartHeaders(buf.subarray(0, end).toString('utf8')));
        this.pending = buf.subarray(end === 0 ? 2 : end + 4);
        this.state = 'body';
        return true;
      }
      case 'done':
        // The epilogue is ignored.
        this.pending = Buffer.alloc(0);
        return false;
    }
  }
}

function parsePartHeaders(text: string): PartInfo {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`bad part header line '${line.slice(0, 80)}'`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition');
  if (!disposition) throw malformed('a part has no Content-Disposition header');
  const [kind, ...params] = splitParams(disposition);
  if (kind.toLowerCase() !== 'form-data') throw malformed(`a part's Content-Disposition is '${kind}', not form-data`);
  const p = new Map(params);
  const name = p.get('name');
  if (name === undefined) throw malformed('a part has no field name');
  const filename = extendedValue(p.get('filename*')) ?? p.get('filename');
  return { name, filename, contentType: headers.get('content-type') };
}

/** `type; k=v; k="quoted \" value"` → [type, [k, v]…], keys lower-cased. */
function splitParams(header: string): [string, ...[string, string][]] {
  const semi = header.indexOf(';');
  const type = (semi < 0 ? header : header.slice(0, semi)).trim();
  const params: [string, string][] = [];
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of header.slice(Math.max(semi, 0)).matchAll(re)) {
    params.push([m[1].toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim()]);
  }
  return [type, ...params];
}

/** RFC 8187 `UTF-8''percent%20encoded` (filename*=…). */
function extendedValue(v: string | undefined): string | undefined {
  const m = v === undefined ? null : /^utf-8'[^']*'(.*)$/i.exec(v);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}
