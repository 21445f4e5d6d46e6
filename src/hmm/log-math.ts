/** Log-domain arithmetic: probabilities of long utterances underflow in linear space. */

/** ln(e^a + e^b), exact for −∞ operands. */
export function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** ln Σ e^x[i] over [start, end); −∞ for an empty range or all −∞. */
export function logSumExp(x: ArrayLike<number>, start = 0, end = x.length): number {
  let max = -Infinity;
  for (let i = start; i < end; i++) if (x[i] > max) max = x[i];
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let i = start; i < end; i++) s += Math.exp(x[i] - max);
  return max + Math.log(s);
}
