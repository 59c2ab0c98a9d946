/**
 * Vega-Lite chart specifications for range tests, schedules and accuracy curves. Pure data in, pure
 * JSON out: render them with {@link toSVG} (Node or browser), or in a page with vega-embed.
 * @packageDocumentation
 */
import type { RangeTestResult } from '../finder/result.js';
import type { BoundsSuggestion } from '../analysis/curve.js';
import { smoothZeroPhase } from '../analysis/stats.js';

/** A Vega-Lite specification (plain JSON). */
export type VegaLiteSpec = { [key: string]: unknown };

/** Common chart options. */
export interface ChartOptions {
  title?: string;
  /** Width of each panel in pixels; default 560. */
  width?: number;
  /** Height of each panel in pixels; default 220. */
  height?: number;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const fmt = (v: number): string => (Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toPrecision(3) : v.toExponential(2));

/** Smooths the finite run of a series (nulls stay null), with the same filter suggestBounds uses. */
function smoothed(values: ReadonlyArray<number | null>): Array<number | null> {
  const out: Array<number | null> = values.map(() => null);
  let k = 0;
  while (k < values.length) {
    if (values[k] === null) {
      k++;
      continue;
    }
    let end = k;
    while (end < values.length && values[end] !== null) end++;
    const run = values.slice(k, end) as number[];
    const s = smoothZeroPhase(run, Math.max(1, Math.round(run.length / 40)));
    s.forEach((v, j) => (out[k + j] = v));
    k = end;
  }
  return out;
}

/**
 * Vertical rules with labels at the suggested bounds (nothing when there is no suggestion). The labels
 * sit between the rules, on two lines, so neither runs off the plot into the legend.
 */
function boundMarks(suggestion: BoundsSuggestion | undefined): VegaLiteSpec[] {
  if (!suggestion || suggestion.baseLR === null || suggestion.maxLR === null) return [];
  const bounds: Array<[number, string, string, 'left' | 'right', number]> = [
    [suggestion.baseLR, `baseLR ${fmt(suggestion.baseLR)}`, '#2ca02c', 'left', 2],
    [suggestion.maxLR, `maxLR ${fmt(suggestion.maxLR)} (${suggestion.maxLRReason})`, '#d62728', 'right', 16],
  ];
  return bounds.flatMap(([lr, label, color, align, y]) => [
    {
      data: { values: [{ lr }] },
      mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 2, color },
      encoding: { x: { field: 'lr', type: 'quantitative' } },
    },
    {
      data: { values: [{ lr, label }] },
      mark: { type: 'text', align, dx: align === 'left' ? 4 : -4, baseline: 'top', fontSize: 11, fontWeight: 'bold', y, color },
      encoding: { x: { field: 'lr', type: 'quantitative' }, text: { field: 'label' } },
    },
  ]);
}

/**
 * Accuracy and loss against the learning rate of a range test (raw per batch, smoothed, and
 * validation points), with the suggested bounds marked. Log LR axis for exponential sweeps. After a
 * zero-config test a third panel shows the probe's loss against log LR (what the default rule reads).
 */
export function rangeTestChart(result: RangeTestResult, suggestion?: BoundsSuggestion, opts: ChartOptions = {}): VegaLiteSpec {
  const width = opts.width ?? 560;
  const height = opts.height ?? 220;
  const xScale = result.mode === 'exponential' ? { type: 'log' } : { zero: false };
  const x = { field: 'lr', type: 'quantitative', title: 'learning rate', scale: xScale, axis: { format: '~g' } };
  const rows = sweepRows(result);
  const seriesColor = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: {
      domain: ['training (per batch)', 'training (smoothed)', 'validation'],
      range: ['#9ecae1', '#1f77b4', '#ff7f0e'],
    },
  };
  const panel = (metric: string): VegaLiteSpec => ({
    width,
    height,
    layer: [
      {
        data: { values: rows.filter((r) => r.metric === metric) },
        mark: { type: 'line', point: false, clip: true },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } }, color: seriesColor },
      },
      ...boundMarks(suggestion),
    ],
  });
  const stop =
    result.stopReason === 'completed' || result.stopReason === 'end-of-fit'
      ? `${result.lr.length} batches`
      : `stopped at batch ${result.stoppedAt} (${result.stopReason})`;
  const probe = result.probe;
  return {
    $schema: SCHEMA,
    title: opts.title ?? `LR range test (${result.mode}, ${fmt(result.minLR)} → ${fmt(result.maxLR)}, ${stop})`,
    vconcat: [
      ...(result.accuracy || result.validation?.accuracy ? [panel('accuracy')] : []),
      panel('loss'),
      ...(probe ? [probePanel(probe, suggestion, width, height)] : []),
    ],
    resolve: { scale: { color: 'independent' } },
    config: { view: { stroke: null }, axis: { grid: true } },
  };
}

/** The sweep's points, one row per (metric, series, batch): training per batch and smoothed, validation. */
function sweepRows(result: RangeTestResult): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  const add = (metric: string, series: string, values: ReadonlyArray<number | null>, lrs: readonly number[]) =>
    values.forEach((v, k) => {
      if (v !== null) rows.push({ lr: lrs[k], metric, series, value: v });
    });
  if (result.accuracy) {
    add('accuracy', 'training (per batch)', result.accuracy, result.lr);
    add('accuracy', 'training (smoothed)', smoothed(result.accuracy), result.lr);
  }
  add('loss', 'training (per batch)', result.loss, result.lr);
  add('loss', 'training (smoothed)', smoothed(result.loss), result.lr);
  if (result.validation) {
    if (result.validation.accuracy) add('accuracy', 'validation', result.validation.accuracy, result.validation.lr);
    add('loss', 'validation', result.validation.loss, result.validation.lr);
  }
  return rows;
}

/** The zero-config test's probe: its loss against log LR, which the default rule reads. */
function probePanel(probe: RangeTestResult, suggestion: BoundsSuggestion | undefined, width: number, height: number): VegaLiteSpec {
  const values: Array<Record<string, unknown>> = [];
  const sm = smoothed(probe.loss);
  probe.loss.forEach((v, k) => {
    const lr = probe.lr[k];
    if (v !== null) values.push({ lr, series: 'probe (per batch)', value: v });
    if (sm[k] !== null) values.push({ lr, series: 'probe (smoothed)', value: sm[k] });
  });
  return {
    width,
    height,
    title: { text: 'probe: loss against the LR (exponential, log axis)', fontSize: 12 },
    layer: [
      {
        data: { values },
        mark: { type: 'line', clip: true },
        encoding: {
          x: { field: 'lr', type: 'quantitative', title: 'learning rate (probe)', scale: { type: 'log' }, axis: { format: '~g' } },
          y: { field: 'value', type: 'quantitative', title: 'loss', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['probe (per batch)', 'probe (smoothed)'], range: ['#c7e9c0', '#31a354'] } },
        },
      },
      ...boundMarks(suggestion),
    ],
  };
}

/** A schedule's record: the LR (and momentum) each batch used, e.g. a callback's `history`. */
export interface ScheduleRecord {
  lr: readonly number[];
  momentum?: readonly number[];
  iteration?: readonly number[];
}

/** The learning rate (and momentum, if recorded) against the batch index. */
export function scheduleChart(record: ScheduleRecord, opts: ChartOptions = {}): VegaLiteSpec {
  const width = opts.width ?? 560;
  const height = opts.height ?? 160;
  const panel = (name: string, values: readonly number[]): VegaLiteSpec => ({
    width,
    height,
    data: { values: values.map((v, k) => ({ batch: k, value: v })) },
    mark: { type: 'line', interpolate: 'linear' },
    encoding: {
      x: { field: 'batch', type: 'quantitative', title: 'batch (global)' },
      y: { field: 'value', type: 'quantitative', title: name, scale: { zero: false } },
    },
  });
  return {
    $schema: SCHEMA,
    title: opts.title ?? 'Schedule',
    vconcat: [panel('learning rate', record.lr), ...(record.momentum ? [panel('momentum', record.momentum)] : [])],
    config: { view: { stroke: null } },
  };
}

/** One policy's evaluation curve. */
export interface AccuracyCurve {
  name: string;
  iteration: readonly number[];
  accuracy: readonly number[];
}

/** Test accuracy (or, with `yTitle`, any value) against iteration for several policies (the paper's Figure 1), with an optional target line. */
export function accuracyCurvesChart(
  curves: readonly AccuracyCurve[],
  opts: ChartOptions & {
    target?: { accuracy: number; label: string };
    /** Vertical dashed lines at iterations, labelled (e.g. where a range test was re-run). */
    marks?: ReadonlyArray<{ iteration: number; label: string }>;
    yTitle?: string;
    points?: boolean;
  } = {},
): VegaLiteSpec {
  const rows = curves.flatMap((c) => c.iteration.map((it, k) => ({ policy: c.name, iteration: it, accuracy: c.accuracy[k] })));
  const layer: VegaLiteSpec[] = [
    {
      data: { values: rows },
      mark: { type: 'line', point: opts.points ?? true },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
        y: { field: 'accuracy', type: 'quantitative', title: opts.yTitle ?? 'test accuracy', scale: { zero: false } },
        color: { field: 'policy', type: 'nominal', title: 'policy' },
      },
    },
  ];
  if (opts.target) {
    const t = [{ accuracy: opts.target.accuracy, label: opts.target.label }];
    layer.push(
      { data: { values: t }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { y: { field: 'accuracy', type: 'quantitative' } } },
      {
        data: { values: t },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, x: 0, color: 'gray' },
        encoding: { y: { field: 'accuracy', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }
  if (opts.marks && opts.marks.length > 0) {
    const m = opts.marks.map((x) => ({ iteration: x.iteration, label: x.label }));
    layer.push(
      { data: { values: m }, mark: { type: 'rule', strokeDash: [2, 3], color: 'black' }, encoding: { x: { field: 'iteration', type: 'quantitative' } } },
      {
        data: { values: m },
        mark: { type: 'text', angle: 270, align: 'right', baseline: 'bottom', dx: -4, y: 0, color: 'black' },
        encoding: { x: { field: 'iteration', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }
  return {
    $schema: SCHEMA,
    title: opts.title ?? 'Test accuracy',
    width: opts.width ?? 640,
    height: opts.height ?? 360,
    layer,
    config: { view: { stroke: null } },
  };
}
