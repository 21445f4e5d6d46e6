import { afterAll, describe, it, expect } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIO_EXTENSIONS, listCorpus } from '../../src/audio/index.js';
import { InputFileError } from '../../src/util/errors.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

function touch(...parts: string[]): string {
  const p = join(dir, ...parts);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, 'x');
  return p;
}

async function rejection(p: Promise<unknown>): Promise<InputFileError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(InputFileError);
  return e as InputFileError;
}

describe('listCorpus: folders', () => {
  const root = join(dir, 'corpus');
  const expected = [
    touch('corpus', 'A.WAV'),
    touch('corpus', 'b.flac'),
    touch('corpus', 'sub', 'deeper', 'z.Mp3'),
    touch('corpus', 'sub', 'c.ogg'),
    touch('corpus', 'sub', 'd.m4a'),
  ].sort();
  touch('corpus', 'notes.txt');
  touch('corpus', '.hidden.wav');
  touch('corpus', '.git', 'inside-hidden-folder.wav');
  touch('corpus', 'sub', 'transcript.eaf');

  it('walks recursively, picks audio extensions in any case, skips hidden files and folders, sorts', async () => {
    expect(await listCorpus(root)).toEqual(expected);
  });

  it('orders by code point, independent of locale', async () => {
    const files = await listCorpus(root);
    expect(files).toEqual([...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(files[0].endsWith('A.WAV')).toBe(true); // 'A' < 'b' by code point
  });

  it.skipIf(process.platform === 'win32')('follows symbolic links without looping forever', async () => {
    const loopRoot = join(dir, 'loop');
    const f = touch('loop', 'one.wav');
    symlinkSync(loopRoot, join(loopRoot, 'back-up'));
    expect(await listCorpus(loopRoot)).toEqual([f]);
  });

  it('a missing folder is an InputFileError', async () => {
    const e = await rejection(listCorpus(join(dir, 'nope')));
    expect(e.code).toBe('unreadable');
    expect(e.message).toMatch(/nope: no such folder or list file/);
  });

  it('a folder without audio is an InputFileError listing the extensions looked for', async () => {
    touch('no-audio', 'readme.txt');
    const e = await rejection(listCorpus(join(dir, 'no-audio')));
    expect(e.code).toBe('empty');
    expect(e.message).toContain('.wav');
  });

  it('a single audio file is a corpus of one', async () => {
    expect(await listCorpus(expected[0])).toEqual([expected[0]]);
  });

  it('exports lower-case extensions with the dot', () => {
    expect(AUDIO_EXTENSIONS).toContain('.wav');
    for (const e of AUDIO_EXTENSIONS) expect(e).toMatch(/^\.[a-z0-9]+$/);
  });
});

describe('listCorpus: list files', () => {
  const a = touch('listed', 'rec one.wav');
  const b = touch('listed', 'day2', 'b.flac');
  const other = touch('elsewhere', 'c.wav');

  it('reads paths relative to the list file, skipping comments and blank lines (BOM, CRLF ok)', async () => {
    const list = join(dir, 'listed', 'files.txt');
    writeFileSync(list, '\uFEFF# my corpus\r\n\r\nrec one.wav\r\n  day2/b.flac  \r\n# ../skip.wav\r\n../elsewhere/c.wav\r\n');
    expect(await listCorpus(list)).toEqual([a, b, other]); // list order is kept
  });

  it('drops a file listed twice', async () => {
    const list = join(dir, 'listed', 'dupes.txt');
    writeFileSync(list, 'rec one.wav\n./rec one.wav\n');
    expect(await listCorpus(list)).toEqual([a]);
  });

  it('a listed file that does not exist is an error naming the list and the line', async () => {
    const list = join(dir, 'listed', 'bad.txt');
    writeFileSync(list, 'rec one.wav\n\nmissing.wav\n');
    const e = await rejection(listCorpus(list));
    expect(e.file).toBe(list);
    expect(e.message).toMatch(/line 3: missing\.wav does not exist/);
  });

  it('a list naming no files is an error', async () => {
    const list = join(dir, 'listed', 'empty.txt');
    writeFileSync(list, '# nothing yet\n');
    expect((await rejection(listCorpus(list))).code).toBe('empty');
  });
});
