/**
 * Axis ranges and tick positions: "nice" steps (1, 2, 2.5, 5 × 10^k) on a
 * linear axis, decades (with 2 and 5 between when few) on a log axis.
 */
export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  labels: string[];
}

/** Values closer than this (relative to the step) are one tick: guards against 0.1+0.2-style drift. */
const TICK_EPS = 1e-9;

function niceStep(range: number, maxTicks: number): number {
  const raw = range / maxTicks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
}

/** Widen an empty range (a single value or a constant series) so it has ticks around the value. */
function widen(min: number, max: number): [number, number] {
  if (max > min) return [min, max];
  const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
  return [min - pad, max + pad];
}

export function linearAxis(dataMin: number, dataMax: number, maxTicks = 6): Axis {
  const [lo, hi] = widen(dataMin, dataMax);
  const step = niceStep(hi - lo, maxTicks);
  const first = Math.floor(lo / step + TICK_EPS);
  const last = Math.ceil(hi / step - TICK_EPS);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { min: ticks[0], max: ticks[ticks.length - 1], ticks, labels: formatLinearTicks(ticks) };
}

/** Same decimals for every label of an axis (0.5, 1.0, 1.5), exponent form for very large or small values. */
function formatLinearTicks(ticks: number[]): string[] {
  const big = Math.max(...ticks.map(Math.abs));
  if (big >= 1e6 || (big > 0 && big < 1e-3)) return ticks.map((t) => (t === 0 ? '0' : compactExponent(t)));
  const decimals = Math.max(...ticks.map((t) => (String(t).split('.')[1] ?? '').length));
  return ticks.map((t) => t.toFixed(decimals));
}

function compactExponent(v: number): string {
  return Number(v.toPrecision(6)).toExponential().replace('e+', 'e');
}

/** `dataMin` must be > 0. */
export function logAxis(dataMin: number, dataMax: number): Axis {
  let lo = Math.floor(Math.log10(dataMin) + TICK_EPS);
  let hi = Math.ceil(Math.log10(dataMax) - TICK_EPS);
  // Only when all values are one exact power of ten: put it mid-axis.
  if (hi === lo) {
    lo -= 1;
    hi += 1;
  }
  // At most ~8 labelled decades; the axis ends on a labelled one.
  const every = Math.ceil((hi - lo) / 8);
  hi = lo + every * Math.ceil((hi - lo) / every);
  const decades = hi - lo;
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += every) {
    ticks.push(Number((10 ** e).toPrecision(12)));
    // With one or two decades, decades alone are too sparse to read values off.
    if (decades <= 2 && e < hi) for (const m of [2, 5]) ticks.push(Number((m * 10 ** e).toPrecision(12)));
  }
  return { min: 10 ** lo, max: 10 ** hi, ticks, labels: ticks.map(formatLogTick) };
}

function formatLogTick(v: number): string {
  const e = Math.floor(Math.log10(v) + TICK_EPS);
  return Math.abs(e) >= 5 ? compactExponent(v) : String(v);
}
