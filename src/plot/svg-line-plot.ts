/**
 * Line plots as standalone SVG files (no dependencies; open in any browser).
 * Non-finite points are skipped, and on a log axis so are values ≤ 0; the
 * remaining points of a series are joined in the order given. Series with few
 * points also get a marker at each point, so a single point stays visible.
 */
import { writeFileAtomic } from '../util/fsx.js';
import { linearAxis, logAxis, type Axis } from './ticks.js';

export interface Series {
  name: string;
  points: [number, number][];
}

export interface LinePlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logY?: boolean;
}

const WIDTH = 760;
const HEIGHT = 440;
const FONT_PX = 12;
/** Rough advance of one character of a 12 px sans-serif font, for layout only. */
const CHAR_PX = 7;
const MAX_LEGEND_CHARS = 32;
/** Series with at most this many points get markers. */
const MARKER_MAX_POINTS = 40;
/** Okabe-Ito: distinguishable with the common colour-vision deficiencies. */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function legendName(name: string): string {
  return name.length > MAX_LEGEND_CHARS ? name.slice(0, MAX_LEGEND_CHARS - 1) + '…' : name;
}

/** The SVG document text. */
export function renderLinePlot(spec: LinePlotSpec): string {
  const usable = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!spec.logY || y > 0);
  const series = spec.series.map((s) => ({ name: s.name, points: s.points.filter(([x, y]) => usable(x, y)) }));
  const all = series.flatMap((s) => s.points);
  const empty = all.length === 0;
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const xAxis: Axis = empty ? linearAxis(0, 1) : linearAxis(Math.min(...xs), Math.max(...xs));
  const yAxis: Axis = spec.logY
    ? empty ? logAxis(1, 10) : logAxis(Math.min(...ys), Math.max(...ys))
    : empty ? linearAxis(0, 1) : linearAxis(Math.min(...ys), Math.max(...ys));

  const legendText = series.map((s) => legendName(s.name) + (s.points.length === 0 ? ' (no data)' : ''));
  const legendChars = Math.max(0, ...legendText.map((t) => t.length));
  const legendW = series.length > 0 ? 36 + legendChars * CHAR_PX : 0;
  const yLabelChars = Math.max(...yAxis.labels.map((l) => l.length));
  const left = 16 + FONT_PX + 12 + yLabelChars * CHAR_PX + 8;
  const right = WIDTH - 16 - legendW;
  const top = 44;
  const bottom = HEIGHT - 52;

  const ly = spec.logY ? Math.log10 : (v: number) => v;
  const px = (x: number) => left + ((x - xAxis.min) / (xAxis.max - xAxis.min)) * (right - left);
  const py = (y: number) => bottom - ((ly(y) - ly(yAxis.min)) / (ly(yAxis.max) - ly(yAxis.min))) * (bottom - top);

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT_PX}">`);
  out.push(`<title>${esc(spec.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(`<text x="${num((left + right) / 2)}" y="26" text-anchor="middle" font-size="16" font-weight="bold">${esc(spec.title)}</text>`);

  // Grid and tick labels.
  out.push('<g class="grid" stroke="#e0e0e0" stroke-width="1">');
  for (const t of xAxis.ticks) out.push(`<line x1="${num(px(t))}" y1="${top}" x2="${num(px(t))}" y2="${bottom}"/>`);
  for (const t of yAxis.ticks) out.push(`<line x1="${left}" y1="${num(py(t))}" x2="${right}" y2="${num(py(t))}"/>`);
  out.push('</g>');
  out.push('<g class="x-ticks" text-anchor="middle" fill="#333333">');
  xAxis.ticks.forEach((t, i) => out.push(`<text x="${num(px(t))}" y="${bottom + 18}">${esc(xAxis.labels[i])}</text>`));
  out.push('</g>');
  out.push('<g class="y-ticks" text-anchor="end" fill="#333333">');
  yAxis.ticks.forEach((t, i) => out.push(`<text x="${left - 6}" y="${num(py(t) + 4)}">${esc(yAxis.labels[i])}</text>`));
  out.push('</g>');
  out.push(`<rect x="${left}" y="${top}" width="${num(right - left)}" height="${bottom - top}" fill="none" stroke="#333333" stroke-width="1"/>`);
  out.push(`<text x="${num((left + right) / 2)}" y="${HEIGHT - 14}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  const yMid = (top + bottom) / 2;
  out.push(`<text x="${16 + FONT_PX}" y="${yMid}" text-anchor="middle" transform="rotate(-90 ${16 + FONT_PX} ${yMid})">${esc(spec.yLabel)}${spec.logY ? ' (log scale)' : ''}</text>`);
  if (empty) out.push(`<text x="${num((left + right) / 2)}" y="${yMid}" text-anchor="middle" fill="#888888" font-size="16">no data</text>`);

  // Series, then the legend.
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    if (s.points.length >= 2) {
      const d = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${num(px(x))} ${num(py(y))}`).join(' ');
      out.push(`<path class="series" data-name="${esc(s.name)}" d="${d}" fill="none" stroke="${colour}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"/>`);
    }
    if (s.points.length > 0 && s.points.length <= MARKER_MAX_POINTS) {
      out.push(`<g class="markers" fill="${colour}">`);
      const r = s.points.length === 1 ? 4 : 2.5;
      for (const [x, y] of s.points) out.push(`<circle cx="${num(px(x))}" cy="${num(py(y))}" r="${r}"/>`);
      out.push('</g>');
    }
  });
  if (series.length > 0) {
    out.push('<g class="legend">');
    series.forEach((_, i) => {
      const y = top + 10 + i * 20;
      const x = right + 14;
      out.push(`<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2.5"/>`);
      out.push(`<text x="${x + 24}" y="${y + 4}">${esc(legendText[i])}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Render and write atomically. */
export function writeLinePlot(path: string, spec: LinePlotSpec): void {
  writeFileAtomic(path, renderLinePlot(spec));
}
