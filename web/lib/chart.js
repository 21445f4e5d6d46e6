/**
 * Line charts of the training log as inline SVG, with the numbers also in a
 * table for screen readers and for copying. Colours are Okabe-Ito (as in the
 * run folder's plots/*.svg), distinguishable with common colour-vision deficiencies.
 */

const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const W = 720;
const H = 300;
const PAD = { left: 64, right: 16, top: 12, bottom: 40 };
const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @param {{title: string, keys: string[], logY?: boolean, records: object[], markStep?: number, markLabel?: string}} spec
 * @returns {HTMLElement | undefined} a <figure>, or undefined when no record has any of the keys
 */
export function lineChart(spec) {
  const series = spec.keys
    .map((key) => ({ key, points: spec.records.filter((r) => isNum(r[key]) && (!spec.logY || r[key] > 0)).map((r) => [r.step, r[key]]) }))
    .filter((s) => s.points.length > 0);
  if (series.length === 0) return undefined;
  const all = series.flatMap((s) => s.points);
  const xs = axis(Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0])), false);
  const ys = axis(Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1])), !!spec.logY);
  const px = (x) => PAD.left + ((x - xs.min) / (xs.max - xs.min)) * (W - PAD.left - PAD.right);
  const py = (y) => H - PAD.bottom - ((ys.f(y) - ys.f(ys.min)) / (ys.f(ys.max) - ys.f(ys.min))) * (H - PAD.top - PAD.bottom);

  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${spec.title}: line chart; the numbers are in the table below` });
  for (const t of ys.ticks) {
    svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: py(t), y2: py(t), class: 'grid' }));
    svg.append(text(PAD.left - 6, py(t) + 4, fmt(t), 'end'));
  }
  for (const t of xs.ticks) svg.append(text(px(t), H - PAD.bottom + 16, fmt(t), 'middle'));
  svg.append(text((PAD.left + W - PAD.right) / 2, H - 6, 'training update', 'middle'));
  svg.append(el('rect', { x: PAD.left, y: PAD.top, width: W - PAD.left - PAD.right, height: H - PAD.top - PAD.bottom, class: 'frame' }));
  if (isNum(spec.markStep) && spec.markStep >= xs.min && spec.markStep <= xs.max) {
    svg.append(el('line', { x1: px(spec.markStep), x2: px(spec.markStep), y1: PAD.top, y2: H - PAD.bottom, class: 'mark' }));
    svg.append(text(px(spec.markStep) + 4, PAD.top + 12, spec.markLabel ?? '', 'start'));
  }
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join('');
    svg.append(el('path', { d, fill: 'none', stroke: colour, 'stroke-width': 2 }));
    if (s.points.length <= 40) for (const p of s.points) svg.append(el('circle', { cx: px(p[0]), cy: py(p[1]), r: 2.5, fill: colour }));
  });

  const fig = document.createElement('figure');
  fig.className = 'chart';
  const cap = document.createElement('figcaption');
  cap.textContent = spec.title;
  const legend = document.createElement('ul');
  legend.className = 'legend';
  series.forEach((s, i) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = COLOURS[i % COLOURS.length];
    li.append(sw, ` ${s.key}`);
    legend.append(li);
  });
  fig.append(cap, svg, legend, dataTable(spec, series));
  return fig;
}

function dataTable(spec, series) {
  const details = document.createElement('details');
  const sum = document.createElement('summary');
  sum.textContent = 'The numbers';
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const h of ['update', ...series.map((s) => s.key)]) head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: h }));
  const body = table.createTBody();
  for (const r of spec.records) {
    if (!series.some((s) => isNum(r[s.key]))) continue;
    const row = body.insertRow();
    row.insertCell().textContent = String(r.step);
    for (const s of series) row.insertCell().textContent = isNum(r[s.key]) ? fmt(r[s.key]) : '';
  }
  details.append(sum, table);
  return details;
}

/** Axis range and about five round tick values; log axes tick at powers of ten (and 2×, 5× when there are few). */
function axis(lo, hi, log) {
  if (log) {
    const a = Math.floor(Math.log10(lo));
    const b = Math.ceil(Math.log10(hi));
    const ticks = [];
    for (let e = a; e <= b; e++) for (const m of b - a <= 2 ? [1, 2, 5] : [1]) if (m * 10 ** e >= 10 ** a && m * 10 ** e <= 10 ** b) ticks.push(m * 10 ** e);
    return { min: 10 ** a, max: b > a ? 10 ** b : 10 ** (a + 1), ticks, f: Math.log10 };
  }
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const ticks = [];
  for (let t = min; t <= max + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { min, max, ticks, f: (v) => v };
}

function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

function fmt(v) {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

function el(name, attrs) {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function text(x, y, s, anchor) {
  const t = el('text', { x, y, 'text-anchor': anchor });
  t.textContent = s;
  return t;
}
