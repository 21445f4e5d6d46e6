/**
 * Stage "prepare-text": a text file in the language → everything the training
 * side needs from text.
 *
 *   words.txt            normalised sentences kept (one per line)
 *   lexicon.txt          word → phones (Kaldi lexicon.txt layout), one pronunciation per word
 *   phones.txt           phone sentences with <SIL> inserted (the GAN's "real" data)
 *   inventory.json       phones (+ <SIL>) with counts, and what was dropped
 *   lm.phones.arpa       phone n-gram LM on phones.txt (order 4: the model-selection LM)
 *   lm.words.arpa        word n-gram LM on words.txt
 *   report.json          dropped lines, unknown words, unmatched characters, held-out perplexities
 *
 * The phonemizer, inventory threshold, silence probability and LM orders are
 * recorded in manifest.json so later stages can tell how the text was made.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { perplexity, trainNgram, writeArpa } from '../lm/index.js';
import {
  buildInventory,
  filterByInventory,
  insertSilence,
  makePhonemizer,
  phonemizeSentences,
  SIL,
  type PhonemizerSpec,
} from '../text/index.js';
import { readTextInputs } from '../text/annotation-input.js';
import { FieldphoneError, UsageError } from '../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fsx.js';
import { log } from '../util/log.js';
import { writeManifest } from '../util/manifest.js';
import { makeRng, shuffleInPlace } from '../util/rng.js';

export const PREPARE_TEXT_STAGE = 'prepare-text';
export const PREPARE_TEXT_FORMAT = 1;

export interface PrepareTextConfig {
  phonemizer: PhonemizerSpec;
  /** Phones seen fewer times are dropped, with the sentences that use them. */
  minPhoneCount: number;
  /** Probability of <SIL> between two words (edges always get one). */
  silenceProb: number;
  phoneLmOrder: number;
  wordLmOrder: number;
  seed: number;
}

export const DEFAULT_PREPARE_TEXT_CONFIG: Omit<PrepareTextConfig, 'phonemizer'> = {
  minPhoneCount: 10,
  silenceProb: 0.25,
  phoneLmOrder: 4,
  wordLmOrder: 3,
  seed: 1,
};

export const TEXT_FILES = {
  words: 'words.txt',
  lexicon: 'lexicon.txt',
  phones: 'phones.txt',
  inventory: 'inventory.json',
  phoneLm: 'lm.phones.arpa',
  wordLm: 'lm.words.arpa',
  report: 'report.json',
} as const;

export interface InventoryFile {
  /** Model output units in index order: the phones, then <SIL>. */
  units: string[];
  counts: Record<string, number>;
  dropped: Record<string, number>;
}

export interface PrepareTextResult {
  outDir: string;
  sentences: number;
  droppedLines: number;
  units: string[];
  stats: Record<string, number>;
}

export async function prepareText(opts: {
  textFiles: string[];
  /** The tier to read from TextGrid/EAF inputs. */
  tier?: string;
  outDir: string;
  config: Partial<PrepareTextConfig> & { phonemizer: PhonemizerSpec };
}): Promise<PrepareTextResult> {
  const outDir = resolve(opts.outDir);
  const config: PrepareTextConfig = { ...DEFAULT_PREPARE_TEXT_CONFIG, ...opts.config };
  if (!(config.silenceProb >= 0 && config.silenceProb <= 1)) throw new UsageError(`silence probability must be in [0, 1], got ${config.silenceProb}`);
  if (!Number.isInteger(config.minPhoneCount) || config.minPhoneCount < 1) throw new UsageError(`minimum phone count must be a positive integer, got ${config.minPhoneCount}`);
  if (existsSync(outDir) && readdirSync(outDir).length > 0)
    throw new UsageError(`${outDir} exists and is not empty; refusing to write into it (choose a new --out folder)`);
  const t0 = Date.now();

  const lines = readTextInputs(opts.textFiles, opts.tier);
  const phonemizer = await makePhonemizer(config.phonemizer);
  log.info(`phonemizing ${lines.length} lines with ${phonemizer.description}`);
  const ph = await phonemizeSentences(lines, phonemizer, { progress: true });

  const inventory = buildInventory(ph.sentences, config.minPhoneCount);
  const known = new Set([...inventory.phones, SIL]);
  const keepIdx = ph.sentences.map((s, i) => (s.every((w) => w.every((p) => known.has(p))) ? i : -1)).filter((i) => i >= 0);
  const rareDropped = filterByInventory(ph.sentences, inventory).dropped;
  if (keepIdx.length === 0)
    throw new FieldphoneError('no-usable-text', `no sentence survived phonemization and the phone-count threshold (${config.minPhoneCount}); check the language or lower --min-phone-count`);

  const sentences = keepIdx.map((i) => ph.sentences[i]);
  const words = keepIdx.map((i) => ph.words[i]);
  const rng = makeRng(config.seed);
  const phoneSentences = sentences.map((s) => insertSilence(s, rng, config.silenceProb, true));

  const lexicon = new Map<string, string[]>();
  words.forEach((ws, i) => ws.forEach((w, j) => lexicon.has(w) || lexicon.set(w, sentences[i][j])));

  // Held-out perplexities (5 %, seeded) tell the user how predictable the text is; the saved LMs use everything.
  const order = shuffleInPlace([...phoneSentences.keys()], makeRng(config.seed + 1));
  const nHeld = phoneSentences.length >= 40 ? Math.max(1, Math.round(phoneSentences.length * 0.05)) : 0;
  const held = new Set(order.slice(0, nHeld));
  const heldOut = (xs: string[][]) => xs.filter((_, i) => held.has(i));
  const trainPart = (xs: string[][]) => xs.filter((_, i) => !held.has(i));
  const stats: Record<string, number> = {};
  if (nHeld > 0) {
    stats.heldOutSentences = nHeld;
    stats.phoneLmHeldOutPpl = perplexity(trainNgram(trainPart(phoneSentences), { order: config.phoneLmOrder }), heldOut(phoneSentences)).ppl;
    stats.wordLmHeldOutPpl = perplexity(trainNgram(trainPart(words), { order: config.wordLmOrder }), heldOut(words)).ppl;
  }
  const phoneLm = trainNgram(phoneSentences, { order: config.phoneLmOrder });
  const wordLm = trainNgram(words, { order: config.wordLmOrder });

  const units = [...inventory.phones, SIL];
  const silCount = phoneSentences.reduce((s, ps) => s + ps.filter((p) => p === SIL).length, 0);
  const inv: InventoryFile = { units, counts: { ...inventory.counts, [SIL]: silCount }, dropped: inventory.dropped };
  const lexLines = [...lexicon].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([w, ps]) => `${w}\t${ps.join(' ')}`);
  writeFileAtomic(join(outDir, TEXT_FILES.words), words.map((w) => w.join(' ')).join('\n') + '\n');
  writeFileAtomic(join(outDir, TEXT_FILES.phones), phoneSentences.map((s) => s.join(' ')).join('\n') + '\n');
  writeFileAtomic(join(outDir, TEXT_FILES.lexicon), lexLines.join('\n') + '\n');
  writeJsonAtomic(join(outDir, TEXT_FILES.inventory), inv);
  writeArpa(phoneLm, join(outDir, TEXT_FILES.phoneLm));
  writeArpa(wordLm, join(outDir, TEXT_FILES.wordLm));

  Object.assign(stats, {
    inputLines: lines.length,
    sentences: sentences.length,
    droppedEmpty: ph.dropped.filter((d) => d.kind === 'empty').length,
    droppedUnpronounceable: ph.dropped.filter((d) => d.kind === 'unpronounceable').length,
    droppedRarePhones: rareDropped,
    words: words.reduce((s, w) => s + w.length, 0),
    wordTypes: lexicon.size,
    phones: sentences.reduce((s, x) => s + x.reduce((t, w) => t + w.length, 0), 0),
    units: units.length,
    seconds: (Date.now() - t0) / 1000,
  });
  const topOov = [...ph.oov].sort((a, b) => b[1] - a[1]).slice(0, 200);
  writeJsonAtomic(join(outDir, TEXT_FILES.report), {
    stats,
    droppedLines: ph.dropped,
    unknownWords: Object.fromEntries(topOov),
    unmatchedCharacters: Object.fromEntries(ph.unmatched),
    rarePhones: inventory.dropped,
  });
  writeManifest(outDir, {
    stage: PREPARE_TEXT_STAGE,
    formatVersion: PREPARE_TEXT_FORMAT,
    config: { ...config, phonemizerDescription: phonemizer.description },
    inputs: { textFiles: opts.textFiles.map((f) => resolve(f)), ...(opts.tier === undefined ? {} : { tier: opts.tier }) },
    outputs: Object.values(TEXT_FILES),
    stats,
  });
  log.info(
    `text: ${sentences.length} of ${lines.length} lines kept, ${units.length} units (${inventory.phones.length} phones + ${SIL}), ` +
      `${lexicon.size} word types` +
      (nHeld ? `; held-out perplexity: phones ${stats.phoneLmHeldOutPpl.toFixed(2)} (${config.phoneLmOrder}-gram), words ${stats.wordLmHeldOutPpl.toFixed(1)} (${config.wordLmOrder}-gram)` : ''),
  );
  if (ph.oov.size > 0) log.info(`  ${ph.oov.size} word types had no pronunciation (their sentences were dropped; see ${join(outDir, TEXT_FILES.report)})`);
  if (Object.keys(inventory.dropped).length > 0)
    log.info(`  rare phones dropped (< ${config.minPhoneCount}): ${Object.entries(inventory.dropped).map(([p, n]) => `${p}:${n}`).join(' ')}`);
  return { outDir, sentences: sentences.length, droppedLines: lines.length - sentences.length, units, stats };
}
