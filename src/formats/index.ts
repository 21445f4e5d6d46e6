/** File formats other tools read and write: Praat TextGrid, ELAN EAF, NIST CTM, and the XML helpers they share. */
export { transcriptLabels, TIER_KINDS, type TimedLabel, type TimedTranscript, type TierKind } from './tiers.js';
export { tileIntervals, transcriptTextGrid, renderTextGrid, parseTextGrid, readTextGridFile, decodePraatText, type TextGrid, type TextGridTier } from './textgrid.js';
export { mediaDescriptor, transcriptEaf, renderEaf, parseEaf, readEafFile, type EafDocument, type EafContents, type EafMedia, type EafTier } from './eaf.js';
export { renderCtm } from './ctm.js';
export { escapeXmlText, escapeXmlAttr, parseXml, childElements, textContent, XmlSyntaxError, type XmlElement } from './xml.js';
// Lexicon formats (src/lexicon writes them; src/text/lexicon.ts reads LIFT back).
export { renderLift, parseLift, phonemicWritingSystem, LIFT_VERSION, type LiftRenderOptions, type LiftLexiconEntry } from './lift.js';
export { renderKaldiLexicon, kaldiWord } from './kaldi-lexicon.js';
