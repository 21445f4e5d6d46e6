/**
 * Reserved tokens and the n-gram key format shared by training, lookup and ARPA I/O.
 */
export const BOS = '<s>';
export const EOS = '</s>';
export const UNK = '<unk>';

/**
 * Separator inside n-gram keys. Tokens are whitespace-free strings from text
 * files; U+0001 is a control character no tokenizer produces, and one
 * Map<string, …> lookup per order keeps logProb at O(order) hash lookups.
 */
export const KEY_SEP = '\u0001';

/** Natural log of 10, for converting to and from ARPA's log10 values. */
export const LN10 = Math.LN10;

/** Why a token cannot be used as an LM word, or undefined when it can. */
export function tokenProblem(token: string): string | undefined {
  if (token.length === 0) return 'empty token';
  if (/\s/u.test(token)) return `token ${JSON.stringify(token)} contains whitespace`;
  if (token.includes(KEY_SEP)) return `token ${JSON.stringify(token)} contains the control character U+0001`;
  if (token === BOS || token === EOS)
    return `token ${token} is reserved (sentence start and end are added automatically)`;
  return undefined;
}
