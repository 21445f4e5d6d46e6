/**
 * ELAN annotation files (EAF 3.0): writing time-aligned tiers that validate
 * against EAFv3.0.xsd, and reading the tiers of a file ELAN wrote.
 */
import { dirname, extname, isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readUserText } from '../text/user-text.js';
import { InputFileError, errorMessage } from '../util/errors.js';
import { transcriptLabels, type TimedLabel, type TimedTranscript } from './tiers.js';
import { XmlSyntaxError, childElements, escapeXmlAttr as attr, escapeXmlText, parseXml, textContent, type XmlElement } from './xml.js';

export interface EafTier {
  id: string;
  /** Seconds; written rounded to whole milliseconds. */
  annotations: TimedLabel[];
}

export interface EafMedia {
  /** Absolute file:// URL. */
  url: string;
  /** The media relative to the EAF file ("./rec.wav"); ELAN tries it when the absolute URL does not resolve. */
  relativeUrl?: string;
  mimeType: string;
}

export interface EafDocument {
  author: string;
  date: Date;
  media: EafMedia[];
  tiers: EafTier[];
}

/** The MIME types ELAN's MediaDescriptor uses; other audio is its generic "audio/*". */
const MIME_BY_EXT: Record<string, string> = { '.wav': 'audio/x-wav', '.mp3': 'audio/mpeg', '.m4a': 'audio/mp4', '.mp4': 'video/mp4', '.mpg': 'video/mpeg' };

/** The four constraint stereotypes ELAN declares in every file it writes. */
const CONSTRAINTS: [string, string][] = [
  ['Time_Subdivision', "Time subdivision of parent annotation's time interval, no time gaps allowed within this interval"],
  ['Symbolic_Subdivision', 'Symbolic subdivision of a parent annotation. Annotations refering to the same parent are ordered'],
  ['Symbolic_Association', '1-1 association with a parent annotation'],
  ['Included_In', "Time alignable annotations within the parent annotation's time interval, gaps are allowed"],
];

const LINGUISTIC_TYPE = 'default-lt';

/** How an EAF saved as `eafPath` (when known) refers to the recording at `mediaPath` (absolute). */
export function mediaDescriptor(mediaPath: string, eafPath?: string): EafMedia {
  const rel = eafPath === undefined ? mediaPath.split(sep).at(-1)! : relative(dirname(eafPath), mediaPath);
  const relUrl = isAbsolute(rel) ? undefined : rel.split(sep).map(encodeURIComponent).join('/');
  return {
    url: pathToFileURL(mediaPath).href,
    ...(relUrl === undefined ? {} : { relativeUrl: relUrl.startsWith('../') ? relUrl : `./${relUrl}` }),
    mimeType: MIME_BY_EXT[extname(mediaPath).toLowerCase()] ?? 'audio/*',
  };
}

/** A transcript as an EAF: tiers "phones" and "words" (silence unannotated), the recording as media. */
export function transcriptEaf(t: TimedTranscript, o: { date: Date; eafPath?: string }): EafDocument {
  return {
    author: 'fieldphone',
    date: o.date,
    media: [mediaDescriptor(t.file, o.eafPath)],
    tiers: [
      { id: 'phones', annotations: transcriptLabels(t, 'phones') },
      { id: 'words', annotations: transcriptLabels(t, 'words') },
    ],
  };
}

/**
 * EAF 3.0 XML. Every annotation gets its own two time slots (the tiers are
 * independent, so moving a boundary in ELAN moves one annotation only);
 * slots are numbered in time order. Annotations shorter than 1 ms after
 * rounding cannot be represented and are left out.
 */
export function renderEaf(doc: EafDocument): string {
  const slots: { ms: number; id: string }[] = [];
  const tiers = doc.tiers.map((tier) => ({
    id: tier.id,
    anns: tier.annotations
      .map((a) => ({ label: a.label, s: { ms: Math.round(a.start * 1000), id: '' }, e: { ms: Math.round(a.end * 1000), id: '' } }))
      .filter((a) => a.s.ms >= 0 && a.e.ms > a.s.ms),
  }));
  for (const t of tiers) for (const a of t.anns) slots.push(a.s, a.e);
  slots.sort((x, y) => x.ms - y.ms).forEach((s, i) => (s.id = `ts${i + 1}`));

  const L = ['<?xml version="1.0" encoding="UTF-8"?>'];
  L.push(
    `<ANNOTATION_DOCUMENT AUTHOR="${attr(doc.author)}" DATE="${doc.date.toISOString()}" FORMAT="3.0" VERSION="3.0" ` +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">',
  );
  L.push('    <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">');
  for (const m of doc.media) {
    const rel = m.relativeUrl === undefined ? '' : ` RELATIVE_MEDIA_URL="${attr(m.relativeUrl)}"`;
    L.push(`        <MEDIA_DESCRIPTOR MEDIA_URL="${attr(m.url)}" MIME_TYPE="${attr(m.mimeType)}"${rel}/>`);
  }
  let nextId = 1;
  const nAnnotations = tiers.reduce((s, t) => s + t.anns.length, 0);
  L.push(`        <PROPERTY NAME="lastUsedAnnotationId">${nAnnotations}</PROPERTY>`, '    </HEADER>');
  L.push('    <TIME_ORDER>', ...slots.map((s) => `        <TIME_SLOT TIME_SLOT_ID="${s.id}" TIME_VALUE="${s.ms}"/>`), '    </TIME_ORDER>');
  for (const t of tiers) {
    if (t.anns.length === 0) {
      L.push(`    <TIER LINGUISTIC_TYPE_REF="${LINGUISTIC_TYPE}" TIER_ID="${attr(t.id)}"/>`);
      continue;
    }
    L.push(`    <TIER LINGUISTIC_TYPE_REF="${LINGUISTIC_TYPE}" TIER_ID="${attr(t.id)}">`);
    for (const a of t.anns) {
      L.push(
        '        <ANNOTATION>',
        `            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a${nextId++}" TIME_SLOT_REF1="${a.s.id}" TIME_SLOT_REF2="${a.e.id}">`,
        `                <ANNOTATION_VALUE>${escapeXmlText(a.label)}</ANNOTATION_VALUE>`,
        '            </ALIGNABLE_ANNOTATION>',
        '        </ANNOTATION>',
      );
    }
    L.push('    </TIER>');
  }
  L.push(`    <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="${LINGUISTIC_TYPE}" TIME_ALIGNABLE="true"/>`);
  for (const [stereotype, description] of CONSTRAINTS) L.push(`    <CONSTRAINT DESCRIPTION="${attr(description)}" STEREOTYPE="${stereotype}"/>`);
  L.push('</ANNOTATION_DOCUMENT>');
  return L.join('\n') + '\n';
}

// ---- reading ----

/** What reading an EAF gives: its media and every tier's annotations in time order. */
export interface EafContents {
  media: EafMedia[];
  tiers: EafTier[];
}

/**
 * Parse an EAF. Reference annotations (symbolic subdivision/association)
 * take their parent's times; unaligned time slots (TIME_VALUE missing) are
 * placed by linear interpolation between their aligned neighbours, as ELAN
 * displays them. `file` names the source in errors.
 */
export function parseEaf(text: string, file: string): EafContents {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    throw new InputFileError(file, e instanceof XmlSyntaxError ? `not well-formed XML (${e.message})` : errorMessage(e));
  }
  if (root.name !== 'ANNOTATION_DOCUMENT') throw new InputFileError(file, `not an ELAN .eaf file (the root element is <${root.name}>, not <ANNOTATION_DOCUMENT>)`);
  const bad = (el: XmlElement, what: string): never => {
    throw new InputFileError(file, `line ${el.line}: ${what}`);
  };
  const header = childElements(root, 'HEADER')[0];
  const units = header?.attrs.TIME_UNITS ?? 'milliseconds';
  if (units !== 'milliseconds') bad(header!, `TIME_UNITS="${units}" is not supported (only milliseconds)`);
  const media = header
    ? childElements(header, 'MEDIA_DESCRIPTOR').map((m) => ({
        url: m.attrs.MEDIA_URL ?? '',
        ...(m.attrs.RELATIVE_MEDIA_URL === undefined ? {} : { relativeUrl: m.attrs.RELATIVE_MEDIA_URL }),
        mimeType: m.attrs.MIME_TYPE ?? '',
      }))
    : [];

  const slotTime = new Map<string, number>();
  const slotIndex = new Map<string, number>();
  const slotEls = childElements(root, 'TIME_ORDER').flatMap((o) => childElements(o, 'TIME_SLOT'));
  const values = slotEls.map((s) => {
    const v = s.attrs.TIME_VALUE;
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) bad(s, `TIME_VALUE="${v}" is not a whole number of milliseconds`);
    return Number(v) / 1000;
  });
  slotEls.forEach((s, i) => {
    const id = s.attrs.TIME_SLOT_ID ?? bad(s, 'TIME_SLOT without TIME_SLOT_ID');
    slotTime.set(id, values[i] ?? interpolate(values, i));
    slotIndex.set(id, i);
  });

  type Ann = { label: string; start?: number; end?: number; order?: number; parent?: string; el: XmlElement };
  const byId = new Map<string, Ann>();
  const tiers: { id: string; anns: Ann[] }[] = [];
  for (const t of childElements(root, 'TIER')) {
    const id = t.attrs.TIER_ID ?? bad(t, 'TIER without TIER_ID');
    const anns: Ann[] = [];
    for (const wrap of childElements(t, 'ANNOTATION')) {
      for (const a of childElements(wrap)) {
        const label = childElements(a, 'ANNOTATION_VALUE').map(textContent).join('');
        let ann: Ann;
        if (a.name === 'ALIGNABLE_ANNOTATION') {
          const time = (attrName: string) => {
            const ref = a.attrs[attrName] ?? bad(a, `annotation without ${attrName}`);
            return slotTime.get(ref) ?? bad(a, `${attrName}="${ref}" names no TIME_SLOT`);
          };
          ann = { label, start: time('TIME_SLOT_REF1'), end: time('TIME_SLOT_REF2'), order: slotIndex.get(a.attrs.TIME_SLOT_REF1), el: a };
        } else if (a.name === 'REF_ANNOTATION') {
          ann = { label, parent: a.attrs.ANNOTATION_REF ?? bad(a, 'REF_ANNOTATION without ANNOTATION_REF'), el: a };
        } else continue;
        if (a.attrs.ANNOTATION_ID !== undefined) byId.set(a.attrs.ANNOTATION_ID, ann);
        anns.push(ann);
      }
    }
    tiers.push({ id, anns });
  }
  // A reference annotation's times and order are its (alignable) ancestor's.
  const resolveRef = (a: Ann, depth = 0): Ann => {
    if (a.parent === undefined) return a;
    const p = byId.get(a.parent) ?? bad(a.el, `ANNOTATION_REF="${a.parent}" names no annotation`);
    if (depth > byId.size) bad(a.el, 'annotation references form a cycle');
    const r = resolveRef(p, depth + 1);
    Object.assign(a, { start: r.start, end: r.end, order: r.order, parent: undefined });
    return a;
  };
  return {
    media,
    tiers: tiers.map((t) => ({
      id: t.id,
      annotations: t.anns
        .map((a) => resolveRef(a))
        .map((a, i) => ({ a, i }))
        .sort((x, y) => (x.a.order ?? 0) - (y.a.order ?? 0) || x.i - y.i)
        .map(({ a }) => ({ start: a.start!, end: a.end!, label: a.label })),
    })),
  };
}

/** An unaligned slot's time: linear between the nearest aligned slots before and after it. */
function interpolate(values: (number | undefined)[], i: number): number {
  let lo = i - 1;
  while (lo >= 0 && values[lo] === undefined) lo--;
  let hi = i + 1;
  while (hi < values.length && values[hi] === undefined) hi++;
  const before = lo >= 0 ? values[lo]! : 0;
  if (hi >= values.length) return before;
  return before + ((values[hi]! - before) * (i - lo)) / (hi - lo);
}

/** Read an EAF file (UTF-8, as ELAN writes it), with errors that name it. */
export function readEafFile(path: string): EafContents {
  return parseEaf(readUserText(path), path);
}
