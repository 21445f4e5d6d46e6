/**
 * The web page end to end in headless Chromium (Debian's `chromium`, driven
 * by playwright-core), against `fieldphone serve` with a tiny model: upload a
 * recording and get one segment button per phone of the API's transcript,
 * drawn (checked on the pixels of a screenshot); click to play; download the
 * files; record from Chromium's fake microphone; the training and lexicon pages.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { call, json, postAudio } from '../server/http-client.js';
import { startServe, trainServedModel, type Server, type ServedModel } from '../server/serve-fixture.js';
import { decodePng, type Image } from './png.js';

const CHROMIUM = process.env.FIELDPHONE_CHROMIUM ?? '/usr/bin/chromium';

interface Segment {
  phone: string;
  start: number;
  end: number;
}
interface Transcript {
  id: string;
  durationSec: number;
  segments: Segment[];
  words?: { word: string; start: number; end: number; oov: boolean }[];
}

let tmp: string;
let m: ServedModel;
let srv: Server;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let recId: string;
let api: Transcript;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`the web page test needs Chromium at ${CHROMIUM}: install it (Debian/Ubuntu: apt-get install chromium) or point FIELDPHONE_CHROMIUM at a Chromium binary`);
  tmp = mkdtempSync(join(tmpdir(), 'fieldphone-ui-test-'));
  m = trainServedModel(tmp);
  srv = await startServe(m.model, join(tmp, 'tmp-serve'), '--concurrency', '1');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // A fake microphone (a beep) that needs no permission prompt; audio may start without a click.
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
  page.on('console', (msg) => msg.type() === 'error' && pageErrors.push(`console: ${msg.text()}`));
  recId = Object.keys(m.fx.wavs).sort()[2];
  api = json<Transcript>(await postAudio(srv.url, readFileSync(m.fx.wavs[recId]), `?filename=${recId}.wav`));
  // The lexicon test plays a word of this transcript: the model must decode words.
  if (!api.words?.some((w) => !w.oov)) throw new Error(`the test model gave no lexicon words for ${recId}: ${JSON.stringify(api.words)}`);
  await page.goto(srv.url);
});

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The pixels of `img` inside an element's box (coordinates relative to the screenshot's origin). */
function region(img: Image, box: { x: number; y: number; width: number; height: number }): [number, number, number][] {
  const px: [number, number, number][] = [];
  for (let y = Math.ceil(box.y); y < Math.floor(box.y + box.height); y++)
    for (let x = Math.ceil(box.x); x < Math.floor(box.x + box.width); x++) {
      const i = (y * img.width + x) * 4;
      px.push([img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]]);
    }
  return px;
}

describe('web page (headless Chromium)', () => {
  it('shows the model and the transcription view', async () => {
    await expect.poll(() => page.textContent('#model-line')).toMatch(/^Model run: \d+ phones, mfcc features/);
    expect(await page.isVisible('#view-transcribe')).toBe(true);
  });

  it('upload a file: one button per phone segment of the API’s transcript, in order, at its times', async () => {
    await page.setInputFiles('#file-input', m.fx.wavs[recId]);
    await page.click('#transcribe-btn');
    await page.waitForSelector('#result[data-state=ready] .tier-phones .seg');
    const segs = await page.$$eval('.tier-phones .seg', (els) => els.map((e) => ({ text: e.textContent, start: Number((e as HTMLElement).dataset.start), end: Number((e as HTMLElement).dataset.end), left: parseFloat((e as HTMLElement).style.left) })));
    expect(segs.length).toBe(api.segments.length);
    expect(segs.map((s) => s.text)).toEqual(api.segments.map((s) => (s.phone === '<SIL>' ? '' : s.phone)));
    expect(segs.map((s) => [s.start, s.end])).toEqual(api.segments.map((s) => [s.start, s.end]));
    const trackWidth = await page.$eval('.timeline .track', (e) => parseFloat((e as HTMLElement).style.width));
    const pps = trackWidth / api.durationSec;
    for (const s of segs) expect(Math.abs(s.left - s.start * pps)).toBeLessThan(1.01);
    expect(await page.locator('.tier-words .seg').count()).toBe(api.words?.length ?? 0);
    expect(await page.textContent('#status')).toMatch(new RegExp(`^${recId}\\.wav: \\d+ phones`));
  });

  it('draws the waveform and the tiers (pixels of a screenshot)', async () => {
    const shot = decodePng(await page.locator('#timeline').screenshot());
    const origin = (await page.locator('#timeline').boundingBox())!;
    const rel = async (sel: string) => {
      const b = (await page.locator(sel).first().boundingBox())!;
      return { x: b.x - origin.x, y: b.y - origin.y, width: b.width, height: b.height };
    };
    // The phone tier is covered by coloured segments: far from blank.
    const tier = region(shot, await rel('.tier-phones'));
    const white = tier.filter(([r, g, b]) => r > 250 && g > 250 && b > 250).length;
    expect(white / tier.length).toBeLessThan(0.3);
    expect(new Set(tier.map((p) => p.join())).size).toBeGreaterThan(3);
    // Inside a non-silent phone segment, away from its label and border: the segment's own background colour.
    const i = api.segments.findIndex((s) => s.phone !== '<SIL>');
    const seg = await rel(`.tier-phones .seg:nth-child(${i + 1})`);
    const at = (Math.round(seg.y + 3) * shot.width + Math.round(seg.x + 3)) * 4;
    const [r, g, b] = shot.rgba.subarray(at, at + 3);
    const want = (i + 1) % 2 === 0 ? [0xd6, 0xe4, 0xf2] : [0xe8, 0xf0, 0xf8];
    expect(Math.abs(r - want[0]) + Math.abs(g - want[1]) + Math.abs(b - want[2])).toBeLessThan(12);
    // The waveform: dark blue ink on a light background.
    const wave = region(shot, await rel('canvas.wave'));
    const ink = wave.filter(([r, g, b]) => r < 90 && g < 120 && b > 80 && b < 160).length;
    expect(ink / wave.length).toBeGreaterThan(0.01);
  });

  it('clicking a segment plays it (the status says what, the cursor runs)', async () => {
    const longest = api.segments.reduce((a, s) => (s.phone !== '<SIL>' && s.end - s.start > a.end - a.start ? s : a), { phone: '', start: 0, end: 0 });
    const i = api.segments.indexOf(longest as Segment);
    await page.click(`.tier-phones .seg:nth-child(${i + 1})`);
    expect(await page.textContent('#status')).toBe(`Playing ${longest.phone} (${longest.start.toFixed(2)}–${longest.end.toFixed(2)} s)`);
    // keyboard: one tab stop per tier, arrows move, Enter plays
    await page.focus('.tier-phones .seg[tabindex="0"]');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => [...document.querySelectorAll('.tier-phones .seg')].indexOf(document.activeElement!))).toBe(2);
    await page.keyboard.press('Enter');
    const third = api.segments[2];
    expect(await page.textContent('#status')).toBe(`Playing ${third.phone === '<SIL>' ? 'pause' : third.phone} (${third.start.toFixed(2)}–${third.end.toFixed(2)} s)`);
    await page.click('#play-all');
    expect(await page.textContent('#status')).toBe(`Playing the whole recording (0.00–${api.durationSec.toFixed(2)} s)`);
    const cursor = () => page.$eval('.cursor', (e) => ((e as HTMLElement).hidden ? -1 : parseFloat((e as HTMLElement).style.left)));
    await expect.poll(cursor, { timeout: 5000 }).toBeGreaterThan(0);
  });

  it('downloads TextGrid, EAF and JSON: the files the API gives', async () => {
    for (const [format, file] of [
      ['textgrid', `${recId}.TextGrid`],
      ['eaf', `${recId}.eaf`],
      ['json', `${recId}.json`],
    ]) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button.download[data-format=${format}]`)]);
      expect(download.suggestedFilename()).toBe(file);
      const got = readFileSync(await download.path(), 'utf8');
      const want = (await postAudio(srv.url, readFileSync(m.fx.wavs[recId]), `?format=${format}&filename=${recId}.wav`)).body;
      // EAF files carry their creation time
      const noDate = (s: string) => s.replace(/DATE="[^"]*"/, '');
      expect(noDate(got)).toBe(noDate(want));
    }
  });

  it('records from the microphone as WAV and transcribes it', async () => {
    await page.click('#record-btn');
    await expect.poll(() => page.getAttribute('#record-btn', 'aria-pressed')).toBe('true');
    await page.waitForTimeout(1500);
    await page.click('#record-btn');
    await page.waitForFunction(() => /^recording-\d{8}-\d{6}\.wav$/.test(document.querySelector('#result-title')!.textContent!), undefined, { timeout: 30_000 });
    expect(await page.textContent('#status')).toMatch(/^recording-\d{8}-\d{6}\.wav: [1-9]\d* phones/);
    const dur = await page.textContent('#result-stats');
    expect(Number(/^([\d.]+) s/.exec(dur!)![1])).toBeGreaterThan(1);
    expect(await page.locator('.tier-phones .seg').count()).toBeGreaterThan(0);
  });

  it('training page: the curves of the training log, the kept update marked', async () => {
    await page.click('nav a[data-view=training]');
    await page.waitForSelector('#view-training figure.chart');
    const records = json<{ records: unknown[] }>(await call(`${srv.url}v1/models/current/metrics`)).records;
    const captions = await page.$$eval('figure.chart figcaption', (els) => els.map((e) => e.textContent));
    expect(captions).toContain('Training losses');
    expect(captions).toContain('Unsupervised selection metric (lower is better)');
    const selection = page.locator('figure.chart', { hasText: 'Unsupervised selection metric' });
    expect(await selection.locator('tbody tr').count()).toBe(records.length);
    expect(await selection.locator('svg path').count()).toBe(2);
    expect(await selection.locator('svg line.mark').count()).toBe(1);
  });

  it('lexicon page: search, counts, phone inventory', async () => {
    await page.click('nav a[data-view=lexicon]');
    await page.waitForSelector('#lex-table tbody tr');
    await page.fill('#lex-q', 'ba');
    const r = json<{ matched: number; total: number; phoneCounts: Record<string, number> }>(await call(`${srv.url}v1/models/current/lexicon?q=ba`));
    await expect.poll(() => page.textContent('#lex-count')).toBe(`${r.matched} of ${r.total} entries match.`);
    expect(await page.locator('#lex-table tbody tr').count()).toBe(r.matched);
    expect(await page.locator('#phone-counts button').count()).toBe(Object.keys(r.phoneCounts).length);
  });

  it('lexicon page: a word heard in a recording transcribed on the page can be played from its row', async () => {
    const heard = api.words!.find((w) => !w.oov)!;
    await page.fill('#lex-q', heard.word);
    const row = page.locator('#lex-table tbody tr', { has: page.locator('td:first-child', { hasText: new RegExp(`^${heard.word}$`) }) });
    const play = row.locator('button');
    await expect.poll(() => play.count()).toBe(1);
    const times = api.words!.filter((w) => w.word === heard.word && !w.oov).length;
    // heard in the uploaded recording (and maybe in the microphone recording too)
    const label = /^Play \((\d+)×\)$/.exec((await play.textContent())!);
    expect(Number(label?.[1])).toBeGreaterThanOrEqual(times);
    await play.click();
    expect(await page.textContent('#status')).toBe(`Playing ${heard.word} from ${recId}.wav (${heard.start.toFixed(2)}–${heard.end.toFixed(2)} s)`);
  });

  it('no errors in the page so far', () => {
    expect(pageErrors).toEqual([]);
  });

  it('a file the server cannot decode: the page says why', async () => {
    await page.click('nav a[data-view=transcribe]');
    const notes = join(tmp, 'notes.wav');
    writeFileSync(notes, 'Session notes: the second speaker arrived late.\n');
    await page.setInputFiles('#file-input', notes);
    await page.click('#transcribe-btn');
    await expect.poll(() => page.textContent('#status')).toBe('Could not transcribe notes.wav: notes.wav: is a text file, not audio');
  });
});
