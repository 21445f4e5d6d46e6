/**
 * Praat TextGrids: writing the long text format, reading the long and short
 * text formats (UTF-8, UTF-16 with BOM, or Latin-1 as Praat falls back to).
 *
 * Praat reads both text formats with one scanner that looks only at quoted
 * strings, numbers and <flags>, skipping labels ("xmin =") and [indices];
 * the reader here does the same, so hand-edited files read as Praat reads them.
 */
import { readFileSync } from 'node:fs';
import { InputFileError, errorMessage } from '../util/errors.js';
import { transcriptLabels, type TimedLabel, type TimedTranscript } from './tiers.js';

export interface TextGridTier {
  name: string;
  /** Interval tiers tile [xmin, xmax]; point tiers (Praat "TextTier") have start === end. */
  kind: 'interval' | 'point';
  xmin: number;
  xmax: number;
  items: TimedLabel[];
}

export interface TextGrid {
  xmin: number;
  xmax: number;
  tiers: TextGridTier[];
}

/** Gaps shorter than this (rounding noise between consecutive times) are closed rather than filled. */
const SNAP_SEC = 1e-9;

/**
 * Labels → intervals tiling [xmin, xmax] exactly: gaps become empty
 * intervals, neighbouring empty intervals merge (a <SIL> next to a pause the
 * VAD removed is one stretch of silence), overlaps are cut at the earlier
 * label's end, and anything outside [xmin, xmax] is clipped.
 */
export function tileIntervals(labels: TimedLabel[], xmin: number, xmax: number): TimedLabel[] {
  const out: TimedLabel[] = [];
  const push = (start: number, end: number, label: string) => {
    if (!(end > start)) return;
    const last = out.at(-1);
    if (label === '' && last && last.label === '') last.end = end;
    else out.push({ start, end, label });
  };
  let cursor = xmin;
  for (const x of [...labels].sort((a, b) => a.start - b.start)) {
    let start = Math.max(x.start, cursor);
    if (start - cursor < SNAP_SEC) start = cursor;
    const end = Math.min(x.end, xmax);
    if (!(end - start >= SNAP_SEC)) continue;
    push(cursor, start, '');
    push(start, end, x.label);
    cursor = end;
  }
  push(cursor, xmax, '');
  return out;
}

/** A transcript as a TextGrid: interval tiers "phones" and "words", both tiling 0 … duration. */
export function transcriptTextGrid(t: TimedTranscript): TextGrid {
  const xmax = t.durationSec;
  const tier = (name: 'phones' | 'words'): TextGridTier => ({ name, kind: 'interval', xmin: 0, xmax, items: tileIntervals(transcriptLabels(t, name), 0, xmax) });
  return { xmin: 0, xmax, tiers: [tier('phones'), tier('words')] };
}

/** Seconds as Praat reads them: shortest exact decimal, never exponent notation. */
function num(x: number): string {
  const s = String(x);
  return /e-/i.test(s) ? x.toFixed(20).replace(/\.?0+$/, '') : s;
}

/** A Praat string literal: double quotes, an embedded quote doubled. */
function str(s: string): string {
  return `"${s.normalize('NFC').replace(/"/g, '""')}"`;
}

/** The long ("ooTextFile") text format Praat's "Save as text file" writes; UTF-8 without BOM, '\n' line ends. */
export function renderTextGrid(tg: TextGrid): string {
  if (!(tg.xmax > tg.xmin)) throw new Error(`TextGrid needs xmax > xmin, got ${tg.xmin} … ${tg.xmax}`);
  const L = ['File type = "ooTextFile"', 'Object class = "TextGrid"', '', `xmin = ${num(tg.xmin)} `, `xmax = ${num(tg.xmax)} `];
  L.push(tg.tiers.length > 0 ? 'tiers? <exists> ' : 'tiers? <absent> ');
  if (tg.tiers.length > 0) L.push(`size = ${tg.tiers.length} `, 'item []: ');
  tg.tiers.forEach((tier, i) => {
    L.push(`    item [${i + 1}]:`);
    L.push(`        class = ${tier.kind === 'interval' ? '"IntervalTier"' : '"TextTier"'} `, `        name = ${str(tier.name)} `);
    L.push(`        xmin = ${num(tier.xmin)} `, `        xmax = ${num(tier.xmax)} `);
    if (tier.kind === 'interval') {
      assertTiles(tier);
      L.push(`        intervals: size = ${tier.items.length} `);
      tier.items.forEach((x, j) => {
        L.push(`        intervals [${j + 1}]:`, `            xmin = ${num(x.start)} `, `            xmax = ${num(x.end)} `, `            text = ${str(x.label)} `);
      });
    } else {
      L.push(`        points: size = ${tier.items.length} `);
      tier.items.forEach((x, j) => L.push(`        points [${j + 1}]:`, `            number = ${num(x.start)} `, `            mark = ${str(x.label)} `));
    }
  });
  return L.join('\n') + '\n';
}

/** Praat refuses interval tiers with gaps, overlaps or empty intervals; catch that here, not in the user's Praat. */
function assertTiles(tier: TextGridTier): void {
  const xs = tier.items;
  const ok = xs.length > 0 && xs[0].start === tier.xmin && xs.at(-1)!.end === tier.xmax && xs.every((x, i) => x.end > x.start && (i === 0 || x.start === xs[i - 1].end));
  if (!ok) throw new Error(`TextGrid tier '${tier.name}' does not tile ${tier.xmin} … ${tier.xmax} (use tileIntervals)`);
}

// ---- reading ----

type Token = { kind: 'string' | 'number' | 'flag'; text: string; line: number };

/** The strings, numbers and <flags> of a Praat text file, as Praat's own reader sees them. */
function praatTokens(text: string, file: string): Token[] {
  const out: Token[] = [];
  const numberRe = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;
  let line = 1;
  let i = 0;
  const skipTo = (ch: string, what: string) => {
    const k = text.indexOf(ch, i);
    if (k < 0) throw new InputFileError(file, `line ${line}: unterminated ${what}`);
    for (let j = i; j < k; j++) if (text.charCodeAt(j) === 10) line++;
    i = k + 1;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const startLine = line;
      let s = '';
      for (i++; ; ) {
        const k = text.indexOf('"', i);
        if (k < 0) throw new InputFileError(file, `line ${startLine}: a text in quotes is never closed`);
        s += text.slice(i, k);
        i = k + 1;
        if (text[i] !== '"') break;
        s += '"';
        i++;
      }
      for (const ch of s) if (ch === '\n') line++;
      out.push({ kind: 'string', text: s, line: startLine });
    } else if (c === '!') skipTo('\n', 'comment');
    else if (c === '[') skipTo(']', '[index]');
    else if (c === '<') {
      const start = i;
      skipTo('>', '<flag>');
      out.push({ kind: 'flag', text: text.slice(start + 1, i - 1), line });
    } else {
      numberRe.lastIndex = i;
      const m = /[-+.\d]/.test(c) ? numberRe.exec(text) : null;
      if (m) {
        out.push({ kind: 'number', text: m[0], line });
        i = numberRe.lastIndex;
      } else {
        if (c === '\n') line++;
        i++;
      }
    }
  }
  return out;
}

/** Parse a TextGrid in Praat's long or short text format. `file` names the source in errors. */
export function parseTextGrid(text: string, file: string): TextGrid {
  if (text.startsWith('ooBinaryFile')) throw new InputFileError(file, 'is a binary TextGrid; open it in Praat and use "Save as text file…"');
  const tokens = praatTokens(text.replace(/\r\n?/g, '\n'), file);
  if (tokens[0]?.kind === 'string' && tokens[0].text === 'Praat chronological TextGrid text file')
    throw new InputFileError(file, 'is a chronological TextGrid; open it in Praat and use "Save as text file…"');
  let k = 0;
  const where = () => (k < tokens.length ? `line ${tokens[k].line}` : 'end of file');
  const next = (kind: Token['kind'], what: string): Token => {
    const t = tokens[k];
    if (!t || t.kind !== kind) throw new InputFileError(file, `${where()}: expected ${what}${t ? `, found ${t.kind === 'string' ? `"${t.text}"` : t.text}` : ''}`);
    k++;
    return t;
  };
  const real = (what: string) => {
    const x = Number(next('number', what).text);
    if (!Number.isFinite(x)) throw new InputFileError(file, `${where()}: ${what} is not a finite number`);
    return x;
  };
  const count = (what: string) => {
    const x = real(what);
    if (!Number.isInteger(x) || x < 0) throw new InputFileError(file, `${where()}: ${what} must be a whole number, got ${x}`);
    return x;
  };

  const fileType = tokens[0]?.kind === 'string' ? tokens[0].text : '';
  if (!/^ooTextFile( short)?$/.test(fileType) || tokens[1]?.kind !== 'string' || tokens[1].text !== 'TextGrid')
    throw new InputFileError(file, 'not a Praat TextGrid text file (it should start with File type = "ooTextFile" and Object class = "TextGrid")');
  k = 2;
  const tg: TextGrid = { xmin: real('xmin'), xmax: real('xmax'), tiers: [] };
  const exists = next('flag', '<exists> or <absent>').text;
  const nTiers = exists === 'exists' ? count('number of tiers') : 0;
  for (let n = 0; n < nTiers; n++) {
    const cls = next('string', `tier ${n + 1} class ("IntervalTier" or "TextTier")`);
    if (cls.text !== 'IntervalTier' && cls.text !== 'TextTier') throw new InputFileError(file, `line ${cls.line}: unknown tier class "${cls.text}"`);
    const name = next('string', `tier ${n + 1} name`).text;
    const tier: TextGridTier = { name, kind: cls.text === 'IntervalTier' ? 'interval' : 'point', xmin: real('tier xmin'), xmax: real('tier xmax'), items: [] };
    const m = count(`number of ${tier.kind === 'interval' ? 'intervals' : 'points'} in tier "${name}"`);
    for (let j = 0; j < m; j++) {
      if (tier.kind === 'interval') {
        const start = real('interval xmin');
        const end = real('interval xmax');
        tier.items.push({ start, end, label: next('string', 'interval text').text });
      } else {
        const at = real('point time');
        tier.items.push({ start: at, end: at, label: next('string', 'point mark').text });
      }
    }
    tg.tiers.push(tier);
  }
  if (k < tokens.length) throw new InputFileError(file, `${where()}: unexpected content after the last tier (is the tier count right?)`);
  return tg;
}

/**
 * The text of a Praat file: UTF-16 when it starts with a byte-order mark,
 * else UTF-8, else ISO Latin-1 (Praat's "try UTF-8, then ISO Latin-1").
 */
export function decodePraatText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

/** Read a TextGrid file, with errors that name it. */
export function readTextGridFile(path: string): TextGrid {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputFileError(path, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read (${errorMessage(e)})`);
  }
  return parseTextGrid(decodePraatText(bytes), path);
}
