/**
 * Phonemize a text corpus: normalise each line, phonemize every word type
 * once (context-free, as wav2vec-U does), and drop sentences that contain a
 * word with no pronunciation, since a sentence with a hole in it would teach
 * the model wrong phone sequences.
 */
import { startProgress } from '../util/progress.js';
import { normalizeText, splitWords, type NormalizeOptions } from './normalize.js';
import { UNMATCHED, type Phonemizer } from './phonemizer.js';

export interface PhonemizeOptions {
  normalize?: Partial<NormalizeOptions>;
  /** Word types per phonemizer call (default 2000). */
  batchSize?: number;
  /** Show progress on stderr (default false). */
  progress?: boolean;
}

export interface DroppedLine {
  /** 1-based line number in the input. */
  line: number;
  kind: 'empty' | 'unpronounceable';
  reason: string;
}

export interface PhonemizedText {
  /** Sentence → word → phones. Phone arrays are shared between tokens of a word: do not mutate them. */
  sentences: string[][][];
  /** The words of each sentence, parallel to `sentences`. */
  words: string[][];
  /** 1-based input line of each sentence. */
  lines: number[];
  dropped: DroppedLine[];
  /** Words with no pronunciation → number of occurrences. */
  oov: Map<string, number>;
  /** Profile gaps ("�x" tokens) in kept sentences → number of occurrences. */
  unmatched: Map<string, number>;
}

export async function phonemizeSentences(lines: string[], p: Phonemizer, opts: PhonemizeOptions = {}): Promise<PhonemizedText> {
  const tokenized = lines.map((l) => splitWords(normalizeText(l, opts.normalize)));
  const types = [...new Set(tokenized.flat())];

  const pron = new Map<string, string[] | null>();
  const batch = Math.max(1, opts.batchSize ?? 2000);
  const progress = opts.progress ? startProgress(`phonemizing (${p.name})`, types.length) : undefined;
  for (let i = 0; i < types.length; i += batch) {
    const chunk = types.slice(i, i + batch);
    const result = await p.phonemizeWords(chunk);
    chunk.forEach((w, j) => pron.set(w, result[j]));
    progress?.tick(chunk.length);
  }
  progress?.stop();

  const out: PhonemizedText = { sentences: [], words: [], lines: [], dropped: [], oov: new Map(), unmatched: new Map() };
  tokenized.forEach((words, i) => {
    const line = i + 1;
    if (words.length === 0) {
      out.dropped.push({ line, kind: 'empty', reason: 'empty after normalisation' });
      return;
    }
    const missing = words.filter((w) => !pron.get(w)?.length);
    if (missing.length > 0) {
      for (const w of missing) out.oov.set(w, (out.oov.get(w) ?? 0) + 1);
      out.dropped.push({ line, kind: 'unpronounceable', reason: `no pronunciation for ${[...new Set(missing)].map((w) => `"${w}"`).join(', ')}` });
      return;
    }
    const phones = words.map((w) => pron.get(w)!);
    for (const ph of phones.flat()) if (ph.startsWith(UNMATCHED)) out.unmatched.set(ph, (out.unmatched.get(ph) ?? 0) + 1);
    out.sentences.push(phones);
    out.words.push(words);
    out.lines.push(line);
  });
  return out;
}
