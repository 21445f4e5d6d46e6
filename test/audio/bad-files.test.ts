import { afterAll, describe, it, expect } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAudio } from '../../src/audio/index.js';
import { InputFileError } from '../../src/util/errors.js';
import { tempDir, tone, writeRefWav } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** loadAudio must reject `path` with an InputFileError of `code` that names the file. */
async function expectRejected(path: string, code: string, reason: RegExp, opts?: Parameters<typeof loadAudio>[1]): Promise<void> {
  const err = await loadAudio(path, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputFileError);
  const e = err as InputFileError;
  expect(e.code).toBe(code);
  expect(e.file).toBe(path);
  expect(e.message.startsWith(`${path}: `)).toBe(true);
  expect(e.message).toMatch(reason);
}

function goodWav(name: string, seconds: number): string {
  const p = join(dir, name);
  writeRefWav(p, [Array.from(tone(500, 16000, seconds)).map((v) => Math.round(v * 32767))], 16000, '16');
  return p;
}

describe('loadAudio rejects unusable files with a distinct code and reason', () => {
  it('zero-byte file → empty', async () => {
    const p = join(dir, 'zero.wav');
    writeFileSync(p, '');
    await expectRejected(p, 'empty', /empty \(0 bytes\)/);
  });

  it('text file named .wav → unsupported-format', async () => {
    const p = join(dir, 'notes.wav');
    writeFileSync(p, 'Speaker: Maria, recorded 2024-03-01\nTopic: fishing words\n');
    await expectRejected(p, 'unsupported-format', /text file, not audio/);
  });

  it('WAV cut off inside its header → corrupt', async () => {
    const p = join(dir, 'cut-header.wav');
    writeFileSync(p, readFileSync(goodWav('whole.wav', 0.5)).subarray(0, 30));
    await expectRejected(p, 'corrupt', /cut off/);
  });

  it('WAV cut off right after the header → empty (no samples)', async () => {
    const p = join(dir, 'header-only.wav');
    writeFileSync(p, readFileSync(goodWav('whole2.wav', 0.5)).subarray(0, 44));
    await expectRejected(p, 'empty', /no audio samples/);
  });

  it('10 ms of audio → too-short, stating both lengths', async () => {
    await expectRejected(goodWav('short.wav', 0.01), 'too-short', /only 10 ms long; at least 0\.1 s/);
  });

  it('minDurationSec is honoured', async () => {
    const p = goodWav('half.wav', 0.5);
    await expectRejected(p, 'too-short', /at least 1 s/, { minDurationSec: 1 });
    await expect(loadAudio(p, { minDurationSec: 0.4 })).resolves.toBeTruthy();
  });

  it('missing file → unreadable', async () => {
    await expectRejected(join(dir, 'nope.wav'), 'unreadable', /not found/);
  });

  it('a folder → unreadable', async () => {
    const p = join(dir, 'folder.wav');
    mkdirSync(p);
    await expectRejected(p, 'unreadable', /is a folder/);
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('a file without read permission → unreadable', async () => {
    const p = goodWav('locked.wav', 0.5);
    const { chmodSync } = await import('node:fs');
    chmodSync(p, 0o000);
    await expectRejected(p, 'unreadable', /permission denied/);
  });

  it('WAV with an impossible header (0 channels) → corrupt', async () => {
    const bytes = Buffer.from(readFileSync(goodWav('whole3.wav', 0.5)));
    bytes.writeUInt16LE(0, 22);
    const p = join(dir, 'zero-channels.wav');
    writeFileSync(p, bytes);
    await expectRejected(p, 'corrupt', /0 channels/);
  });
});
