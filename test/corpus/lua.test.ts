import { describe, it, expect } from 'vitest';
import { parseDialogs, parseLuaCalls, tokenizeLua } from '../../src/corpus/index.js';
import { InputFileError } from '../../src/util/errors.js';

// Mirrors the real script/<level>/dialogs_cs.lua files: a leading blank line,
// dialogId(id, font, English) + dialogStr(Czech) pairs, '--' section comments,
// arguments continued on the next line, escaped backslashes, '--' and quotes inside strings,
// curly apostrophes, and an id with no dialogStr (a sound effect).
const REAL_STYLE = `
-- Intro dialogs
dialogId("vit-hs-vitejteA", "font_statue", "Welcome to the most beautiful city under the sun.")
dialogStr("Vítejte v nejkrásnějším městě pod sluncem.")


dialogId("m-uvedomit", "font_small",
"You need to realize that the steel cylinder surrounding us")
dialogStr("Je dobré si uvědomit, že ta trubka kolem.")

dialogId("war-v-pohadka", "font_big", "we get together in the C:\\\\WINDOWS\\\\CONFIG directory -- and talk.")
dialogStr("se scházíme v adresáři C:\\\\WINDOWS\\\\CONFIG a povídáme si.")

dialogId("at-m-kam", "font_small", "Why aren’t the aliens peaceful?")
dialogStr("Čeho že? 'Kam běžíš? Pro sedm mečů!’ Den co den.")

-- Lasersound
dialogId("laser", "", "")
`;

describe('parseDialogs on the real file syntax', () => {
  const lines = parseDialogs(REAL_STYLE, 'dialogs_cs.lua');

  it('pairs each dialogStr with the dialogId before it', () => {
    expect(lines.map((l) => l.id)).toEqual(['vit-hs-vitejteA', 'm-uvedomit', 'war-v-pohadka', 'at-m-kam', 'laser']);
    expect(lines[0]).toEqual({
      id: 'vit-hs-vitejteA',
      font: 'font_statue',
      english: 'Welcome to the most beautiful city under the sun.',
      text: 'Vítejte v nejkrásnějším městě pod sluncem.',
      line: 3,
    });
  });

  it('reads arguments continued on the next line', () => {
    expect(lines[1].english).toBe('You need to realize that the steel cylinder surrounding us');
    expect(lines[1].line).toBe(7);
  });

  it('unescapes backslashes and keeps -- and quotes inside strings', () => {
    expect(lines[2].text).toBe('se scházíme v adresáři C:\\WINDOWS\\CONFIG a povídáme si.');
    expect(lines[2].english).toContain('directory -- and talk.');
    expect(lines[3].text).toBe("Čeho že? 'Kam běžíš? Pro sedm mečů!’ Den co den.");
  });

  it('gives a dialogId without dialogStr a null text', () => {
    expect(lines[4]).toMatchObject({ id: 'laser', text: null, line: 18 });
  });

  it('keeps repeated ids (dedup is the caller’s choice)', () => {
    const src = 'dialogId("a", "f", "x")\ndialogStr("první")\ndialogId("a", "f", "x")\ndialogStr("druhý")\n';
    expect(parseDialogs(src, 'f.lua').map((l) => [l.id, l.text])).toEqual([
      ['a', 'první'],
      ['a', 'druhý'],
    ]);
  });

  it('rejects a dialogStr with no dialogId before it, naming file and line', () => {
    expect(() => parseDialogs('\n\ndialogStr("sirotek")', 'x/dialogs_cs.lua')).toThrow(/x\/dialogs_cs\.lua: line 3: dialogStr\(\.\.\.\) before any dialogId/);
  });
});

describe('Lua strings', () => {
  const one = (lua: string) => {
    const calls = parseLuaCalls(`f(${lua})`, 't.lua', ['f']);
    expect(calls).toHaveLength(1);
    return calls[0].args[0];
  };

  it('decodes every escape of the Lua manual', () => {
    expect(one(`"a\\tb\\nc\\\\d\\"e\\'f"`)).toBe('a\tb\nc\\d"e\'f');
    expect(one(`"\\a\\b\\f\\v\\r"`)).toBe('\x07\x08\x0c\x0b\r');
    expect(one(`"\\x41\\065\\66C"`)).toBe('AABC'); // \\066 is at most 3 digits: "\\66C" = "B" + "C"
    expect(one(`"\\u{10D}esky"`)).toBe('česky');
    // Decimal/hex escapes are bytes: two of them together make one UTF-8 character.
    expect(one(`"\\196\\141\\xC3\\xA1"`)).toBe('čá');
    expect(one(`"jedna\\z   \n    dva"`)).toBe('jednadva');
    expect(one(`"řádek\\\nnový"`)).toBe('řádek\nnový');
  });

  it('reads single quotes and long brackets', () => {
    expect(one(`'řekl "ahoj"'`)).toBe('řekl "ahoj"');
    expect(one('[[\nprvní\ndruhý]]')).toBe('první\ndruhý');
    expect(one('[==[ obsahuje ]] a ]=] ]==]')).toBe(' obsahuje ]] a ]=] ');
  });

  it('concatenates with .. and substitutes names from the environment', () => {
    const calls = parseLuaCalls('dialogLoad("script/"..codename.."/demo_", nil)', 'i.lua', ['dialogLoad'], { codename: 'gods' });
    expect(calls[0].args).toEqual(['script/gods/demo_', null]);
  });

  it('counts lines across long strings, long comments and CRLF endings', () => {
    const src = 'f("a")\r\n--[[ f("not a call")\r\n]]\r\nx = [[\r\n\r\n]]\r\nf("b")\r\n';
    const calls = parseLuaCalls(src, 'c.lua', ['f']);
    expect(calls.map((c) => [c.args[0], c.line])).toEqual([
      ['a', 1],
      ['b', 7],
    ]);
  });

  it('ignores definitions, method calls, and calls hidden in comments or strings', () => {
    const src = [
      'function dialogId(name, font, sub) end',
      'obj.dialogId("no")',
      'obj:dialogId("no")',
      '-- dialogId("no")',
      'print("dialogId(\\"no\\")")',
      'dialogId "yes"',
      'dialogId[[also]]',
    ].join('\n');
    expect(parseLuaCalls(src, 'd.lua', ['dialogId']).map((c) => c.args[0])).toEqual(['yes', 'also']);
  });

  it('tokenizes numbers and operators without swallowing strings', () => {
    const toks = tokenizeLua('x = 0x1F + 3.5e2 .. "s" -- c', 'n.lua');
    expect(toks.map((t) => t.value)).toEqual(['x', '=', 31, '+', 350, '..', 's']);
  });
});

describe('Lua errors name the file and the line', () => {
  const err = (src: string) => {
    try {
      parseLuaCalls(src, 'bad.lua', ['f']);
    } catch (e) {
      expect(e).toBeInstanceOf(InputFileError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  it('unfinished string', () => expect(err('\nf("abc)\n')).toMatch(/^bad\.lua: line 2: unfinished string/));
  it('unfinished long string', () => expect(err('f([[abc\n\n')).toMatch(/^bad\.lua: line 1: unfinished long string/));
  it('unknown escape', () => expect(err('f("a\\qb")')).toMatch(/line 1: unknown escape \\q/));
  it('decimal escape over 255', () => expect(err('f("\\300")')).toMatch(/line 1: bad escape \\300/));
  it('invalid UTF-8 from escapes', () => expect(err('f("\\xC3")')).toMatch(/valid UTF-8/));
  it('non-constant argument', () => expect(err('\n\nf("a", someVar)')).toMatch(/line 3: argument of f\(\.\.\.\) is not a constant: unexpected 'someVar'/));
  it('unclosed call', () => expect(err('f("a" "b")')).toMatch(/expected ',' or '\)'/));
});
