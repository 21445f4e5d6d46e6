/**
 * Recognise an audio file by its first bytes, not its name: field data often
 * arrives renamed (a FLAC called .wav, a text export called .wav).
 */

/** Decoded in-process. */
export type NativeFormat = 'wav' | 'flac' | 'ogg-vorbis' | 'mp3';
export type SniffedFormat =
  | { kind: 'native'; format: NativeFormat }
  /** An audio container only ffmpeg reads here; `name` is for messages. */
  | { kind: 'ffmpeg'; name: string }
  | { kind: 'text' }
  | { kind: 'unknown' };

export function sniffFormat(b: Uint8Array): SniffedFormat {
  const ascii = (pos: number, s: string) => {
    if (pos + s.length > b.length) return false;
    for (let i = 0; i < s.length; i++) if (b[pos + i] !== s.charCodeAt(i)) return false;
    return true;
  };
  if ((ascii(0, 'RIFF') || ascii(0, 'RIFX') || ascii(0, 'RF64')) && ascii(8, 'WAVE')) return { kind: 'native', format: 'wav' };
  if (ascii(0, 'fLaC')) return { kind: 'native', format: 'flac' };
  if (ascii(0, 'OggS')) {
    // The first page holds the codec's identification header.
    const head = b.subarray(0, Math.min(b.length, 128));
    if (contains(head, '\x01vorbis')) return { kind: 'native', format: 'ogg-vorbis' };
    if (contains(head, 'OpusHead')) return { kind: 'ffmpeg', name: 'Ogg Opus' };
    if (contains(head, '\x7fFLAC')) return { kind: 'native', format: 'flac' };
    return { kind: 'ffmpeg', name: 'Ogg' };
  }
  if (ascii(0, 'ID3')) {
    // FLAC files sometimes carry an ID3 tag too.
    if (ascii(id3TagEnd(b), 'fLaC')) return { kind: 'native', format: 'flac' };
    return { kind: 'native', format: 'mp3' };
  }
  if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0) {
    // MPEG audio frame sync; layer bits 00 mean ADTS AAC instead.
    return (b[1] & 0x06) === 0 ? { kind: 'ffmpeg', name: 'AAC (ADTS)' } : { kind: 'native', format: 'mp3' };
  }
  if (ascii(4, 'ftyp')) return { kind: 'ffmpeg', name: 'MP4/M4A' };
  if (ascii(0, 'FORM') && (ascii(8, 'AIFF') || ascii(8, 'AIFC'))) return { kind: 'ffmpeg', name: 'AIFF' };
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return { kind: 'ffmpeg', name: 'WebM/Matroska' };
  if (ascii(0, 'caff')) return { kind: 'ffmpeg', name: 'CAF' };
  if (ascii(0, '#!AMR')) return { kind: 'ffmpeg', name: 'AMR' };
  if (b.length >= 4 && b[0] === 0x30 && b[1] === 0x26 && b[2] === 0xb2 && b[3] === 0x75) return { kind: 'ffmpeg', name: 'WMA/ASF' };
  if (looksLikeText(b)) return { kind: 'text' };
  return { kind: 'unknown' };
}

/** Where the audio starts after a leading ID3v2 tag (10-byte header, syncsafe size); 0 when there is none. */
export function id3TagEnd(b: Uint8Array): number {
  if (b.length < 10 || b[0] !== 0x49 || b[1] !== 0x44 || b[2] !== 0x33) return 0;
  return 10 + (((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f));
}

function contains(hay: Uint8Array, needle: string): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle.charCodeAt(j)) continue outer;
    return true;
  }
  return false;
}

/** No NUL bytes and almost only printable ASCII/UTF-8 in the first 512 bytes: audio never looks like this. */
function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) return false;
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c === 0x7f) odd++;
  }
  return odd <= n * 0.02;
}
