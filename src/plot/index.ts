/** Dependency-free SVG line plots, and plots of JSONL training-metric logs. */
export { renderLinePlot, writeLinePlot, type LinePlotSpec, type Series } from './svg-line-plot.js';
export { linearAxis, logAxis, type Axis } from './ticks.js';
export { readMetricsJsonl, plotMetricsJsonl, type MetricRecord, type MetricsLog, type MetricPlotSpec } from './metrics-jsonl.js';
