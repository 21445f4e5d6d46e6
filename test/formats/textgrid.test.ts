/**
 * TextGrid writing and reading on hand-worked examples: the interval lists a
 * transcript with a VAD gap and silences must give, the exact long text
 * format, Praat's quote escaping, and round trips through the reader.
 */
import { describe, it, expect } from 'vitest';
import { decodePraatText, parseTextGrid, renderTextGrid, tileIntervals, transcriptTextGrid, type TextGrid } from '../../src/formats/index.js';
import { InputFileError } from '../../src/util/errors.js';
import { expectInputError } from '../helpers/errors.js';
import { ODD, sampleTranscript } from './sample.js';

const iv = (label: string, start: number, end: number) => ({ start, end, label });

describe('tileIntervals', () => {
  it('fills gaps with empty intervals and merges neighbouring empty ones', () => {
    const labels = [iv('a', 0.3, 0.5), iv('b', 0.5, 0.62), iv('c', 1.1, 1.3)];
    expect(tileIntervals(labels, 0, 1.8)).toEqual([iv('', 0, 0.3), iv('a', 0.3, 0.5), iv('b', 0.5, 0.62), iv('', 0.62, 1.1), iv('c', 1.1, 1.3), iv('', 1.3, 1.8)]);
  });

  it('gives one empty interval when there is nothing to show', () => {
    expect(tileIntervals([], 0, 2.5)).toEqual([iv('', 0, 2.5)]);
  });

  it('cuts overlaps at the earlier label, clips to [xmin, xmax] and drops what is left empty', () => {
    const labels = [iv('x', -0.2, 0.4), iv('y', 0.3, 0.9), iv('z', 0.5, 0.6), iv('w', 0.95, 1.4)];
    expect(tileIntervals(labels, 0, 1.2)).toEqual([iv('x', 0, 0.4), iv('y', 0.4, 0.9), iv('', 0.9, 0.95), iv('w', 0.95, 1.2)]);
  });

  it('closes gaps below a nanosecond instead of adding slivers', () => {
    expect(tileIntervals([iv('a', 0, 0.1), iv('b', 0.1 + 1e-12, 0.2)], 0, 0.2)).toEqual([iv('a', 0, 0.1), iv('b', 0.1, 0.2)]);
  });
});

describe('transcriptTextGrid', () => {
  it('tiles phones and words over the whole recording; <SIL> and the VAD gap are one empty interval', () => {
    const tg = transcriptTextGrid(sampleTranscript());
    expect(tg.xmin).toBe(0);
    expect(tg.xmax).toBe(1.8);
    expect(tg.tiers.map((t) => [t.name, t.kind, t.xmin, t.xmax])).toEqual([
      ['phones', 'interval', 0, 1.8],
      ['words', 'interval', 0, 1.8],
    ]);
    expect(tg.tiers[0].items).toEqual([iv('', 0, 0.3), iv('a', 0.3, 0.5), iv(ODD, 0.5, 0.62), iv('', 0.62, 1.1), iv('ʃː', 1.1, 1.3), iv('ɲ', 1.3, 1.45), iv('', 1.45, 1.8)]);
    expect(tg.tiers[1].items).toEqual([iv('', 0, 0.3), iv('ab', 0.3, 0.62), iv('', 0.62, 1.1), iv('ʃː ɲ', 1.1, 1.45), iv('', 1.45, 1.8)]);
  });

  it('gives an empty words tier (one empty interval) when there are no words', () => {
    const t = { ...sampleTranscript(), words: undefined };
    expect(transcriptTextGrid(t).tiers[1]).toEqual({ name: 'words', kind: 'interval', xmin: 0, xmax: 1.8, items: [iv('', 0, 1.8)] });
  });

  it('writes labels in NFC (decomposed input is composed)', () => {
    const t = { ...sampleTranscript(), phones: [{ phone: 'n\u0303', start: 0.1, end: 0.2 }] };
    expect(transcriptTextGrid(t).tiers[0].items[1].label).toBe('\u00f1');
  });
});

describe('renderTextGrid', () => {
  it('writes the long text format, quotes doubled', () => {
    const tg: TextGrid = { xmin: 0, xmax: 1.5, tiers: [{ name: 'phones', kind: 'interval', xmin: 0, xmax: 1.5, items: [iv('', 0, 0.25), iv('say "ʃ"', 0.25, 1.5)] }] };
    expect(renderTextGrid(tg)).toBe(
      [
        'File type = "ooTextFile"',
        'Object class = "TextGrid"',
        '',
        'xmin = 0 ',
        'xmax = 1.5 ',
        'tiers? <exists> ',
        'size = 1 ',
        'item []: ',
        '    item [1]:',
        '        class = "IntervalTier" ',
        '        name = "phones" ',
        '        xmin = 0 ',
        '        xmax = 1.5 ',
        '        intervals: size = 2 ',
        '        intervals [1]:',
        '            xmin = 0 ',
        '            xmax = 0.25 ',
        '            text = "" ',
        '        intervals [2]:',
        '            xmin = 0.25 ',
        '            xmax = 1.5 ',
        '            text = "say ""ʃ""" ',
        '',
      ].join('\n'),
    );
  });

  it('never writes exponent notation (Praat number syntax)', () => {
    const tg: TextGrid = { xmin: 0, xmax: 1, tiers: [{ name: 't', kind: 'interval', xmin: 0, xmax: 1, items: [iv('', 0, 1e-7), iv('a', 1e-7, 1)] }] };
    const s = renderTextGrid(tg);
    expect(s).toContain('xmax = 0.0000001 ');
    expect(s).not.toMatch(/\de-/);
  });

  it('refuses an interval tier that does not tile', () => {
    const tg: TextGrid = { xmin: 0, xmax: 1, tiers: [{ name: 'gappy', kind: 'interval', xmin: 0, xmax: 1, items: [iv('a', 0, 0.4), iv('b', 0.5, 1)] }] };
    expect(() => renderTextGrid(tg)).toThrow(/gappy.*does not tile/);
  });
});

describe('parseTextGrid', () => {
  it('round-trips a transcript TextGrid exactly, odd labels included', () => {
    const tg = transcriptTextGrid(sampleTranscript());
    expect(parseTextGrid(renderTextGrid(tg), 'x.TextGrid')).toEqual(tg);
  });

  it('round-trips point tiers, an empty grid and multi-line labels', () => {
    const tg: TextGrid = {
      xmin: 0.5,
      xmax: 3,
      tiers: [
        { name: 'notes "a"', kind: 'point', xmin: 0.5, xmax: 3, items: [iv('click', 0.75, 0.75), iv('line one\nline "two"', 2, 2)] },
        { name: 'tone', kind: 'interval', xmin: 0.5, xmax: 3, items: [iv('H', 0.5, 1), iv('', 1, 3)] },
      ],
    };
    expect(parseTextGrid(renderTextGrid(tg), 'x.TextGrid')).toEqual(tg);
    const none: TextGrid = { xmin: 0, xmax: 2, tiers: [] };
    expect(parseTextGrid(renderTextGrid(none), 'x.TextGrid')).toEqual(none);
  });

  it('reads the short text format and comments', () => {
    const short = [
      'File type = "ooTextFile short"',
      '"TextGrid"',
      '',
      '0',
      '2.5',
      '<exists>',
      '1',
      '"IntervalTier"',
      '"words" ! the word tier',
      '0',
      '2.5',
      '2',
      '0',
      '1.25',
      '"dobrý den"',
      '1.25',
      '2.5',
      '""',
      '',
    ].join('\r\n');
    expect(parseTextGrid(short, 'short.TextGrid')).toEqual({
      xmin: 0,
      xmax: 2.5,
      tiers: [{ name: 'words', kind: 'interval', xmin: 0, xmax: 2.5, items: [iv('dobrý den', 0, 1.25), iv('', 1.25, 2.5)] }],
    });
  });

  it('names the file and the line when a file is not a TextGrid or is cut short', () => {
    expectInputError(() => parseTextGrid('hello\n', 'notes.TextGrid'), 'notes.TextGrid', /not a Praat TextGrid text file/);
    expectInputError(() => parseTextGrid('ooBinaryFile\u0008TextGrid', 'bin.TextGrid'), 'bin.TextGrid', /binary TextGrid.*Save as text file/);
    const full = renderTextGrid(transcriptTextGrid(sampleTranscript()));
    const cut = full.slice(0, full.indexOf('intervals [4]:'));
    expectInputError(() => parseTextGrid(cut, 'cut.TextGrid'), 'cut.TextGrid', /end of file: expected interval xmin/);
    // 8 header lines, 6 of tier 1, 4 per interval: interval 7's xmin (1.45) is on line 8 + 6 + 6·4 + 2 = 40.
    const badCount = full.replace('intervals: size = 7', 'intervals: size = 6');
    expectInputError(() => parseTextGrid(badCount, 'count.TextGrid'), 'count.TextGrid', /line 40: expected tier 2 class \("IntervalTier" or "TextTier"\), found 1\.45/);
    expectInputError(() => parseTextGrid('File type = "ooTextFile"\nObject class = "TextGrid"\n0 1 <exists> 1 "IntervalTier" "a', 'q.TextGrid'), 'q.TextGrid', /line 3: a text in quotes is never closed/);
  });

  it('reports a bad tier count as InputFileError, not a crash', () => {
    const text = 'File type = "ooTextFile"\nObject class = "TextGrid"\n0\n1\n<exists>\n1.5\n';
    expect(() => parseTextGrid(text, 'f.TextGrid')).toThrow(InputFileError);
    expect(() => parseTextGrid(text, 'f.TextGrid')).toThrow(/number of tiers must be a whole number, got 1.5/);
  });
});

describe('decodePraatText', () => {
  const text = 'text = "ʃ ɲ é"';
  it('reads UTF-16 with either byte-order mark', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le.subarray(2)).swap16();
    expect(decodePraatText(le)).toBe(text);
    expect(decodePraatText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(text);
  });

  it('reads UTF-8 with or without BOM, and falls back to Latin-1 as Praat does', () => {
    expect(decodePraatText(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodePraatText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]))).toBe(text);
    expect(decodePraatText(Buffer.from('text = "caf\u00e9"', 'latin1'))).toBe('text = "caf\u00e9"');
  });
});
