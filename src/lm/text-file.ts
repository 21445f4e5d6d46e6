import { InputFileError } from '../util/errors.js';
import { readUserText } from '../text/user-text.js';
import { tokenProblem } from './tokens.js';

/**
 * Read LM training or test text: one sentence per line, tokens separated by spaces or tabs.
 * Blank lines are skipped (they separate paragraphs, they are not empty sentences). Tokens are
 * NFC-normalised so precomposed and decomposed IPA compare equal.
 */
export function readSentencesFile(path: string): string[][] {
  const text = readUserText(path);
  const sentences: string[][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const toks = line.normalize('NFC').split(/[ \t]+/).filter((t) => t.length > 0);
    if (toks.length === 0) return;
    for (const t of toks) {
      const problem = tokenProblem(t);
      if (problem) throw new InputFileError(path, `line ${i + 1}: ${problem}`, 'bad-lm-text');
    }
    sentences.push(toks);
  });
  if (sentences.length === 0) throw new InputFileError(path, 'contains no sentences (every line is blank)', 'empty-lm-text');
  return sentences;
}

