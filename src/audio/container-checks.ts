/**
 * Integrity checks the wasm decoders do not make. Their page/frame parser
 * runs without CRC checks, so a damaged Ogg page decodes to noise and a cut
 * final page to garbage; a damaged FLAC frame can make it lose sync and
 * silently drop the rest of the file. These helpers let the caller notice.
 */

export interface OggScan {
  /** The file with damaged pages and a cut-off final page removed. */
  bytes: Uint8Array;
  /** Pages whose CRC did not match. */
  damagedPages: number;
  /** The last page is cut off, or the stream has no end-of-stream page. */
  truncated: boolean;
}

/**
 * Keep only whole Ogg pages with a correct CRC. Scanning stops (keeping the
 * rest unchanged) at anything that is not a page header, so files with
 * trailing junk or resync points are left to the decoder.
 */
export function scanOggPages(b: Uint8Array): OggScan {
  const keep: Uint8Array[] = [];
  let pos = 0;
  let damagedPages = 0;
  let cutTail = false;
  let sawEos = false;
  while (pos + 27 <= b.length && b[pos] === 0x4f && b[pos + 1] === 0x67 && b[pos + 2] === 0x67 && b[pos + 3] === 0x53) {
    const nSegs = b[pos + 26];
    let end = pos + 27 + nSegs;
    if (end <= b.length) for (let i = 0; i < nSegs; i++) end += b[pos + 27 + i];
    if (end > b.length) {
      cutTail = true;
      break;
    }
    const page = b.subarray(pos, end);
    if (oggCrc(page) === readU32le(page, 22)) {
      keep.push(page);
      if (page[5] & 0x04) sawEos = true;
    } else {
      damagedPages++;
    }
    pos = end;
  }
  if (!cutTail && pos < b.length) {
    if (b.length - pos < 27) cutTail = true; // a page header cut short
    else keep.push(b.subarray(pos)); // not pages: leave to the decoder
  }
  const truncated = cutTail || (pos >= b.length && !sawEos);
  if (damagedPages === 0 && !cutTail) return { bytes: b, damagedPages, truncated };
  const out = new Uint8Array(keep.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of keep) {
    out.set(p, off);
    off += p.length;
  }
  return { bytes: out, damagedPages, truncated };
}

let crcTable: Uint32Array | undefined;

/** Ogg's CRC-32: polynomial 0x04C11DB7, MSB first, initial value 0, computed with the CRC field as zero. */
function oggCrc(page: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let r = i << 24;
      for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
      crcTable[i] = r >>> 0;
    }
  }
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i];
    crc = ((crc << 8) ^ crcTable[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
  }
  return crc;
}

function readU32le(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** Total samples per channel announced by a FLAC file's STREAMINFO block; 0 when unknown. */
export function flacTotalSamples(b: Uint8Array, start: number): number {
  // 'fLaC', then the first metadata block (always STREAMINFO): 4-byte block header, 34 bytes of data.
  const s = start + 8;
  if (s + 18 > b.length || b[start] !== 0x66 || b[start + 1] !== 0x4c || b[start + 2] !== 0x61 || b[start + 3] !== 0x43) return 0;
  if ((b[start + 4] & 0x7f) !== 0) return 0;
  // Bytes 10..17 of STREAMINFO: rate (20 bits), channels (3), bits (5), total samples (36).
  const low = ((b[s + 14] << 24) | (b[s + 15] << 16) | (b[s + 16] << 8) | b[s + 17]) >>> 0;
  return (b[s + 13] & 0x0f) * 2 ** 32 + low;
}
