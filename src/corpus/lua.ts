/**
 * Just enough Lua to read data files that are written as Lua calls with
 * constant arguments, such as Fish Fillets' `dialogId("id", "font", "text")`.
 * The tokenizer follows the Lua 5.x lexical rules in full (both quote styles
 * with every escape, long brackets, long comments), so strings and comments
 * can never be mistaken for calls; the argument parser accepts only constant
 * expressions (strings, numbers, nil, `..` concatenation, names given in an
 * environment) and names the file and line of anything else.
 */
import { InputFileError } from '../util/errors.js';

export type LuaValue = string | number | null;

export interface LuaCall {
  name: string;
  args: LuaValue[];
  /** 1-based line of the function name. */
  line: number;
}

type Token =
  | { kind: 'name'; value: string; line: number }
  | { kind: 'string'; value: string; line: number }
  | { kind: 'number'; value: number; line: number }
  | { kind: 'punct'; value: string; line: number };

const MULTI_CHAR_PUNCT = ['...', '..', '==', '~=', '<=', '>=', '::', '//', '<<', '>>'];
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Split Lua source into tokens; comments and whitespace are dropped. */
export function tokenizeLua(source: string, file: string): Token[] {
  // Lua treats \r\n, \n\r, \r and \n alike as one line break.
  const src = source.replace(/^\uFEFF/, '').replace(/\r\n?|\n\r/g, '\n');
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const fail = (msg: string, at = line): never => {
    throw new InputFileError(file, `line ${at}: ${msg}`, 'corrupt');
  };

  // A first line starting with '#' (shebang) is skipped by the Lua loader.
  if (src.startsWith('#')) while (i < src.length && src[i] !== '\n') i++;

  /** Level of a long bracket `[==[` starting at i, or -1 if there is none. */
  const longBracketLevel = (at: number): number => {
    if (src[at] !== '[') return -1;
    let j = at + 1;
    while (src[j] === '=') j++;
    return src[j] === '[' ? j - at - 1 : -1;
  };
  /** Body of a long bracket of `level` opening at i; advances i past the closing bracket. */
  const readLong = (level: number, what: string): string => {
    const start = line;
    i += level + 2;
    // A line break right after the opening bracket is not part of the string.
    if (src[i] === '\n') {
      i++;
      line++;
    }
    const close = ']' + '='.repeat(level) + ']';
    const end = src.indexOf(close, i);
    if (end < 0) fail(`unfinished long ${what} (opened here)`, start);
    const body = src.slice(i, end);
    for (const ch of body) if (ch === '\n') line++;
    i = end + close.length;
    return body;
  };

  const readQuoted = (quote: string): string => {
    const start = line;
    i++;
    const bytes: number[] = [];
    const pushText = (s: string) => {
      for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
    };
    let run = i;
    for (;;) {
      if (i >= src.length) fail('unfinished string (opened here)', start);
      const c = src[i];
      if (c === quote) {
        pushText(src.slice(run, i));
        i++;
        break;
      }
      if (c === '\n') fail('unfinished string: a line break inside quotes must be written \\n', start);
      if (c !== '\\') {
        i++;
        continue;
      }
      pushText(src.slice(run, i));
      const e = src[i + 1];
      i += 2;
      if (e === undefined) fail('unfinished string (opened here)', start);
      if (e in SIMPLE_ESCAPES) bytes.push(SIMPLE_ESCAPES[e]);
      else if (e === '\n') {
        bytes.push(10);
        line++;
      } else if (e === 'z') {
        while (i < src.length && /\s/.test(src[i])) if (src[i++] === '\n') line++;
      } else if (e === 'x') {
        const hex = src.slice(i, i + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail(`bad escape \\x${hex}: needs two hex digits`);
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else if (/[0-9]/.test(e)) {
        let digits = e;
        while (digits.length < 3 && /[0-9]/.test(src[i] ?? '')) digits += src[i++];
        const v = Number(digits);
        if (v > 255) fail(`bad escape \\${digits}: decimal escapes go up to 255`);
        bytes.push(v);
      } else if (e === 'u') {
        const m = /^\{([0-9A-Fa-f]+)\}/.exec(src.slice(i));
        if (!m) fail('bad escape \\u: write it as \\u{XXXX}');
        const cp = parseInt(m![1], 16);
        if (cp > 0x10ffff) fail(`bad escape \\u{${m![1]}}: beyond Unicode`);
        pushText(String.fromCodePoint(cp));
        i += m![0].length;
      } else fail(`unknown escape \\${e} in string`);
      run = i;
    }
    try {
      return utf8.decode(Uint8Array.from(bytes));
    } catch {
      return fail('string escapes do not form valid UTF-8 text', start);
    }
  };

  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (src.startsWith('--', i)) {
      const level = longBracketLevel(i + 2);
      if (level >= 0) {
        i += 2;
        readLong(level, 'comment');
      } else while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      const at = line;
      tokens.push({ kind: 'string', value: readQuoted(c), line: at });
    } else if (c === '[' && longBracketLevel(i) >= 0) {
      const at = line;
      tokens.push({ kind: 'string', value: readLong(longBracketLevel(i), 'string'), line: at });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256))!;
      tokens.push({ kind: 'name', value: m[0], line });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9A-Fa-f]*(\.[0-9A-Fa-f]*)?([pP][+-]?[0-9]+)?|[0-9]*\.?[0-9]*([eE][+-]?[0-9]+)?)/.exec(src.slice(i, i + 256))!;
      // Number() reads decimal and hex integers; hex floats are too rare in data files to support.
      const v = Number(m[0]);
      if (!Number.isFinite(v)) fail(`unsupported or malformed number '${m[0]}'`);
      tokens.push({ kind: 'number', value: v, line });
      i += m[0].length;
    } else {
      const p = MULTI_CHAR_PUNCT.find((op) => src.startsWith(op, i)) ?? c;
      tokens.push({ kind: 'punct', value: p, line });
      i += p.length;
    }
  }
  return tokens;
}

/**
 * Every call `name(arg, ...)`, `name "str"` or `name [[str]]` to one of `names`
 * (not method calls `x.name(...)` and not `function name(...)` definitions),
 * with its arguments evaluated. `env` gives values for names used in arguments
 * (e.g. `codename`); any other non-constant argument is an error naming the line.
 */
export function parseLuaCalls(source: string, file: string, names: Iterable<string>, env: Record<string, LuaValue> = {}): LuaCall[] {
  const wanted = new Set(names);
  const toks = tokenizeLua(source, file);
  const calls: LuaCall[] = [];
  const fail = (line: number, msg: string): never => {
    throw new InputFileError(file, `line ${line}: ${msg}`, 'corrupt');
  };

  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.kind !== 'name' || !wanted.has(t.value)) continue;
    const prev = toks[k - 1];
    if (prev && ((prev.kind === 'punct' && (prev.value === '.' || prev.value === ':')) || (prev.kind === 'name' && prev.value === 'function'))) continue;
    const next = toks[k + 1];
    if (next?.kind === 'string') {
      calls.push({ name: t.value, args: [next.value], line: t.line });
      k++;
      continue;
    }
    if (!(next?.kind === 'punct' && next.value === '(')) continue;

    const args: LuaValue[] = [];
    let j = k + 2;
    const term = (): LuaValue => {
      const a = toks[j];
      if (!a) return fail(t.line, `unfinished call to ${t.value}(`);
      j++;
      if (a.kind === 'string' || a.kind === 'number') return a.value;
      if (a.kind === 'name') {
        if (a.value === 'nil') return null;
        if (Object.prototype.hasOwnProperty.call(env, a.value)) return env[a.value];
      }
      return fail(a.line, `argument of ${t.value}(...) is not a constant: unexpected '${a.value}'`);
    };
    if (toks[j]?.kind === 'punct' && toks[j].value === ')') j++;
    else
      for (;;) {
        let v = term();
        while (toks[j]?.kind === 'punct' && toks[j].value === '..') {
          j++;
          const w = term();
          if (v === null || w === null) fail(toks[j - 1].line, `cannot concatenate nil in ${t.value}(...)`);
          v = `${v}${w}`;
        }
        args.push(v);
        const sep = toks[j];
        if (sep?.kind === 'punct' && sep.value === ',') {
          j++;
          continue;
        }
        if (sep?.kind === 'punct' && sep.value === ')') {
          j++;
          break;
        }
        fail(sep?.line ?? t.line, sep ? `expected ',' or ')' in ${t.value}(...), found '${sep.value}'` : `unfinished call to ${t.value}(`);
      }
    calls.push({ name: t.value, args, line: t.line });
    k = j - 1;
  }
  return calls;
}
