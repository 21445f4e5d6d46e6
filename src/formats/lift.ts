/**
 * LIFT 0.13 (Lexicon Interchange FormaT), what SIL FieldWorks (FLEx), Lexique
 * Pro and The Combine import and export.
 *
 *   <lift version="0.13" producer="fieldphone 0.1.0">
 *     <entry id="den_…" guid="…">
 *       <lexical-unit><form lang="cs"><text>den</text></form></lexical-unit>
 *       <pronunciation><form lang="cs-fonipa-x-emic"><text>d e n</text></form></pronunciation>
 *       <trait name="text-frequency" value="12"/>
 *       <trait name="audio-count" value="3"/>
 *       <note type="audio-occurrences"><form lang="en"><text>rec-01.wav 1.230–1.560 …</text></form></note>
 *     </entry>
 *   </lift>
 *
 * Pronunciations go in the phonemic IPA writing system FLEx uses
 * (`<lang>-fonipa-x-emic`), phones separated by spaces so that multi-letter
 * phones ("ts", "oʊ") survive a round trip. Entry guids are derived from the
 * headword, so exporting again gives the same guids and FLEx can merge.
 * Checked against the RELAX NG schema (test/lexicon/schemas/lift-0.13.rng).
 */
import { createHash } from 'node:crypto';
import type { LexiconEntry } from '../lexicon/entry.js';
import { InputFileError } from '../util/errors.js';
import { childElements, escapeXmlAttr, escapeXmlText, parseXml, textContent, XmlSyntaxError, type XmlElement } from './xml.js';

export const LIFT_VERSION = '0.13';

/** The phonemic IPA writing system of a language, as FLEx names it. */
export function phonemicWritingSystem(lang: string): string {
  return `${lang}-fonipa-x-emic`;
}

/** An RFC 4122 version-5-style UUID from a name (SHA-1), so a headword always gets the same guid. */
function nameGuid(name: string): string {
  const h = createHash('sha1').update(`fieldphone-lift\u0000${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface LiftRenderOptions {
  /** BCP 47 tag of the language (e.g. "cs"; "qaa-x-…" for one without a code). */
  lang: string;
  /** The `producer` attribute, e.g. "fieldphone 0.1.0". */
  producer: string;
  /** Language of the notes (default "en"). */
  analysisLang?: string;
}

function form(lang: string, text: string, indent: string): string {
  return `${indent}<form lang="${escapeXmlAttr(lang)}"><text>${escapeXmlText(text)}</text></form>`;
}

/** A LIFT 0.13 document (UTF-8 text) with one entry per lexicon entry, in the given order. */
export function renderLift(entries: readonly LexiconEntry[], o: LiftRenderOptions): string {
  const ipa = phonemicWritingSystem(o.lang);
  const analysis = o.analysisLang ?? 'en';
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<lift version="${LIFT_VERSION}" producer="${escapeXmlAttr(o.producer)}">`];
  for (const e of entries) {
    const guid = nameGuid(`${e.candidate ? 'candidate' : 'word'}\u0000${o.lang}\u0000${e.headword}`);
    out.push(`  <entry id="${escapeXmlAttr(`${e.headword}_${guid}`)}" guid="${guid}">`);
    // A candidate has no spelling yet: its headword is IPA too.
    out.push('    <lexical-unit>', form(e.candidate ? ipa : o.lang, e.headword, '      '), '    </lexical-unit>');
    for (const p of e.pronunciations) out.push('    <pronunciation>', form(ipa, p.join(' '), '      '), '    </pronunciation>');
    const trait = (name: string, value: string | number) => out.push(`    <trait name="${name}" value="${escapeXmlAttr(String(value))}"/>`);
    if (e.candidate) trait('fieldphone-status', 'candidate');
    if (e.score !== undefined) trait('discovery-score', e.score);
    if (e.textCount !== undefined) trait('text-frequency', e.textCount);
    if (e.audioCount !== undefined) trait('audio-count', e.audioCount);
    if (e.examples.length > 0) {
      const lines = e.examples.map((x) => `${x.file} ${x.start.toFixed(3)}–${x.end.toFixed(3)}`);
      out.push('    <note type="audio-occurrences">', form(analysis, lines.join('\n'), '      '), '    </note>');
    }
    out.push('  </entry>');
  }
  out.push('</lift>', '');
  return out.join('\n');
}

/** One LIFT entry as a pronunciation lexicon needs it. */
export interface LiftLexiconEntry {
  headword: string;
  /** Each pronunciation's IPA text as written (phones maybe separated by spaces, maybe not). */
  pronunciations: string[];
  /** Trait name → value (the last one of a name). */
  traits: Record<string, string>;
  /** 1-based line of the <entry>, for messages. */
  line: number;
}

/**
 * Entries of a LIFT file (any version: the elements read here have not
 * changed since 0.10). Deleted entries (dateDeleted) are left out. The
 * headword is the lexical-unit form (the first not in an IPA writing system,
 * else the first); a pronunciation is its form in a `fonipa` writing system
 * (phonemic `-x-emic` first), else its first form.
 */
export function parseLift(text: string, path: string): LiftLexiconEntry[] {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new InputFileError(path, `not well-formed XML (${e.message})`, 'bad-lift');
    throw e;
  }
  if (root.name !== 'lift') throw new InputFileError(path, `not a LIFT lexicon: the root element is <${root.name}>, expected <lift>`, 'bad-lift');
  const out: LiftLexiconEntry[] = [];
  for (const entry of childElements(root, 'entry')) {
    if (entry.attrs.dateDeleted !== undefined) continue;
    const unit = childElements(entry, 'lexical-unit')[0] ?? childElements(entry, 'citation')[0];
    const headForms = unit ? forms(unit) : [];
    const head = headForms.find((f) => !/-fonipa\b/i.test(f.lang)) ?? headForms[0];
    if (!head || head.text === '') throw new InputFileError(`${path}:${entry.line}`, 'entry has no lexical-unit (or citation) form', 'bad-lift');
    const pronunciations: string[] = [];
    for (const p of childElements(entry, 'pronunciation')) {
      const fs = forms(p);
      const best = fs.find((f) => /-fonipa\b.*-x-emic\b/i.test(f.lang)) ?? fs.find((f) => /-fonipa\b/i.test(f.lang)) ?? fs[0];
      if (best && best.text.trim() !== '') pronunciations.push(best.text.trim());
    }
    const traits: Record<string, string> = {};
    for (const t of childElements(entry, 'trait')) if (t.attrs.name !== undefined) traits[t.attrs.name] = t.attrs.value ?? '';
    out.push({ headword: head.text.trim(), pronunciations, traits, line: entry.line });
  }
  return out;
}

function forms(el: XmlElement): { lang: string; text: string }[] {
  return childElements(el, 'form').map((f) => {
    const t = childElements(f, 'text')[0];
    return { lang: f.attrs.lang ?? '', text: t ? textContent(t) : '' };
  });
}
