/**
 * ARPA back-off language model files: log10 probabilities and backoff weights per n-gram.
 *
 *   \data\
 *   ngram 1=5
 *   ngram 2=7
 *
 *   \1-grams:
 *   -1.2041  a  -0.3010
 *   …
 *   \end\
 */
import { UsageError, InputFileError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import { BackoffNgramLM, type NgramLM } from './backoff-model.js';
import { BOS, EOS, KEY_SEP, LN10, UNK } from './tokens.js';
import { readUserText } from '../text/user-text.js';

/**
 * Decimal places written: rounding a log10 value by at most 5e-9 changes a probability by
 * about 1e-8 (relative), far below anything that matters to scoring.
 */
const ARPA_DECIMALS = 8;

/** KenLM's probability for <unk> when an ARPA file has none (log10). */
const MISSING_UNK_LOG10 = -100;

function formatLog10(lnValue: number): string {
  if (lnValue === -Infinity) return '-inf';
  const s = (lnValue / LN10).toFixed(ARPA_DECIMALS).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** Write the model in ARPA format (atomically). */
export function writeArpa(lm: NgramLM, path: string): void {
  if (!(lm instanceof BackoffNgramLM))
    throw new UsageError('writeArpa needs a model made by trainNgram or readArpa');
  const out: string[] = ['\\data\\'];
  for (let n = 1; n <= lm.order; n++) out.push(`ngram ${n}=${lm.logProbs[n - 1].size}`);
  for (let n = 1; n <= lm.order; n++) {
    out.push('', `\\${n}-grams:`);
    const backoffs = n < lm.order ? lm.backoffs[n - 1] : undefined;
    for (const [key, lp] of lm.logProbs[n - 1]) {
      const words = key.split(KEY_SEP).join(' ');
      const bo = backoffs?.get(key);
      out.push(bo === undefined ? `${formatLog10(lp)}\t${words}` : `${formatLog10(lp)}\t${words}\t${formatLog10(bo)}`);
    }
  }
  out.push('', '\\end\\', '');
  writeFileAtomic(path, out.join('\n'));
}

/**
 * Read any standard ARPA file (ours, KenLM's, SRILM's). Errors name the file and line.
 * A file without <unk> gets one at log10 probability −100, as KenLM does, so that words
 * outside the vocabulary score very badly instead of failing.
 */
export function readArpa(path: string): BackoffNgramLM {
  const lines = readUserText(path).split(/\r?\n/);
  const fail = (lineIdx: number, msg: string): never => {
    throw new InputFileError(path, `line ${lineIdx + 1}: ${msg}`, 'bad-arpa');
  };

  let i = 0;
  while (i < lines.length && lines[i].trim() !== '\\data\\') i++;
  if (i === lines.length) throw new InputFileError(path, 'not an ARPA language model (no \\data\\ line)', 'bad-arpa');
  i++;

  const declared: number[] = [];
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const m = /^ngram\s+(\d+)\s*=\s*(\d+)$/.exec(line);
    if (!m) break;
    const n = Number(m[1]);
    if (n !== declared.length + 1) fail(i, `expected 'ngram ${declared.length + 1}=…', found '${line}'`);
    declared.push(Number(m[2]));
  }
  if (declared.length === 0) fail(i, 'no "ngram N=count" lines after \\data\\');
  const order = declared.length;

  const logProbs: Map<string, number>[] = Array.from({ length: order }, () => new Map());
  const backoffs: Map<string, number>[] = Array.from({ length: order - 1 }, () => new Map());
  let unigramWords = new Set<string>();

  for (let n = 1; n <= order; n++) {
    while (i < lines.length && lines[i].trim() === '') i++;
    if (i === lines.length) fail(i - 1, `file ends before the \\${n}-grams: section`);
    if (lines[i].trim() !== `\\${n}-grams:`) fail(i, `expected '\\${n}-grams:', found '${lines[i].trim()}'`);
    i++;
    const probs = logProbs[n - 1];
    for (; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '') continue;
      if (line.startsWith('\\')) break;
      const f = line.split(/\s+/);
      if (f.length !== n + 1 && !(n < order && f.length === n + 2))
        fail(i, `a ${n}-gram line needs ${n < order ? `${n + 1} or ${n + 2}` : n + 1} fields (log10 prob, ${n} word${n > 1 ? 's' : ''}${n < order ? ', optional backoff' : ''}), found ${f.length}`);
      const words = f.slice(1, n + 1);
      if (n > 1) for (const w of words) if (!unigramWords.has(w)) fail(i, `word '${w}' is not among the 1-grams`);
      const key = words.join(KEY_SEP);
      if (probs.has(key)) fail(i, `duplicate ${n}-gram '${words.join(' ')}'`);
      const lp = parseLog10(f[0]);
      if (Number.isNaN(lp) || lp > 0) fail(i, `bad log10 probability '${f[0]}'`);
      probs.set(key, lp * LN10);
      if (f.length === n + 2) {
        // Backoff weights may exceed 1 (positive log10) in non-KN models, so only the number itself is checked.
        const bo = parseLog10(f[n + 1]);
        if (Number.isNaN(bo)) fail(i, `bad log10 backoff weight '${f[n + 1]}'`);
        backoffs[n - 1].set(key, bo * LN10);
      }
    }
    if (probs.size !== declared[n - 1])
      fail(Math.min(i, lines.length - 1), `\\data\\ declares ${declared[n - 1]} ${n}-grams but the section has ${probs.size}`);
    if (n === 1) unigramWords = new Set(probs.keys());
  }
  while (i < lines.length && lines[i].trim() === '') i++;
  if (i === lines.length || lines[i].trim() !== '\\end\\')
    fail(Math.min(i, lines.length - 1), i < lines.length ? `expected '\\end\\', found '${lines[i].trim()}'` : 'file ends without \\end\\ (truncated?)');

  for (const w of [BOS, EOS]) if (!unigramWords.has(w)) throw new InputFileError(path, `has no ${w} 1-gram; it is not a sentence-level language model`, 'bad-arpa');
  if (!unigramWords.has(UNK)) logProbs[0].set(UNK, MISSING_UNK_LOG10 * LN10);
  return new BackoffNgramLM(order, [...logProbs[0].keys()], logProbs, backoffs);
}

/** A log10 value as ARPA writers print it ('-inf' included); NaN when it is not a number. */
function parseLog10(s: string): number {
  if (s === '-inf' || s === '-Infinity') return -Infinity;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}
