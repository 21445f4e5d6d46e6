import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectFilletsCorpus, readSoundPrefixes, type FilletsCorpus } from '../../src/corpus/index.js';
import { InputFileError } from '../../src/util/errors.js';

/** A miniature of the unpacked usr/share/games/fillets-ng tree. */
function makeGame(): string {
  const g = mkdtempSync(join(tmpdir(), 'fp-fillets-'));
  const put = (rel: string, content: string | Buffer) => {
    mkdirSync(dirname(join(g, rel)), { recursive: true });
    writeFileSync(join(g, rel), content);
  };
  // Game code: the engine's own dialogLoad definition (must be ignored) and the level calls.
  put('script/share/level_dialog.lua', 'function dialogLoad(prefix, soundPrefix)\n  DialogState.SOUND_PREFIX = "sound/"..codename.."/"\nend\n');
  put('script/alpha/init.lua', 'dialogLoad("script/"..codename.."/")\n');
  put('script/alpha/demo_poster.lua', 'dialogLoad("script/"..codename.."/demo_")\n');
  put('script/beta/init.lua', 'dialogLoad("script/"..codename.."/")\n');
  put('script/share/demo_intro.lua', 'dialogLoad("script/share/intro_", "sound/share/intro/")\n');

  put('script/alpha/dialogs_cs.lua', [
    'dialogId("a-1", "font_small", "One.")', 'dialogStr("Jedna.")',
    'dialogId("shared", "font_small", "Same.")', 'dialogStr("Stejné.")',
    'dialogId("clash", "font_small", "No audio here.")', 'dialogStr("Tady zvuk není.")',
    '-- sound effect', 'dialogId("laser", "", "")',
  ].join('\n'));
  put('script/alpha/dialogs_en.lua', 'dialogId("a-1", "font_small", "One.")\n');
  put('script/alpha/demo_dialogs_cs.lua', 'dialogId("poster", "font_poster", "Poster")\ndialogStr("Plakát")\n');
  put('script/beta/dialogs_cs.lua', [
    'dialogId("shared", "font_small", "Same.")', 'dialogStr("Stejné.")',
    'dialogId("clash", "font_small", "Has audio.")', 'dialogStr("Tady zvuk je.")',
    'dialogId("a-1", "font_big", "Other.")', 'dialogStr("Jiná jedna.")',
  ].join('\n'));
  put('script/share/intro_dialogs_cs.lua', "dialogId('intro-1', 'font_big', 'Hi')\ndialogStr('Ahoj')\n");

  put('sound/alpha/cs/a-1.ogg', 'alpha one');
  put('sound/alpha/cs/shared.ogg', 'same bytes');
  put('sound/alpha/cs/orphan.ogg', 'no text');
  put('sound/alpha/en/a-1.ogg', 'english');
  put('sound/beta/cs/shared.ogg', 'same bytes');
  put('sound/beta/cs/clash.ogg', 'beta clash');
  put('sound/beta/cs/a-1.ogg', 'beta one');
  put('sound/share/intro/cs/intro-1.ogg', 'intro');
  return g;
}

describe('collectFilletsCorpus', () => {
  let g: string;
  let c: FilletsCorpus;
  beforeAll(() => {
    g = makeGame();
    c = collectFilletsCorpus(g, 'cs');
  });

  it('maps dialogue files to sound folders through the game’s dialogLoad calls', () => {
    const m = readSoundPrefixes(g);
    expect(m.get('script/alpha/')).toBe('sound/alpha/');
    expect(m.get('script/alpha/demo_')).toBe('sound/alpha/');
    expect(m.get('script/share/intro_')).toBe('sound/share/intro/');
    expect(c.utterances.find((u) => u.id === 'intro-1')?.audio).toBe(join(g, 'sound/share/intro/cs/intro-1.ogg'));
  });

  it('keeps the first line with audio for each id, in sorted file order', () => {
    expect(c.dialogFiles).toEqual(['script/alpha/demo_dialogs_cs.lua', 'script/alpha/dialogs_cs.lua', 'script/beta/dialogs_cs.lua', 'script/share/intro_dialogs_cs.lua']);
    expect(c.utterances.map((u) => `${u.id}@${u.source}:${u.line}`)).toEqual([
      'a-1@script/alpha/dialogs_cs.lua:1',
      'shared@script/alpha/dialogs_cs.lua:3',
      'clash@script/beta/dialogs_cs.lua:3', // alpha's 'clash' has no recording, so it does not take the id
      'intro-1@script/share/intro_dialogs_cs.lua:1',
    ]);
    expect(c.utterances[0]).toMatchObject({ text: 'Jedna.', english: 'One.', audio: join(g, 'sound/alpha/cs/a-1.ogg') });
  });

  it('counts duplicates and says whether text and recording are the same', () => {
    expect(c.duplicates).toEqual([
      { id: 'shared', kept: 'script/alpha/dialogs_cs.lua:3', dropped: 'script/beta/dialogs_cs.lua:1', sameText: true, sameAudio: true },
      { id: 'a-1', kept: 'script/alpha/dialogs_cs.lua:1', dropped: 'script/beta/dialogs_cs.lua:5', sameText: false, sameAudio: false },
    ]);
  });

  it('reports lines without audio, ids without text, and recordings without text', () => {
    expect(c.missingAudio).toEqual([
      { id: 'poster', source: 'script/alpha/demo_dialogs_cs.lua:1', expected: 'sound/alpha/cs/poster.ogg' },
      { id: 'clash', source: 'script/alpha/dialogs_cs.lua:5', expected: 'sound/alpha/cs/clash.ogg' },
    ]);
    expect(c.noText).toEqual([{ id: 'laser', source: 'script/alpha/dialogs_cs.lua:8' }]);
    expect(c.audioWithoutText).toEqual(['sound/alpha/cs/orphan.ogg']); // English recordings are not ours to report
  });

  it('falls back to sound/<level>/ when a dialogLoad call is computed at run time', () => {
    const h = mkdtempSync(join(tmpdir(), 'fp-fillets-'));
    mkdirSync(join(h, 'script/gamma'), { recursive: true });
    mkdirSync(join(h, 'sound/gamma/cs'), { recursive: true });
    writeFileSync(join(h, 'script/gamma/init.lua'), 'local p = "script/gamma/"\ndialogLoad(p)\n');
    writeFileSync(join(h, 'script/gamma/dialogs_cs.lua'), 'dialogId("g", "f", "G")\ndialogStr("Gé")\n');
    writeFileSync(join(h, 'sound/gamma/cs/g.ogg'), 'g');
    expect(readSoundPrefixes(h).size).toBe(0);
    expect(collectFilletsCorpus(h, 'cs').utterances.map((u) => u.audio)).toEqual([join(h, 'sound/gamma/cs/g.ogg')]);
  });

  it('says what is wrong with a folder that is not the game data', () => {
    const empty = mkdtempSync(join(tmpdir(), 'fp-fillets-'));
    expect(() => collectFilletsCorpus(empty, 'cs')).toThrow(InputFileError);
    expect(() => collectFilletsCorpus(empty, 'cs')).toThrow(/no 'script' folder/);
    expect(() => collectFilletsCorpus(g, 'xx')).toThrow(/no \*dialogs_xx\.lua dialogue files/);
  });
});
