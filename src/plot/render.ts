/**
 * Rendering: Vega-Lite specs to SVG (headless, no native binaries), and compact terminal charts.
 * The renderers are optional peer dependencies, loaded on first use.
 * @packageDocumentation
 */
import type { VegaLiteSpec } from './charts.js';
import type { RangeTestResult } from '../finder/result.js';
import type { BoundsSuggestion } from '../analysis/curve.js';

async function load<T>(name: string, why: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    throw new Error(`tfjs-clr/plot: ${why} needs the package "${name}" (npm install ${name}); loading it failed: ${(e as Error).message}`);
  }
}

interface VegaModule {
  View: new (runtime: unknown, opts: { renderer: 'none' }) => { toSVG(): Promise<string>; finalize(): void };
  parse(spec: unknown): unknown;
}
interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}

/**
 * Renders a Vega-Lite spec to an SVG string with vega (no canvas, no browser: text widths are
 * estimated). Works in Node and in browsers.
 *
 * @example
 * ```ts
 * import { rangeTestChart, toSVG } from 'tfjs-clr/plot';
 * fs.writeFileSync('range-test.svg', await toSVG(rangeTestChart(result, suggestion)));
 * ```
 */
export async function toSVG(spec: VegaLiteSpec): Promise<string> {
  const vl = await load<VegaLiteModule>('vega-lite', 'toSVG');
  const vega = await load<VegaModule>('vega', 'toSVG');
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options of {@link terminalChart}. */
export interface TerminalChartOptions {
  /** Rows of the plot; default 10. */
  height?: number;
  /** Columns (the series is resampled to this many points); default 60. */
  width?: number;
}

interface AsciiChart {
  plot(series: number[] | number[][], cfg?: { height?: number; format?: (x: number) => string }): string;
}

/** Resamples a series to `width` points by averaging buckets (keeps nulls out). */
function resample(values: ReadonlyArray<number | null>, width: number): number[] {
  const finite = values.map((v) => (v === null || !Number.isFinite(v) ? NaN : v));
  if (finite.length <= width) return finite.filter(Number.isFinite);
  const out: number[] = [];
  for (let c = 0; c < width; c++) {
    const lo = Math.floor((c * finite.length) / width);
    const hi = Math.floor(((c + 1) * finite.length) / width);
    const bucket = finite.slice(lo, Math.max(hi, lo + 1)).filter(Number.isFinite);
    if (bucket.length) out.push(bucket.reduce((a, b) => a + b, 0) / bucket.length);
  }
  return out;
}

/** A compact line chart for the terminal (asciichart), of one series resampled to `width` columns. */
export async function terminalChart(values: ReadonlyArray<number | null>, opts: TerminalChartOptions = {}): Promise<string> {
  return plotAs('terminalChart', values, opts);
}

/** {@link terminalChart}, naming `caller` when asciichart is missing. */
async function plotAs(caller: string, values: ReadonlyArray<number | null>, opts: TerminalChartOptions): Promise<string> {
  const mod = await load<AsciiChart & { default?: AsciiChart }>('asciichart', caller);
  const chart = mod.default ?? mod;
  const series = resample(values, opts.width ?? 60);
  if (series.length < 2) return '(not enough points to plot)';
  return chart.plot(series, { height: opts.height ?? 10, format: (x: number) => x.toFixed(3).padStart(8) });
}

/**
 * A range test in the terminal: validation accuracy against the sweep (training accuracy or loss when
 * there is too little), an LR axis underneath, and the suggested bounds marked with `b` and `M` where
 * they fall inside the sweep.
 */
export async function rangeTestTerminal(
  result: RangeTestResult,
  suggestion?: BoundsSuggestion,
  opts: TerminalChartOptions = {},
): Promise<string> {
  const width = opts.width ?? 60;
  // Validation accuracy where there is enough of it (what the paper reads), else training accuracy or loss.
  const val = result.validation?.accuracy && result.validation.accuracy.length >= 10 ? result.validation : null;
  const series = val ? (val.accuracy as Array<number | null>) : result.accuracy ?? result.loss;
  const lrOf = val ? val.lr : result.lr;
  const name = val ? 'validation accuracy' : result.accuracy ? 'training accuracy' : 'training loss';
  const n = lrOf.length;
  const chart = await plotAs('rangeTestTerminal', series, { ...opts, width });
  const cols = Math.min(width, n);
  const marks = Array.from({ length: cols }, () => '─');
  // The column of the first point whose LR reached `lr` (the sweep only rises); none past its end.
  const col = (lr: number | null | undefined): number | null => {
    if (lr === null || lr === undefined) return null;
    const index = lrOf.findIndex((v) => v >= lr);
    return index < 0 ? null : Math.min(cols - 1, Math.floor((index * cols) / n));
  };
  const b = col(suggestion?.baseLR);
  const m = col(suggestion?.maxLR);
  if (b !== null) marks[b] = 'b';
  if (m !== null) marks[m] = 'M';
  const pad = ' '.repeat(10);
  const lrs = `${lrOf[0].toPrecision(3)} … ${lrOf[n - 1].toPrecision(3)}`;
  const lines = [`${name} against the LR sweep (${result.mode}, ${lrs}, ${n} ${val ? 'points' : 'batches'})`, chart, `${pad}${marks.join('')}`];
  if (suggestion && suggestion.baseLR !== null && suggestion.maxLR !== null) {
    lines.push(
      `${pad}b = baseLR ${suggestion.baseLR.toPrecision(3)}   M = maxLR ${suggestion.maxLR.toPrecision(3)} (${suggestion.maxLRReason}, confidence ${suggestion.confidence})`,
    );
  } else if (suggestion) {
    lines.push(`${pad}no bounds suggested (confidence ${suggestion.confidence}): ${suggestion.notes.join('; ')}`);
  }
  return lines.join('\n');
}
