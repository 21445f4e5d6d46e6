/**
 * NIST CTM ("time-marked conversation"), what sclite and Kaldi scoring read:
 * one token per line, `<file> <channel> <begin> <duration> <token> [<conf>]`,
 * in time order. Kaldi uses channel 1.
 */
import type { TimedLabel } from './tiers.js';

/** Milliseconds: finer than a 10 ms frame, and begin + duration adds up exactly. */
const ms = (sec: number) => Math.round(sec * 1000);
const sec3 = (m: number) => (m / 1000).toFixed(3);

/**
 * CTM lines for one recording. Whitespace inside a token (an out-of-lexicon
 * stretch written as its phones) and in the id becomes '_', since CTM fields
 * are whitespace-separated. Tokens shorter than 1 ms after rounding are left out.
 */
export function renderCtm(id: string, labels: TimedLabel[]): string {
  const field = (s: string) => s.trim().replace(/\s+/g, '_');
  return [...labels]
    .sort((a, b) => a.start - b.start)
    .filter((x) => ms(x.end) > ms(x.start))
    .map((x) => {
      const conf = x.conf === undefined ? '' : ` ${Math.min(1, Math.max(0, x.conf)).toFixed(4)}`;
      return `${field(id)} 1 ${sec3(ms(x.start))} ${sec3(ms(x.end) - ms(x.start))} ${field(x.label)}${conf}\n`;
    })
    .join('');
}
