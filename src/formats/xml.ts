/**
 * Just enough XML for the annotation and lexicon formats: escaping for
 * writing, and a small non-validating parser for reading files other tools
 * wrote (no DTDs or namespaces beyond keeping prefixed names as they are).
 */

/** Characters XML 1.0 forbids anywhere: C0 controls except tab/LF/CR, U+FFFE/FFFF, and (with the u flag, unpaired) surrogates. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

/** Text content: & and < must be escaped, > too so that "]]>" cannot appear; forbidden characters become U+FFFD. */
export function escapeXmlText(s: string): string {
  return s.replace(NOT_XML_CHAR, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A double-quoted attribute value; tab, newline and CR as character references so that parsers keep them. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
  /** 1-based line of the start tag, for error messages. */
  line: number;
}

/** Child elements named `name` (all children when name is omitted). */
export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));
}

/** The concatenated text of an element and its descendants. */
export function textContent(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textContent(c))).join('');
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML is malformed; `line` is 1-based. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly line: number,
    what: string,
  ) {
    super(`line ${line}: ${what}`);
    this.name = 'XmlSyntaxError';
  }
}

/** Parse a document and return its root element. Throws XmlSyntaxError on malformed input. */
export function parseXml(source: string): XmlElement {
  const text = source.replace(/\r\n?/g, '\n');
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Lines counted incrementally: start tags come in document order, so this stays linear.
  let seenTo = 0;
  let seenLines = 1;
  function lineAt(p: number): number {
    if (p < seenTo) [seenTo, seenLines] = [0, 1];
    for (let i = text.indexOf('\n', seenTo); i >= 0 && i < p; i = text.indexOf('\n', i + 1)) seenLines++;
    seenTo = p;
    return seenLines;
  }
  function fail(what: string, p = pos): never {
    throw new XmlSyntaxError(lineAt(p), what);
  }
  function charRef(digits: string, radix: number, at: number): string {
    const cp = /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, radix) : NaN;
    if (!(cp > 0 && cp <= 0x10ffff)) fail(`bad character reference '${digits}'`, at);
    return String.fromCodePoint(cp);
  }
  const decode = (s: string, at: number) =>
    s.replace(/&([^;&<\s]*);?/g, (m, ref: string, offset: number) => {
      const here = at + offset;
      if (!m.endsWith(';')) fail(`'&' not followed by an entity reference ending in ';'`, here);
      if (ref.startsWith('#x') || ref.startsWith('#X')) return charRef(ref.slice(2), 16, here);
      if (ref.startsWith('#')) return charRef(ref.slice(1), 10, here);
      return ENTITIES[ref] ?? fail(`unknown entity &${ref};`, here);
    });
  function skipPast(end: string, what: string): void {
    const i = text.indexOf(end, pos);
    if (i < 0) fail(`unterminated ${what}`);
    pos = i + end.length;
  }

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunk = text.slice(pos, lt < 0 ? text.length : lt);
    if (chunk.length > 0) {
      if (stack.length > 0) stack[stack.length - 1].children.push(decode(chunk, pos));
      else if (chunk.trim() !== '') fail('text outside the root element');
    }
    if (lt < 0) break;
    pos = lt;
    if (text.startsWith('<!--', pos)) skipPast('-->', 'comment');
    else if (text.startsWith('<?', pos)) skipPast('?>', 'processing instruction');
    else if (text.startsWith('<![CDATA[', pos)) {
      const start = pos + 9;
      skipPast(']]>', 'CDATA section');
      if (stack.length === 0) fail('CDATA outside the root element');
      stack[stack.length - 1].children.push(text.slice(start, pos - 3));
    } else if (text.startsWith('<!', pos)) {
      // DOCTYPE: skip, including an internal subset in [...]
      const close = text.indexOf('>', pos);
      const bracket = text.indexOf('[', pos);
      if (bracket >= 0 && (close < 0 || bracket < close)) skipPast(']', 'DOCTYPE');
      skipPast('>', 'declaration');
    } else if (text.startsWith('</', pos)) {
      const m = /^<\/([^\s>]+)\s*>/.exec(text.slice(pos, pos + 512));
      if (!m) fail('malformed end tag');
      const open = stack.pop();
      if (!open || open.name !== m[1]) fail(open ? `</${m[1]}> closes <${open.name}> (line ${open.line})` : `</${m[1]}> without a start tag`);
      pos += m[0].length;
    } else {
      const line = lineAt(pos);
      const m = /^<([^\s/>]+)/.exec(text.slice(pos, pos + 512));
      if (!m) fail('malformed start tag');
      pos += m[0].length;
      const el: XmlElement = { name: m[1], attrs: {}, children: [], line };
      const attrRe = /\s*(?:([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')|(\/?>))/y;
      for (;;) {
        attrRe.lastIndex = pos;
        const a = attrRe.exec(text);
        if (!a) fail(`malformed attribute in <${el.name}>`);
        pos = attrRe.lastIndex;
        if (a[4] !== undefined) {
          if (stack.length > 0) stack[stack.length - 1].children.push(el);
          else if (root) fail('a second root element');
          else root = el;
          if (a[4] === '>') stack.push(el);
          break;
        }
        if (Object.hasOwn(el.attrs, a[1])) fail(`attribute ${a[1]} repeated in <${el.name}>`);
        // Literal tabs and newlines in attribute values read as spaces (XML 1.0 §3.3.3); character references keep them.
        const raw = a[2] ?? a[3];
        el.attrs[a[1]] = decode(raw.replace(/[\t\n]/g, ' '), pos - 1 - raw.length);
      }
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1].name}> (line ${stack[stack.length - 1].line}) is never closed`);
  if (!root) fail('no root element');
  return root;
}
