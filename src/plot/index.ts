/**
 * tfjs-clr/plot: charts of range tests, schedules and accuracy curves (Vega-Lite specs rendered to
 * SVG by vega, headless), and compact terminal charts. Kept out of the core entry: it needs the
 * optional peer dependencies `vega` and `vega-lite` (SVG) and `asciichart` (terminal).
 * @packageDocumentation
 */
export {
  rangeTestChart,
  scheduleChart,
  accuracyCurvesChart,
  type VegaLiteSpec,
  type ChartOptions,
  type ScheduleRecord,
  type AccuracyCurve,
} from './charts.js';
export { toSVG, terminalChart, rangeTestTerminal, type TerminalChartOptions } from './render.js';
