/**
 * EAF writing and reading: the document structure, time slots in whole ms,
 * the media reference, XML escaping of odd labels, reading a file in ELAN's
 * layout (reference annotations, unaligned slots), and round trips.
 */
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mediaDescriptor, parseEaf, parseXml, readEafFile, renderEaf, transcriptEaf, type EafDocument } from '../../src/formats/index.js';
import { expectInputError } from '../helpers/errors.js';
import { ODD, sampleTranscript } from './sample.js';

const FIXTURE = fileURLToPath(new URL('fixtures/interview.eaf', import.meta.url));
const DATE = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const iv = (label: string, start: number, end: number) => ({ start, end, label });

describe('renderEaf', () => {
  const t = sampleTranscript('/data/field recordings/session ʃ1.wav');
  const xml = renderEaf(transcriptEaf(t, { date: DATE, eafPath: '/data/out/session ʃ1.eaf' }));
  const root = parseXml(xml);
  const kids = (name: string) => root.children.filter((c) => typeof c !== 'string' && c.name === name) as ReturnType<typeof parseXml>[];

  it('writes the EAF 3.0 root, header and media reference (absolute file:// URL and relative URL)', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<ANNOTATION_DOCUMENT ')).toBe(true);
    expect(root.attrs).toMatchObject({ AUTHOR: 'fieldphone', DATE: '2024-01-02T03:04:05.000Z', FORMAT: '3.0', VERSION: '3.0' });
    expect(root.attrs['xsi:noNamespaceSchemaLocation']).toBe('http://www.mpi.nl/tools/elan/EAFv3.0.xsd');
    const header = kids('HEADER')[0];
    expect(header.attrs).toEqual({ MEDIA_FILE: '', TIME_UNITS: 'milliseconds' });
    const media = header.children.find((c) => typeof c !== 'string' && c.name === 'MEDIA_DESCRIPTOR') as ReturnType<typeof parseXml>;
    expect(media.attrs).toEqual({
      MEDIA_URL: 'file:///data/field%20recordings/session%20%CA%831.wav',
      MIME_TYPE: 'audio/x-wav',
      RELATIVE_MEDIA_URL: '../field%20recordings/session%20%CA%831.wav',
    });
    // ELAN's element order: HEADER, TIME_ORDER, TIER*, LINGUISTIC_TYPE*, CONSTRAINT*
    const order = root.children.filter((c) => typeof c !== 'string').map((c) => (c as { name: string }).name);
    expect(order).toEqual(['HEADER', 'TIME_ORDER', 'TIER', 'TIER', 'LINGUISTIC_TYPE', 'CONSTRAINT', 'CONSTRAINT', 'CONSTRAINT', 'CONSTRAINT']);
  });

  it('gives every annotation two time slots in whole ms, numbered in time order, ids unique', () => {
    const slots = (kids('TIME_ORDER')[0].children.filter((c) => typeof c !== 'string') as ReturnType<typeof parseXml>[]).map((s) => s.attrs);
    // phones a, ODD, ʃː, ɲ and words ab, "ʃː ɲ": 6 annotations, 12 slots
    expect(slots.map((s) => Number(s.TIME_VALUE))).toEqual([300, 300, 500, 500, 620, 620, 1100, 1100, 1300, 1300, 1450, 1450]);
    expect(slots.map((s) => s.TIME_SLOT_ID)).toEqual(slots.map((_, i) => `ts${i + 1}`));
    expect(xml).toContain('<PROPERTY NAME="lastUsedAnnotationId">6</PROPERTY>');
    const ids = [...xml.matchAll(/ANNOTATION_ID="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
  });

  it('escapes <, &, quotes and keeps IPA as UTF-8 text', () => {
    expect(xml).toContain('<ANNOTATION_VALUE>&lt;b&gt;&amp;"\'</ANNOTATION_VALUE>');
    expect(xml).toContain('<ANNOTATION_VALUE>ʃː ɲ</ANNOTATION_VALUE>');
    const doc: EafDocument = { author: 'A "B" & <C>', date: DATE, media: [mediaDescriptor('/x/a&b".wav', '/x/o.eaf')], tiers: [{ id: 'tier "1" <&>', annotations: [iv('ctl\u0001char', 0, 1)] }] };
    const back = parseXml(renderEaf(doc));
    expect(back.attrs.AUTHOR).toBe('A "B" & <C>');
    expect(parseEaf(renderEaf(doc), 'x.eaf').tiers).toEqual([{ id: 'tier "1" <&>', annotations: [iv('ctl\uFFFDchar', 0, 1)] }]);
  });

  it('leaves out annotations shorter than 1 ms after rounding', () => {
    const doc: EafDocument = { author: '', date: DATE, media: [], tiers: [{ id: 'p', annotations: [iv('a', 0.1, 0.1004), iv('b', 0.1004, 0.2)] }] };
    expect(parseEaf(renderEaf(doc), 'x.eaf').tiers[0].annotations).toEqual([iv('b', 0.1, 0.2)]);
  });

  it('writes an empty words tier when there are no words', () => {
    const x = renderEaf(transcriptEaf({ ...t, words: undefined }, { date: DATE }));
    expect(x).toContain('<TIER LINGUISTIC_TYPE_REF="default-lt" TIER_ID="words"/>');
    expect(parseEaf(x, 'x.eaf').tiers.map((tier) => [tier.id, tier.annotations.length])).toEqual([
      ['phones', 4],
      ['words', 0],
    ]);
  });
});

describe('mediaDescriptor', () => {
  it('refers to the recording relative to the EAF, percent-encoded, with ELAN MIME types', () => {
    expect(mediaDescriptor('/a/rec.wav', '/a/rec.eaf')).toEqual({ url: 'file:///a/rec.wav', relativeUrl: './rec.wav', mimeType: 'audio/x-wav' });
    expect(mediaDescriptor('/a/b/rec.WAV', '/a/out/x.eaf').relativeUrl).toBe('../b/rec.WAV');
    expect(mediaDescriptor('/a/sub dir/ɲa.flac', '/a/x.eaf')).toEqual({ url: 'file:///a/sub%20dir/%C9%B2a.flac', relativeUrl: './sub%20dir/%C9%B2a.flac', mimeType: 'audio/*' });
    expect(mediaDescriptor('/a/x.mp3').relativeUrl).toBe('./x.mp3');
    expect(mediaDescriptor('/a/x.mp3').mimeType).toBe('audio/mpeg');
  });
});

describe('parseEaf', () => {
  it("reads a file in ELAN's layout: time order, unaligned slots interpolated, reference annotations on their parent's times", () => {
    const eaf = readEafFile(FIXTURE);
    expect(eaf.media).toEqual([{ url: 'file:///home/ana/interview.wav', relativeUrl: './interview.wav', mimeType: 'audio/x-wav' }]);
    expect(eaf.tiers).toEqual([
      { id: 'sentences', annotations: [iv('Dobrý den.', 0.5, 2), iv('Jak se máte?', 2.5, 3.25), iv('', 4, 4.1)] },
      // ts2, ts3 have no time: a third and two thirds of the way from 500 to 2000 ms
      { id: 'words', annotations: [iv('dobrý', 0.5, 1), iv(' ', 1, 1.5), iv('den', 1.5, 2)] },
      { id: 'translation', annotations: [iv('Good day.', 0.5, 2), iv('How are you? <formal> & <polite>', 2.5, 3.25)] },
    ]);
  });

  it('round-trips a transcript: the same annotations at ms precision', () => {
    const t = sampleTranscript();
    const back = parseEaf(renderEaf(transcriptEaf(t, { date: DATE })), 'x.eaf');
    expect(back.tiers).toEqual([
      { id: 'phones', annotations: [iv('a', 0.3, 0.5), iv(ODD, 0.5, 0.62), iv('ʃː', 1.1, 1.3), iv('ɲ', 1.3, 1.45)] },
      { id: 'words', annotations: [iv('ab', 0.3, 0.62), iv('ʃː ɲ', 1.1, 1.45)] },
    ]);
  });

  it('names the file and what is wrong', () => {
    expectInputError(() => parseEaf('<ANNOTATION_DOCUMENT><HEADER></ANNOTATION_DOCUMENT>', 'a.eaf'), 'a.eaf', /not well-formed XML \(line 1: <\/ANNOTATION_DOCUMENT> closes <HEADER>/);
    expectInputError(() => parseEaf('<?xml version="1.0"?>\n<lift version="0.13"/>', 'b.eaf'), 'b.eaf', /not an ELAN \.eaf file \(the root element is <lift>/);
    const badRef = '<ANNOTATION_DOCUMENT>\n<TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/></TIME_ORDER>\n<TIER TIER_ID="t"><ANNOTATION>\n<ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts9"><ANNOTATION_VALUE>x</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER></ANNOTATION_DOCUMENT>';
    expectInputError(() => parseEaf(badRef, 'c.eaf'), 'c.eaf', /line 4: TIME_SLOT_REF2="ts9" names no TIME_SLOT/);
    expectInputError(() => parseEaf('<ANNOTATION_DOCUMENT><HEADER TIME_UNITS="PAL-frames"/></ANNOTATION_DOCUMENT>', 'd.eaf'), 'd.eaf', /TIME_UNITS="PAL-frames" is not supported/);
    expectInputError(() => readEafFile('/nonexistent/x.eaf'), '/nonexistent/x.eaf', /file not found/);
  });
});

describe('parseXml', () => {
  it('decodes entities, character references and CDATA, skips comments, PIs and DOCTYPE, normalises attribute whitespace', () => {
    const el = parseXml('\uFEFF<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY x "y"> ]>\n<!-- c -->\n<r a=\'1 &amp; &#x283;\' b="x\ty&#9;z">t&lt;&#643;<![CDATA[<&>]]><e/></r>');
    expect(el.name).toBe('r');
    expect(el.attrs).toEqual({ a: '1 & ʃ', b: 'x y\tz' });
    expect(el.children).toEqual(['t<ʃ', '<&>', { name: 'e', attrs: {}, children: [], line: 4 }]);
  });

  it('reports malformed XML with the line', () => {
    expect(() => parseXml('<a>\n<b>\n</a>')).toThrow(/line 3: <\/a> closes <b> \(line 2\)/);
    expect(() => parseXml('<a>\n&nbsp;</a>')).toThrow(/line 2: unknown entity &nbsp;/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/attribute x repeated/);
    expect(() => parseXml('<a/><b/>')).toThrow(/a second root element/);
    expect(() => parseXml('<a>\n<b>')).toThrow(/<b> \(line 2\) is never closed/);
  });
});
