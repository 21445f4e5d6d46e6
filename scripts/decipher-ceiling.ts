/**
 * What decipherment could reach on a corpus, given reference phones for its
 * recordings: clusters the change-point segments as `train --decipher` does,
 * finds the best map cluster → phone the references allow
 * (src/decipher/ceiling.ts), and prints its PER and decipherment score next
 * to those of a few annealing runs, which never see the references.
 *
 *   node dist/scripts/decipher-ceiling.js --audio DIR --text DIR --ref FILE
 *        [--clusters 200] [--seed 1] [--anneal-runs 2]
 *
 * --audio: prepare-audio output; --text: prepare-text output; --ref: Kaldi-style
 * reference phones (utterance-id phone phone …) of some or all of the recordings.
 */
import { parseArgs } from 'node:util';
import { loadAudioData, loadTextData } from '../src/train/data.js';
import { decipherSegmentFeatures } from '../src/decipher/segments.js';
import { cipherText, mapScore, runAnnealTask } from '../src/decipher/anneal.js';
import { DEFAULT_DECIPHER, annealSettings, phoneText, segmentClusters, standardiseSegments } from '../src/decipher/index.js';
import { mappedPer, referenceMap } from '../src/decipher/ceiling.js';
import { readTranscriptFile } from '../src/scoring/transcript-file.js';
import { updateSeed } from '../src/model/optimizer-state.js';
import { SIL } from '../src/text/silence.js';
import { UsageError, errorMessage } from '../src/util/errors.js';

function main(): void {
  const { values } = parseArgs({
    options: {
      audio: { type: 'string' },
      text: { type: 'string' },
      ref: { type: 'string' },
      clusters: { type: 'string', default: String(DEFAULT_DECIPHER.clusters) },
      seed: { type: 'string', default: '1' },
      'anneal-runs': { type: 'string', default: '2' },
    },
  });
  if (!values.audio || !values.text || !values.ref) throw new UsageError('give --audio, --text and --ref');
  const K = Number(values.clusters);
  const runs = Number(values['anneal-runs']);
  const seed = Number(values.seed);
  if (!(Number.isInteger(K) && K >= 2)) throw new UsageError(`--clusters must be an integer ≥ 2, got '${values.clusters}'`);
  if (!(Number.isInteger(runs) && runs >= 0)) throw new UsageError(`--anneal-runs must be an integer ≥ 0, got '${values['anneal-runs']}'`);

  const audio = loadAudioData(values.audio, { kind: 'change', stack: 1 });
  const text = loadTextData(values.text);
  const refsById = readTranscriptFile(values.ref);
  // The phones, segments and clusters of decipherSegments' first clustering.
  const { phones, lm } = phoneText(text.sentences, text.units);
  const phoneId = new Map(phones.map((u, p) => [text.units[u], p]));
  const segments = decipherSegmentFeatures(audio);
  const sequences = segmentClusters(standardiseSegments(segments), segments, K, updateSeed(seed, 1000));
  const cipher = cipherText(sequences, K);

  const scored: number[] = [];
  const refs: Int32Array[] = [];
  const unknown = new Set<string>();
  audio.examples.forEach((e, i) => {
    const ref = refsById.get(e.id);
    if (!ref) return;
    scored.push(i);
    for (const p of ref) if (p !== SIL && !phoneId.has(p)) unknown.add(p);
    refs.push(Int32Array.from(ref.filter((p) => phoneId.has(p)), (p) => phoneId.get(p)!));
  });
  if (scored.length === 0) throw new UsageError(`${values.ref}: no reference for any of the ${audio.examples.length} recordings in ${values.audio}`);
  const own = scored.map((i) => sequences[i]);
  const perOf = (map: Int32Array) => mappedPer(own, refs, map);
  const perSegment = (map: Int32Array) => mapScore(map, cipher, lm, DEFAULT_DECIPHER.unigramWeight) / cipher.N;

  console.log(`${audio.examples.length} recordings (${scored.length} with references), ${cipher.N} segments, ${K} clusters, ${phones.length} phones`);
  if (unknown.size > 0) console.log(`reference phones the text lacks (left out): ${[...unknown].join(' ')}`);
  const best = referenceMap(own, refs, K, phones.length);
  console.log(`reference map: PER ${pct(best.per)} with ${best.map.filter((p) => p < 0).length} clusters on no phone (${best.passes} passes)`);
  console.log(`reference map, every cluster on a phone: PER ${pct(best.perPhonesOnly)}, decipherment score ${perSegment(best.phonesOnly).toFixed(3)} per segment`);
  const majority = new Int32Array(K).fill(lm.unigram.indexOf(Math.max(...lm.unigram)));
  console.log(`every cluster on the text's most frequent phone: PER ${pct(perOf(majority))}, score ${perSegment(majority).toFixed(3)}`);
  const settings = annealSettings(DEFAULT_DECIPHER);
  for (let r = 0; r < runs; r++) {
    const t0 = Date.now();
    const res = runAnnealTask({ index: r, cipher, lm, settings, seed: updateSeed(seed, r) });
    console.log(`annealing run ${r + 1}: PER ${pct(perOf(res.map))}, score ${(res.score / cipher.N).toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

try {
  main();
} catch (e) {
  console.error(`decipher-ceiling: ${errorMessage(e)}`);
  process.exit(e instanceof UsageError ? 2 : 1);
}
