export { tokenizeLua, parseLuaCalls, type LuaCall, type LuaValue } from './lua.js';
export { parseDialogs, readSoundPrefixes, collectFilletsCorpus, type DialogLine, type FilletsUtterance, type FilletsCorpus } from './fillets.js';
export { splitOf, SPLITS, type Split } from './split.js';
export { compareIds, writeKaldiTable, readKaldiTable, writeDataFolder, readDataFolder, type CorpusUtterance } from './kaldi.js';
