import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linearAxis, logAxis, renderLinePlot, writeLinePlot, readMetricsJsonl, plotMetricsJsonl } from '../../src/plot/index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fieldphone-plot-'));
});

/** A small well-formedness check: declaration, balanced tags, quoted attributes, only the five entities. */
function assertWellFormedXml(svg: string): void {
  expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const body = svg.slice(svg.indexOf('\n') + 1);
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|#39);[^"<&]*)*")*)\s*(\/?)>/y;
  const stack: string[] = [];
  let i = 0;
  let roots = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = body.slice(i, lt < 0 ? body.length : lt);
    expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
    expect(text).not.toContain('>');
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (!m) throw new Error(`malformed tag at ${lt}: ${body.slice(lt, lt + 60)}`);
    const [, close, name, , selfClose] = m;
    if (close) expect(stack.pop()).toBe(name);
    else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
    i = tag.lastIndex;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

function textsOf(svg: string, group: string): string[] {
  const g = new RegExp(`<g class="${group}"[^>]*>([\\s\\S]*?)</g>`).exec(svg);
  if (!g) return [];
  return [...g[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

function pathPointCounts(svg: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of svg.matchAll(/<path class="series" data-name="([^"]*)" d="([^"]*)"/g)) out[m[1]] = m[2].split(/[ML]/).filter((s) => s.trim()).length;
  return out;
}

describe('axes', () => {
  it('chooses nice linear ticks that cover the data', () => {
    expect(linearAxis(0, 1000).ticks).toEqual([0, 200, 400, 600, 800, 1000]);
    const a = linearAxis(0.3, 0.75); // range 0.45 / 6 = 0.075 → step 0.1
    expect(a.ticks).toEqual([0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    expect(a.labels).toEqual(['0.3', '0.4', '0.5', '0.6', '0.7', '0.8']);
    expect(linearAxis(0, 10).labels).toEqual(['0', '2', '4', '6', '8', '10']); // 10 / 6 = 1.67 → step 2
    expect(linearAxis(0, 15).labels).toEqual(['0.0', '2.5', '5.0', '7.5', '10.0', '12.5', '15.0']); // 15 / 6 = 2.5
    expect(linearAxis(-3, 2).ticks).toEqual([-3, -2, -1, 0, 1, 2]);
    expect(linearAxis(0, 4e6).labels).toEqual(['0', '1e6', '2e6', '3e6', '4e6']);
  });

  it('widens a constant range around the value', () => {
    // 5 ± 10% → [4.5, 5.5], step 0.2 → 4.4 … 5.6
    const a = linearAxis(5, 5);
    expect(a.ticks).toEqual([4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]);
    expect(a.labels[3]).toBe('5.0');
    expect(linearAxis(0, 0).ticks).toEqual([-1, -0.5, 0, 0.5, 1]);
  });

  it('puts log ticks on decades, with 2 and 5 when the range is short', () => {
    expect(logAxis(3, 4000).ticks).toEqual([1, 10, 100, 1000, 10000]);
    expect(logAxis(2, 8).ticks).toEqual([1, 2, 5, 10]);
    expect(logAxis(10, 10).ticks).toEqual([1, 2, 5, 10, 20, 50, 100]);
    const wide = logAxis(1e-7, 1e9); // 16 decades → every 2nd labelled
    expect(wide.ticks.length).toBe(9);
    expect(wide.labels[0]).toBe('1e-7');
    expect(wide.labels[wide.labels.length - 1]).toBe('1e9');
    expect(wide.labels).toContain('0.001');
  });
});

describe('renderLinePlot', () => {
  it('draws each series as a path through its finite points, with ticks, labels and a legend', () => {
    const svg = renderLinePlot({
      title: 'Loss <train> & "valid"',
      xLabel: 'step',
      yLabel: 'loss',
      series: [
        { name: 'd_loss', points: [[0, 1], [250, 0.5], [500, NaN], [750, 0.25], [1000, 0]] },
        { name: 'g_loss', points: [[0, 0.2], [1000, Infinity], [500, 0.7]] },
      ],
    });
    assertWellFormedXml(svg);
    expect(svg).toContain('Loss &lt;train&gt; &amp; &quot;valid&quot;');
    expect(pathPointCounts(svg)).toEqual({ d_loss: 4, g_loss: 2 });
    expect(textsOf(svg, 'x-ticks')).toEqual(['0', '200', '400', '600', '800', '1000']);
    expect(textsOf(svg, 'y-ticks')).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(textsOf(svg, 'legend')).toEqual(['d_loss', 'g_loss']);
  });

  it('maps data to the plot frame: the axis extremes sit on the frame edges', () => {
    const svg = renderLinePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [[0, 0], [1000, 1]] }] });
    const frame = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/.exec(svg)!;
    const [x0, y0, w, h] = frame.slice(1).map(Number);
    const d = /<path class="series"[^>]* d="M([\d.]+) ([\d.]+) L([\d.]+) ([\d.]+)"/.exec(svg)!.slice(1).map(Number);
    expect(d[0]).toBeCloseTo(x0, 1);
    expect(d[1]).toBeCloseTo(y0 + h, 1);
    expect(d[2]).toBeCloseTo(x0 + w, 1);
    expect(d[3]).toBeCloseTo(y0, 1);
  });

  it('shows a single point as a marker in the middle of a widened range', () => {
    const svg = renderLinePlot({ title: 'one', xLabel: 'x', yLabel: 'y', series: [{ name: 'p', points: [[1000, 0.42]] }] });
    assertWellFormedXml(svg);
    expect(pathPointCounts(svg)).toEqual({});
    const [x0, y0, w, h] = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/.exec(svg)!.slice(1).map(Number);
    const [cx, cy] = /<circle cx="([\d.]+)" cy="([\d.]+)"/.exec(svg)!.slice(1).map(Number);
    expect(cx).toBeCloseTo(x0 + w / 2, 1); // x axis 900 … 1100
    expect(cy).toBeCloseTo(y0 + h / 2, 1); // y axis 0.36 … 0.48
    expect(textsOf(svg, 'x-ticks')).toEqual(['900', '950', '1000', '1050', '1100']);
  });

  it('skips values ≤ 0 on a log axis and says when there is nothing to draw', () => {
    const svg = renderLinePlot({ title: 'ppl', xLabel: 'step', yLabel: 'ppl', logY: true, series: [{ name: 'ppl', points: [[0, 0], [1, 30], [2, -1], [3, 3000]] }] });
    assertWellFormedXml(svg);
    expect(pathPointCounts(svg)).toEqual({ ppl: 2 });
    expect(textsOf(svg, 'y-ticks')).toEqual(['10', '100', '1000', '10000']);
    const none = renderLinePlot({ title: 'n', xLabel: 'x', yLabel: 'y', series: [{ name: 'gone', points: [[0, NaN]] }] });
    assertWellFormedXml(none);
    expect(none).toContain('>no data</text>');
    expect(textsOf(none, 'legend')).toEqual(['gone (no data)']);
  });

  it('writes the file atomically', () => {
    const path = join(dir, 'sub', 'plot.svg');
    writeLinePlot(path, { title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [[0, 1], [1, 2]] }] });
    assertWellFormedXml(readFileSync(path, 'utf8'));
    expect(readdirSync(join(dir, 'sub'))).toEqual(['plot.svg']);
  });
});

describe('metrics JSONL', () => {
  it('reads records, skips broken lines, and ignores a truncated last line', () => {
    const path = join(dir, 'metrics.jsonl');
    writeFileSync(
      path,
      [
        '{"step": 0, "d_loss": 1.4, "g_loss": 0.7}',
        '',
        '{"step": 100, "d_loss": 1.1, "g_loss": 0.9, "weighted_ppl": 300}',
        '{"step": 200, "d_lo', // crash mid-line …
        '{"step": 150, "d_loss": 1.2}', // … then a run resumed from step 150
        '[1, 2]',
        '{"d_loss": 3}',
        '{"step": 200, "d_loss": 0.8, "g_loss": 1.0, "weighted_ppl": 120}',
        '{"step": 300, "d_loss": 0.6, "g_lo',
      ].join('\n'),
    );
    const log = readMetricsJsonl(path);
    expect(log.records.map((r) => r.step)).toEqual([0, 100, 150, 200]);
    expect(log.skippedLines).toEqual([4, 6, 7]);

    const written = plotMetricsJsonl(path, join(dir, 'plots'), [
      { file: 'losses.svg', title: 'Losses', keys: ['d_loss', 'g_loss'] },
      { file: 'ppl.svg', title: 'Weighted LM perplexity', keys: ['weighted_ppl'], logY: true },
    ]);
    expect(written).toEqual([join(dir, 'plots', 'losses.svg'), join(dir, 'plots', 'ppl.svg')]);
    const losses = readFileSync(written[0], 'utf8');
    assertWellFormedXml(losses);
    expect(pathPointCounts(losses)).toEqual({ d_loss: 4, g_loss: 3 });
    const ppl = readFileSync(written[1], 'utf8');
    expect(pathPointCounts(ppl)).toEqual({ weighted_ppl: 2 });
    expect(ppl).toContain('weighted_ppl (log scale)');
  });

  it('lets a later record for the same step win and orders by step', () => {
    const path = join(dir, 'resumed.jsonl');
    writeFileSync(path, '{"step": 0, "x": 1}\n{"step": 20, "x": 9}\n{"step": 10, "x": 2}\n{"step": 20, "x": 3}\n');
    const [out] = plotMetricsJsonl(path, dir, [{ file: 'x.svg', title: 'x', keys: ['x'] }]);
    const svg = readFileSync(out, 'utf8');
    const ys = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => Number(m[2]));
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs.length).toBe(3);
    expect(xs[0]).toBeLessThan(xs[1]);
    expect(xs[1]).toBeLessThan(xs[2]);
    // x values 1, 2, 3 rise steadily: equal pixel steps upwards.
    expect(ys[0] - ys[1]).toBeCloseTo(ys[1] - ys[2], 1);
    expect(ys[0]).toBeGreaterThan(ys[2]);
  });

  it('names a missing log file', () => {
    expect(() => readMetricsJsonl(join(dir, 'nope.jsonl'))).toThrow(/nope\.jsonl: file is missing/);
  });
});
