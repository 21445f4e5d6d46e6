import { InputFileError } from '../util/errors.js';
import { readUserText } from '../text/user-text.js';

/**
 * Read a Kaldi-style text file: "utt_id tok tok tok" per line, separated by spaces or tabs.
 * Blank lines are skipped; an id alone on its line is an empty transcript. Tokens are
 * NFC-normalised so precomposed and decomposed IPA compare equal. A repeated id is an error
 * (which of the two lines would be meant?).
 */
export function readTranscriptFile(path: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const firstLine = new Map<string, number>();
  readUserText(path)
    .split(/\r?\n/)
    .forEach((line, i) => {
      const fields = line.normalize('NFC').split(/[ \t]+/).filter((f) => f.length > 0);
      if (fields.length === 0) return;
      const [id, ...tokens] = fields;
      const earlier = firstLine.get(id);
      if (earlier !== undefined)
        throw new InputFileError(path, `line ${i + 1}: utterance id '${id}' already appeared on line ${earlier}`, 'duplicate-id');
      firstLine.set(id, i + 1);
      out.set(id, tokens);
    });
  return out;
}
