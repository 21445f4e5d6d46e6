/**
 * `fieldphone transcribe` through the built CLI, with a model exported by a
 * tiny training run on the shared training fixture: outputs per recording,
 * timing invariants against the VAD's kept intervals, reruns that skip
 * finished files, corrupt model folders, and a bad recording in the batch.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fieldphone, makeTrainFixture, trainArgs, type Run, type TrainFixture } from '../train/fixture.js';
import { snapshot } from '../helpers/cli.js';

interface Segment {
  phone: string;
  start: number;
  end: number;
  score?: number;
}
interface TranscriptJson {
  id: string;
  file: string;
  durationSec: number;
  speechSec: number;
  model: string;
  phones: string;
  segments: Segment[];
}
interface Summary {
  ok: number;
  alreadyDone: number;
  failed: { path: string; reason: string }[];
}
interface Utterance {
  id: string;
  durationSec: number;
  keptSec: number;
  kept: { start: number; end: number }[];
}

/** JSON times are rounded to 4 decimals. */
const EPS = 1.5e-4;

let tmp: string;
let fx: TrainFixture;
let model: string;
let inDir: string;
let badWav: string;
let outDir: string;
let first: Run;
let utterances: Utterance[];

const json = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;


beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-transcribe-'));
  fx = makeTrainFixture(tmp);
  const run = join(tmp, 'run');
  const t = fieldphone(...trainArgs(fx, run, '--updates', '6'));
  if (t.status !== 0) throw new Error(`train failed:\n${t.stderr}`);
  model = join(run, 'model');
  utterances = json<Utterance[]>(join(fx.audioDir, 'utterances.json'));
  // The training recordings again, plus one file that is not audio at all.
  inDir = join(tmp, 'incoming');
  cpSync(join(tmp, 'corpus'), inDir, { recursive: true });
  badWav = join(inDir, 'rec-99-notes.wav');
  writeFileSync(badWav, 'Session notes: the second speaker arrived late.\n');
  outDir = join(tmp, 'out');
  first = fieldphone('transcribe', model, inDir, '-o', outDir, '--json');
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fieldphone transcribe (built CLI)', () => {
  it('writes <id>.json and <id>.txt for each good recording and reports the bad one', () => {
    expect(first.status, first.stderr).toBe(0);
    const ids = Object.keys(fx.wavs).sort();
    expect(readdirSync(outDir).sort()).toEqual(ids.flatMap((id) => [`${id}.json`, `${id}.txt`]).sort());
    const summary = JSON.parse(first.stdout) as Summary;
    expect(summary.ok).toBe(ids.length);
    expect(summary.alreadyDone).toBe(0);
    expect(summary.failed).toEqual([{ path: badWav, reason: 'is a text file, not audio' }]);
    expect(first.stderr).toContain(`warning: failed: ${badWav}: is a text file, not audio`);
    expect(first.stderr).toMatch(/transcribed 6 recordings .*, 1 failed/);
    for (const id of ids) {
      const j = json<TranscriptJson>(join(outDir, `${id}.json`));
      expect(j.id).toBe(id);
      expect(j.file).toBe(join(inDir, `${id}.wav`));
      expect(j.model).toBe(model);
      expect(j.segments.length).toBeGreaterThan(0);
      const phones = j.segments.filter((s) => s.phone !== '<SIL>').map((s) => s.phone).join(' ');
      expect(j.phones).toBe(phones);
      expect(readFileSync(join(outDir, `${id}.txt`), 'utf8')).toBe(phones + '\n');
      const units = json<string[]>(join(model, 'units.json'));
      for (const s of j.segments) expect(units).toContain(s.phone);
    }
  });

  it('gives times in the original file: non-decreasing, within [0, duration], tiling the kept speech', () => {
    for (const u of utterances) {
      const j = json<TranscriptJson>(join(outDir, `${u.id}.json`));
      expect(j.durationSec).toBeCloseTo(u.durationSec, 6);
      expect(j.speechSec).toBeCloseTo(u.keptSec, 6);
      const segs = j.segments;
      const inKept = (t: number) => u.kept.some((k) => t >= k.start - EPS && t <= k.end + EPS);
      for (const s of segs) {
        expect(s.start).toBeGreaterThanOrEqual(0);
        expect(s.end).toBeLessThanOrEqual(j.durationSec);
        expect(s.end, `${u.id} ${JSON.stringify(s)}`).toBeGreaterThan(s.start);
        expect(inKept(s.start), `${u.id}: start ${s.start} outside the kept speech`).toBe(true);
        expect(inKept(s.end), `${u.id}: end ${s.end} outside the kept speech`).toBe(true);
      }
      for (let i = 1; i < segs.length; i++) {
        const [a, b] = [segs[i - 1], segs[i]];
        expect(b.start).toBeGreaterThanOrEqual(a.end);
        if (b.start !== a.end) {
          // the only gap allowed is a pause the VAD removed, exactly between two kept stretches
          const k = u.kept.findIndex((iv) => Math.abs(iv.end - a.end) <= EPS);
          expect(k, `${u.id}: gap ${a.end}–${b.start} is not a removed pause`).toBeGreaterThanOrEqual(0);
          expect(Math.abs(u.kept[k + 1].start - b.start)).toBeLessThanOrEqual(EPS);
        }
      }
      // The phones run from the first kept stretch's start to the last one's end, give or take a step of frames.
      expect(Math.abs(segs[0].start - u.kept[0].start)).toBeLessThan(0.031);
      expect(Math.abs(segs[segs.length - 1].end - u.kept[u.kept.length - 1].end)).toBeLessThan(0.031);
      // every kept stretch gets phones
      for (const k of u.kept) expect(segs.some((s) => s.end > k.start + EPS && s.start < k.end - EPS)).toBe(true);
    }
    // The fixture really exercises a removed pause.
    expect(utterances.some((u) => u.kept.length > 1)).toBe(true);
  });

  it('a rerun skips the finished recordings and leaves their files as they were', () => {
    const before = snapshot(outDir);
    const again = fieldphone('transcribe', model, inDir, '-o', outDir, '--json');
    expect(again.status, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as Summary;
    expect(summary.ok).toBe(0);
    expect(summary.alreadyDone).toBe(Object.keys(fx.wavs).length);
    expect(summary.failed.map((f) => f.path)).toEqual([badWav]);
    expect(again.stderr).toMatch(/6 already done/);
    expect(snapshot(outDir)).toEqual(before);
  });

  it('exits non-zero when every recording fails', () => {
    const out = join(tmp, 'out-bad-only');
    const r = fieldphone('transcribe', model, badWav, '-o', out, '--json');
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as Summary).failed.map((f) => f.path)).toEqual([badWav]);
  });

  describe('a corrupt model folder is refused with a message naming the file', () => {
    const corrupt = (name: string, damage: (dir: string) => void) => {
      const dir = join(tmp, `model-${name}`);
      cpSync(model, dir, { recursive: true });
      damage(dir);
      const out = join(tmp, `out-${name}`);
      return { dir, out, r: fieldphone('transcribe', dir, inDir, '-o', out) };
    };

    it('truncated generator.bin', () => {
      const { dir, out, r } = corrupt('truncated', (d) => {
        const p = join(d, 'generator.bin');
        truncateSync(p, statSync(p).size - 100);
      });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^error: ${escape(join(dir, 'generator.bin'))}: not a valid generator weights file: .*truncated`, 'm'));
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    });

    it('missing units.json', () => {
      const { dir, out, r } = corrupt('no-units', (d) => rmSync(join(d, 'units.json')));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^error: ${escape(join(dir, 'units.json'))}: file is missing`, 'm'));
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    });

    it('no model folder at all', () => {
      const dir = join(tmp, 'no-such-model');
      const r = fieldphone('transcribe', dir, inDir, '-o', join(tmp, 'out-none'));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^error: ${escape(dir)}: model folder not found`, 'm'));
    });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
