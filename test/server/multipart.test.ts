/**
 * The streaming multipart parser against bodies built by hand: every way of
 * cutting a body into two or three chunks must give the same parts as one
 * chunk (brute force over split points), data that almost contains the
 * boundary must pass through untouched, and broken bodies are refused.
 */
import { describe, it, expect } from 'vitest';
import { MultipartParser, multipartBoundary, type PartInfo } from '../../src/server/multipart.js';
import { HttpError } from '../../src/server/http.js';

interface Part extends PartInfo {
  data: Buffer;
}

function parse(boundary: string, chunks: Buffer[]): Part[] {
  const parts: Part[] = [];
  let cur: Part | undefined;
  const p = new MultipartParser(boundary, {
    partStart: (info) => (cur = { ...info, data: Buffer.alloc(0) }),
    partData: (b) => (cur!.data = Buffer.concat([cur!.data, b])),
    partEnd: () => parts.push(cur!),
  });
  for (const c of chunks) p.write(c);
  p.end();
  return parts;
}

const B = 'XyZ-boundary-42';
/** Audio-like bytes that contain CR, LF, dashes and most of the delimiter, but never all of it. */
const tricky = Buffer.concat([Buffer.from([0, 13, 10, 45, 45, 255, 13, 10]), Buffer.from(`\r\n--${B.slice(0, -1)}!`), Buffer.from([13, 13, 10, 45]), Buffer.from('tail')]);

function body(): Buffer {
  return Buffer.concat([
    Buffer.from(`preamble to ignore\r\n--${B}\r\nContent-Disposition: form-data; name="format"\r\n\r\ntextgrid\r\n--${B}\r\n`),
    Buffer.from(`Content-Disposition: form-data; name="file"; filename="záznam \\"1\\".wav"\r\nContent-Type: audio/wav\r\n\r\n`),
    tricky,
    Buffer.from(`\r\n--${B}--\r\nepilogue`),
  ]);
}

const expected: Part[] = [
  { name: 'format', filename: undefined, contentType: undefined, data: Buffer.from('textgrid') },
  { name: 'file', filename: 'záznam "1".wav', contentType: 'audio/wav', data: tricky },
];

describe('MultipartParser', () => {
  it('parses a body in one chunk', () => {
    expect(parse(B, [body()])).toEqual(expected);
  });

  it('gives the same parts however the body is cut into two or three chunks', () => {
    const b = body();
    for (let i = 0; i <= b.length; i++) expect(parse(B, [b.subarray(0, i), b.subarray(i)]), `cut at ${i}`).toEqual(expected);
    for (let i = 0; i <= b.length; i += 7) for (let j = i; j <= b.length; j += 5) expect(parse(B, [b.subarray(0, i), b.subarray(i, j), b.subarray(j)])).toEqual(expected);
    // one byte at a time
    expect(parse(B, [...b].map((x) => Buffer.from([x])))).toEqual(expected);
  });

  it('takes a body that starts with the boundary, RFC 8187 file names, and a part without data', () => {
    const b = Buffer.from(`--${B}\r\nContent-Disposition: form-data; name=file; filename*=UTF-8''%C5%99e%C4%8D.wav\r\n\r\n\r\n--${B}--`);
    expect(parse(B, [b])).toEqual([{ name: 'file', filename: 'řeč.wav', contentType: undefined, data: Buffer.alloc(0) }]);
  });

  it.each([
    ['no closing boundary', `--${B}\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc`, /ends before the closing boundary/],
    ['no boundary at all', 'just some bytes', /ends before the closing boundary/],
    ['no Content-Disposition', `--${B}\r\nContent-Type: audio/wav\r\n\r\nabc\r\n--${B}--`, /no Content-Disposition/],
    ['no field name', `--${B}\r\nContent-Disposition: form-data; filename="a.wav"\r\n\r\nabc\r\n--${B}--`, /no field name/],
    ['junk after a boundary', `--${B}xx\r\nContent-Disposition: form-data; name="a"\r\n\r\nabc\r\n--${B}--`, /not followed by a line break/],
  ])('refuses a body with %s (400)', (_what, text, message) => {
    let err: unknown;
    try {
      parse(B, [Buffer.from(text)]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    expect((err as HttpError).code).toBe('bad-multipart');
    expect((err as HttpError).message).toMatch(message);
  });

  it('refuses part headers that never end', () => {
    const p = new MultipartParser(B, { partStart: () => undefined, partData: () => undefined, partEnd: () => undefined });
    p.write(Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="a"; x="`));
    expect(() => p.write(Buffer.alloc(20_000, 0x61))).toThrow(/headers are longer than/);
  });
});

describe('multipartBoundary', () => {
  it('reads plain and quoted boundaries and ignores other types', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----WebKitFormBoundaryAbC')).toBe('----WebKitFormBoundaryAbC');
    expect(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b;c"')).toBe('a b;c');
    expect(multipartBoundary('audio/wav')).toBeUndefined();
    expect(() => multipartBoundary('multipart/form-data')).toThrow(/no valid boundary/);
  });
});
