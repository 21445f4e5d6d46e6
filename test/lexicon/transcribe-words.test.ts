/**
 * Word decoding inside transcription, with a model from a tiny training run
 * on the shared fixture: transcribeRecording fills `words` from the model
 * folder's lexicon and word LM (and leaves them out without a lexicon), and
 * `lexicon export` of that model counts exactly the words of the transcripts.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { loadModelFolder, type LoadedModel } from '../../src/model/model-folder.js';
import { parseLexicon } from '../../src/text/index.js';
import { renderTranscript } from '../../src/transcribe/outputs.js';
import { transcribeRecording, type RecordingTranscript } from '../../src/transcribe/transcribe.js';
import { fieldphone, makeTrainFixture, trainArgs, type TrainFixture } from '../train/fixture.js';
import { validateLift } from './xmllint.js';

let tmp: string;
let fx: TrainFixture;
let modelDir: string;
let model: LoadedModel;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fp-transcribe-words-'));
  fx = makeTrainFixture(tmp);
  const r = fieldphone(...trainArgs(fx, join(tmp, 'run'), '--updates', '6'));
  if (r.status !== 0) throw new Error(`train failed:\n${r.stderr}`);
  modelDir = join(tmp, 'run', 'model');
  await initBackend();
  model = loadModelFolder(modelDir);
}, 300_000);

afterAll(() => {
  model?.generator.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Words in time order, inside the recording, each a lexicon word with its pronunciation or an unknown stretch of model phones. */
function checkWords(t: RecordingTranscript, lexicon: Map<string, string[][]>, units: string[]): void {
  const words = t.words ?? [];
  let prevEnd = 0;
  for (const w of words) {
    expect(w.start).toBeGreaterThanOrEqual(prevEnd - 1e-9);
    expect(w.end).toBeGreaterThan(w.start);
    expect(w.end).toBeLessThanOrEqual(t.durationSec + 1e-9);
    prevEnd = w.end;
    if (w.oov) {
      expect(w.word).toBe(w.phones.join(' '));
      for (const p of w.phones) expect(units.filter((u) => u !== '<SIL>')).toContain(p);
    } else {
      expect(lexicon.get(w.word)).toContainEqual(w.phones);
    }
    expect(Number.isFinite(w.score)).toBe(true);
  }
}

describe('transcribeRecording with words', () => {
  it('fills words from the model folder’s lexicon and word LM', async () => {
    const lexicon = parseLexicon(join(modelDir, 'lexicon.txt')).pronunciations;
    for (const wav of Object.values(fx.wavs)) {
      const t = await transcribeRecording(model, wav);
      expect(t.words).toBeDefined();
      checkWords(t, lexicon, model.units);
      // A large word bonus and no LM: words everywhere, still well-formed.
      const many = await transcribeRecording(model, wav, undefined, { lmWeight: 0, wordScore: 20, unknownWords: false });
      checkWords(many, lexicon, model.units);
      expect(many.words!.length).toBeGreaterThan(0);
      expect(many.words!.every((w) => !w.oov)).toBe(true);
    }
  });

  it('transcribe passes the word-decoding flags to its workers', async () => {
    const out = join(tmp, 'cli-words');
    const opts = { lmWeight: 0, wordScore: 20, unknownWords: false, beamSize: 64 };
    const r = fieldphone('transcribe', modelDir, join(fx.root, 'corpus'), '-o', out, '--format', 'json', '--workers', '2',
      '--lm-weight', '0', '--word-score', '20', '--no-unknown-words', '--beam', '64');
    expect(r.status, r.stderr).toBe(0);
    for (const [id, wav] of Object.entries(fx.wavs)) {
      const expected = (await transcribeRecording(model, wav, id, opts)).words!;
      const got = JSON.parse(readFileSync(join(out, `${id}.json`), 'utf8')).words as { word: string; oov: boolean }[];
      expect(got.map((w) => w.word)).toEqual(expected.map((w) => w.word));
      expect(got.every((w) => !w.oov)).toBe(true);
    }
    // The defaults decode differently (fewer words without the bonus of 20).
    const def = join(tmp, 'cli-words-default');
    expect(fieldphone('transcribe', modelDir, join(fx.root, 'corpus'), '-o', def, '--format', 'json').status).toBe(0);
    const count = (dir: string) => Object.keys(fx.wavs).reduce((n, id) => n + JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')).words.length, 0);
    expect(count(out)).toBeGreaterThan(count(def));
  });

  it('leaves words out when the model folder has no lexicon', async () => {
    const bare = join(tmp, 'model-without-lexicon');
    cpSync(modelDir, bare, { recursive: true });
    rmSync(join(bare, 'lexicon.txt'));
    const m = loadModelFolder(bare);
    const t = await transcribeRecording(m, Object.values(fx.wavs)[0]);
    m.generator.dispose();
    expect(t.words).toBeUndefined();
    expect(t.phones.length).toBeGreaterThan(0);
  });

  it('lexicon export of the model counts the words of its transcripts', async () => {
    const trDir = join(tmp, 'transcripts');
    mkdirSync(trDir);
    const heard = new Map<string, number>();
    for (const [id, wav] of Object.entries(fx.wavs)) {
      const t = await transcribeRecording(model, wav, id, { lmWeight: 0.5, wordScore: 5, unknownWords: false });
      for (const w of t.words ?? []) if (!w.oov) heard.set(w.word, (heard.get(w.word) ?? 0) + 1);
      writeFileSync(join(trDir, `${id}.json`), renderTranscript(t, 'json', { id, model: modelDir }));
    }
    expect(heard.size).toBeGreaterThan(0);
    const out = join(tmp, 'lexicon');
    const r = fieldphone('lexicon', 'export', modelDir, '--transcripts', trDir, '-o', out, '--lang', 'qaa-x-fixture');
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(join(out, 'lexicon.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    const textCounts = new Map<string, number>();
    for (const line of readFileSync(join(fx.textDir, 'words.txt'), 'utf8').trim().split('\n'))
      for (const w of line.split(' ')) textCounts.set(w, (textCounts.get(w) ?? 0) + 1);
    expect(rows.map((x) => x[0]).sort()).toEqual([...textCounts.keys()].sort());
    for (const [word, , textCount, audioCount] of rows) {
      expect(Number(textCount)).toBe(textCounts.get(word));
      expect(Number(audioCount)).toBe(heard.get(word) ?? 0);
    }
    const v = validateLift(join(out, 'lexicon.lift'));
    expect(v.ok, v.messages).toBe(true);
  });
});
