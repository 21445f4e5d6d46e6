/**
 * Reading the user's text files (corpora, lexicons, profiles) with errors
 * that name the file and say what to do.
 */
import { readFileSync } from 'node:fs';
import { InputFileError, errorMessage } from '../util/errors.js';

/** Read a UTF-8 text file a user gave us, with errors that name it. */
export function readUserText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputFileError(path, code === 'ENOENT' ? 'file not found' : `cannot read (${errorMessage(e)})`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputFileError(path, 'not valid UTF-8 text; save it as UTF-8 and try again');
  }
}

/** Lines of a text file; a final newline does not add an empty line. */
export function readUserLines(path: string): string[] {
  const lines = readUserText(path).split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
