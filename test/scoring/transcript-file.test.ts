import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTranscriptFile } from '../../src/scoring/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fieldphone-transcripts-'));
});

describe('readTranscriptFile', () => {
  it('reads "id tokens…" lines, with tabs, CRLF, blank lines and empty transcripts', () => {
    const path = join(dir, 'text');
    writeFileSync(path, 'utt1 a b  c\r\n\nutt2\tk\ta\u0301\nutt3\n');
    const m = readTranscriptFile(path);
    expect([...m.keys()]).toEqual(['utt1', 'utt2', 'utt3']);
    expect(m.get('utt1')).toEqual(['a', 'b', 'c']);
    expect(m.get('utt2')).toEqual(['k', '\u00e1']); // NFC
    expect(m.get('utt3')).toEqual([]);
  });

  it('refuses duplicate ids, naming both lines', () => {
    const path = join(dir, 'dup');
    writeFileSync(path, 'u1 a\nu2 b\n\nu1 c\n');
    expect(() => readTranscriptFile(path)).toThrow(/dup: line 4: utterance id 'u1' already appeared on line 1/);
  });

  it('names a missing file', () => {
    expect(() => readTranscriptFile(join(dir, 'nope'))).toThrow(/nope: file not found/);
  });
});
