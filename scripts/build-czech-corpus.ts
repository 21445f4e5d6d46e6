/**
 * Build the Czech evaluation corpus from the Fish Fillets NG game data
 * (Debian packages fillets-ng-data + fillets-ng-data-cs, GPL-2.0+): about
 * 1.6 h of recorded Czech dialogue with its transcripts.
 *
 *   node dist/scripts/build-czech-corpus.js [--out data/czech] [--work DIR]
 *        [--debs DIR | --game-dir DIR] [--keep-debs]
 *
 * Output (never commit it: data/ is git-ignored):
 *   wav/<id>.wav             16 kHz mono 16-bit
 *   text, words, phones      Kaldi tables for all utterances (phones: espeak-ng cs, no <SIL>)
 *   wav.list                 all wavs, relative to the folder
 *   train/, test/            the same tables per split (test iff md5(id) mod 10 == 0)
 *   train/unpaired_text.txt  train transcripts, normalised and shuffled
 *   manifest.json            stage 'corpus-czech', counts, hours, what was left out and why
 *
 * Re-running on a complete folder does nothing; an interrupted run resumes and
 * keeps the wavs already written.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAudio, writeWav } from '../src/audio/index.js';
import { normalizeText, splitWords, espeakPhonemizer } from '../src/text/index.js';
import { collectFilletsCorpus, splitOf, SPLITS, writeDataFolder, type CorpusUtterance, type FilletsUtterance } from '../src/corpus/index.js';
import { FieldphoneError, UsageError, errorMessage } from '../src/util/errors.js';
import { ensureDir, writeFileAtomic, writeJsonAtomic } from '../src/util/fsx.js';
import { readManifest, writeManifest } from '../src/util/manifest.js';
import { log } from '../src/util/log.js';
import { formatDuration, startProgress } from '../src/util/progress.js';
import { makeRng, shuffleInPlace } from '../src/util/rng.js';
import { aptDownload, extractDeb, findDebs, type DebFile } from './lib/debian.js';

const STAGE = 'corpus-czech';
const FORMAT_VERSION = 1;
const PACKAGES = ['fillets-ng-data', 'fillets-ng-data-cs'];
const GAME_SUBDIR = join('usr', 'share', 'games', 'fillets-ng');
const LANGUAGE = 'cs';
const SAMPLE_RATE = 16000;
const SHUFFLE_SEED = 20240611;
/** Written when a build starts, removed when it finishes: marks a folder as ours to resume. */
const PARTIAL_MARKER = '.build-czech-corpus.partial';

const HELP = `Build the Czech speech corpus (Fish Fillets NG dialogue) for phone-error-rate tests.

Usage: node dist/scripts/build-czech-corpus.js [options]

  --out DIR       output folder (default data/czech)
  --work DIR      where .deb files are downloaded and unpacked (default <out>/.work)
  --debs DIR      use ${PACKAGES.map((p) => `${p}_*.deb`).join(' and ')} from DIR instead of apt-get download
  --game-dir DIR  use an unpacked game data folder (e.g. /usr/share/games/fillets-ng with both packages installed)
  --keep-debs     keep the downloaded .deb files in the work folder
  -h, --help      this text`;

interface Options {
  out: string;
  work: string;
  debs?: string;
  gameDir?: string;
  keepDebs: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', default: join('data', 'czech') },
        work: { type: 'string' },
        debs: { type: 'string' },
        'game-dir': { type: 'string' },
        'keep-debs': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`${errorMessage(e)}\n\n${HELP}`);
  }
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return undefined;
  }
  if (values.debs && values['game-dir']) throw new UsageError('give either --debs or --game-dir, not both');
  const out = resolve(values.out!);
  return { out, work: resolve(values.work ?? join(out, '.work')), debs: values.debs, gameDir: values['game-dir'], keepDebs: values['keep-debs']! };
}

/** An existing complete build, or undefined. A folder that is neither ours nor empty is refused. */
function checkOutput(out: string): { utterances?: { total?: number }; hours?: { total?: number } } | undefined {
  if (existsSync(join(out, 'manifest.json'))) return readManifest<unknown>(out, STAGE, FORMAT_VERSION).stats ?? {};
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, PARTIAL_MARKER)))
    throw new UsageError(`${out} exists and holds files this script did not write; choose another --out or empty it`);
  return undefined;
}

/** The unpacked game data folder and the package versions it came from. */
function obtainGameData(opts: Options): { gameDir: string; packages: Record<string, string> | null; downloaded: string[] } {
  if (opts.gameDir) return { gameDir: resolve(opts.gameDir), packages: null, downloaded: [] };
  let debs: DebFile[];
  const downloaded: string[] = [];
  if (opts.debs) debs = findDebs(resolve(opts.debs), PACKAGES);
  else {
    const debDir = join(opts.work, 'debs');
    ensureDir(debDir);
    const have = PACKAGES.every((p) => readdirSync(debDir).some((n) => n.startsWith(`${p}_`) && n.endsWith('.deb')));
    if (have) log.info(`using the .deb files already in ${debDir}`);
    else {
      log.info(`downloading ${PACKAGES.join(', ')} (about 110 MB) with apt-get ...`);
      aptDownload(PACKAGES, debDir);
    }
    debs = findDebs(debDir, PACKAGES);
    // <work>/debs is this script's own folder (an interrupted run may have filled it), unlike a --debs folder.
    downloaded.push(...debs.map((d) => d.path));
  }
  const root = join(opts.work, 'unpacked');
  const stamp = join(root, '.complete');
  if (!existsSync(stamp)) {
    rmSync(root, { recursive: true, force: true });
    for (const d of debs) {
      log.info(`unpacking ${d.path}`);
      extractDeb(d.path, root);
    }
    writeFileAtomic(stamp, debs.map((d) => d.path).join('\n') + '\n');
  }
  return { gameDir: join(root, GAME_SUBDIR), packages: Object.fromEntries(debs.map((d) => [d.package, d.version])), downloaded };
}

interface Prepared {
  u: FilletsUtterance;
  normalized: string;
  words: string[];
  phones: string[];
}

/** Normalise and phonemize (espeak-ng, one pronunciation per word type); report what cannot be used. */
async function prepareText(utts: FilletsUtterance[]) {
  const phonemizer = await espeakPhonemizer(LANGUAGE);
  const withWords = utts.map((u) => {
    const normalized = normalizeText(u.text);
    return { u, normalized, words: splitWords(normalized) };
  });
  const types = [...new Set(withWords.flatMap((x) => x.words))];
  const prons = await phonemizer.phonemizeWords(types);
  const lexicon = new Map(types.map((w, k) => [w, prons[k]]));
  const ready: Prepared[] = [];
  const noWords: string[] = [];
  const unphonemizable: { id: string; words: string[] }[] = [];
  for (const x of withWords) {
    if (x.words.length === 0) {
      noWords.push(x.u.id);
      continue;
    }
    const bad = x.words.filter((w) => !lexicon.get(w)?.length);
    if (bad.length > 0) unphonemizable.push({ id: x.u.id, words: bad });
    else ready.push({ ...x, phones: x.words.flatMap((w) => lexicon.get(w)!) });
  }
  return { ready, noWords, unphonemizable, phonemizer: { name: phonemizer.name, description: phonemizer.description } };
}

/** Write <out>/wav/<id>.wav for each utterance (skipping those already there); returns durations in seconds. */
async function convertAudio(out: string, items: Prepared[]) {
  const durations = new Map<string, number>();
  const badAudio: { id: string; reason: string }[] = [];
  const progress = startProgress('converting audio', items.length);
  let reused = 0;
  for (const x of items) {
    const wav = join(out, 'wav', `${x.u.id}.wav`);
    try {
      if (existsSync(wav)) {
        // Written atomically by an earlier run, so it is complete; read it back for its duration.
        const a = await loadAudio(wav, { sampleRate: SAMPLE_RATE });
        durations.set(x.u.id, a.samples.length / a.sampleRate);
        reused++;
      } else {
        const a = await loadAudio(x.u.audio, { sampleRate: SAMPLE_RATE });
        writeWav(wav, { samples: a.samples, sampleRate: a.sampleRate }, { bitDepth: 16 });
        durations.set(x.u.id, a.samples.length / a.sampleRate);
      }
    } catch (e) {
      if (!(e instanceof FieldphoneError)) throw e;
      badAudio.push({ id: x.u.id, reason: errorMessage(e) });
      log.warn(`skipping ${x.u.id}: ${errorMessage(e)}`);
    }
    progress.tick(1, x.u.id);
  }
  progress.stop();
  if (reused > 0) log.info(`kept ${reused} wav files from an earlier run`);
  return { durations, badAudio };
}

async function main(argv: string[]): Promise<void> {
  const opts = parseOptions(argv);
  if (!opts) return;
  const t0 = Date.now();
  const done = checkOutput(opts.out);
  if (done) {
    log.info(`${opts.out} is already complete (${done.utterances?.total} utterances, ${done.hours?.total} h); delete it to rebuild.`);
    return;
  }
  ensureDir(opts.out);
  writeJsonAtomic(join(opts.out, PARTIAL_MARKER), { stage: STAGE, startedAt: new Date().toISOString() });

  const { gameDir, packages, downloaded } = obtainGameData(opts);
  const corpus = collectFilletsCorpus(gameDir, LANGUAGE);
  log.info(
    `${corpus.dialogFiles.length} dialogue files: ${corpus.utterances.length} lines with audio, ` +
      `${corpus.duplicates.length} duplicate ids removed, ${corpus.missingAudio.length} lines without audio, ` +
      `${corpus.audioWithoutText.length} recordings without text, ${corpus.noText.length} dialogue ids without ${LANGUAGE} text`,
  );

  const text = await prepareText(corpus.utterances);
  const some = (ids: string[]) => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', ...' : '');
  // In the game these are mostly spoken numbers and noises whose subtitle is "" (dialogStr("")).
  if (text.noWords.length) log.warn(`left out ${text.noWords.length} recordings whose transcript is empty or has no words (${some(text.noWords)}; all in manifest.json)`);
  if (text.unphonemizable.length) log.warn(`left out ${text.unphonemizable.length} lines with words espeak-ng cannot phonemize (${some(text.unphonemizable.map((x) => x.id))}; all in manifest.json)`);

  const { durations, badAudio } = await convertAudio(opts.out, text.ready);
  const kept = text.ready.filter((x) => durations.has(x.u.id));

  const asUtt = (x: Prepared): CorpusUtterance => ({ id: x.u.id, wav: join(opts.out, 'wav', `${x.u.id}.wav`), text: x.u.text, words: x.words, phones: x.phones });
  writeDataFolder(opts.out, kept.map(asUtt));
  const counts: Record<string, number> = {};
  const hours: Record<string, number> = {};
  for (const split of SPLITS) {
    const part = kept.filter((x) => splitOf(x.u.id) === split);
    writeDataFolder(join(opts.out, split), part.map(asUtt));
    counts[split] = part.length;
    hours[split] = +(part.reduce((s, x) => s + durations.get(x.u.id)!, 0) / 3600).toFixed(4);
  }
  const unpaired = shuffleInPlace(
    kept.filter((x) => splitOf(x.u.id) === 'train').map((x) => x.normalized),
    makeRng(SHUFFLE_SEED),
  );
  writeFileAtomic(join(opts.out, 'train', 'unpaired_text.txt'), unpaired.map((l) => l + '\n').join(''));

  const inventory = [...new Set(kept.flatMap((x) => x.phones))].sort();
  const totalHours = +(kept.reduce((s, x) => s + durations.get(x.u.id)!, 0) / 3600).toFixed(4);
  writeManifest(opts.out, {
    stage: STAGE,
    formatVersion: FORMAT_VERSION,
    config: {
      language: LANGUAGE,
      sampleRate: SAMPLE_RATE,
      bitDepth: 16,
      split: 'test iff BigInt(0x + md5(id)) % 10 == 0',
      unpairedShuffleSeed: SHUFFLE_SEED,
      phonemizer: text.phonemizer,
      duplicates: 'first line with audio wins (dialogue files in sorted path order)',
    },
    inputs: packages ? { packages } : { gameDir },
    outputs: ['wav/', 'wav.list', 'text', 'words', 'phones', ...SPLITS.flatMap((s) => ['wav.list', 'text', 'words', 'phones'].map((f) => `${s}/${f}`)), 'train/unpaired_text.txt'],
    stats: {
      utterances: { ...counts, total: kept.length },
      hours: { ...hours, total: totalHours },
      packageVersions: packages,
      dialogueFiles: corpus.dialogFiles.length,
      duplicatesRemoved: corpus.duplicates.length,
      duplicates: corpus.duplicates,
      missingAudio: corpus.missingAudio.length,
      missingAudioIds: corpus.missingAudio.map((m) => `${m.id} (${m.source})`),
      audioWithoutText: corpus.audioWithoutText,
      idsWithoutText: corpus.noText.map((m) => `${m.id} (${m.source})`),
      noWordsAfterNormalisation: text.noWords,
      unphonemizable: text.unphonemizable,
      badAudio,
      phoneInventorySize: inventory.length,
      phoneInventory: inventory,
    },
  });
  rmSync(join(opts.out, PARTIAL_MARKER), { force: true });

  if (!opts.gameDir) rmSync(join(opts.work, 'unpacked'), { recursive: true, force: true });
  if (!opts.keepDebs) for (const d of downloaded) rmSync(d, { force: true });
  for (const dir of [join(opts.work, 'debs'), opts.work]) if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true });

  log.info(
    `wrote ${opts.out}: ${kept.length} utterances, ${totalHours.toFixed(2)} h ` +
      `(train ${counts.train} / ${hours.train.toFixed(2)} h, test ${counts.test} / ${hours.test.toFixed(2)} h), ` +
      `${inventory.length} phones, in ${formatDuration((Date.now() - t0) / 1000)}`,
  );
}

main(process.argv.slice(2)).catch((e: unknown) => {
  log.error(e instanceof FieldphoneError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
