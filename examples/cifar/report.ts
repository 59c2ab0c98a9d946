/**
 * The experiment's outputs: results.json, report.md (the comparison table, and Table 3's shape when
 * several optimizers ran), accuracy.svg (with re-tests and stops marked), schedules.svg, and the same
 * table for the terminal.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { accuracyCurvesChart, toSVG } from 'tfjs-clr/plot';
import type { ExperimentResult, PolicyRun } from './experiment.js';

/** An LR for people: 3 significant digits, no float noise (0.0021243835897716097 → 0.00212). */
export const fmtLR = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : String(Number(v.toPrecision(3))));
const pct = (v: number) => `${(v * 100).toFixed(2)} %`;

/** Iterations a run needed to reach `target` accuracy (first evaluation at or above it), or null. */
export function iterationsToReach(run: PolicyRun, target: number): number | null {
  const k = run.evals.accuracy.findIndex((a) => a >= target - 1e-9);
  return k < 0 ? null : run.evals.iteration[k];
}

/** The `fixed` run of the same optimizer: the baseline each run is compared with. */
function baselineOf(r: ExperimentResult, run: PolicyRun): PolicyRun | undefined {
  return r.runs.find((x) => x.name === 'fixed' && x.optimizer === run.optimizer && !x.averageOf);
}

/** The comparison table (Markdown), one row per run. */
export function comparisonTable(r: ExperimentResult): string[] {
  const rows = r.runs.map((x) => {
    const base = baselineOf(r, x);
    const target = base?.bestAccuracy;
    const baseAt = base && target !== undefined ? iterationsToReach(base, target) : null;
    const reach = target !== undefined ? iterationsToReach(x, target) : null;
    const ratio = reach !== null && baseAt ? (reach / baseAt).toFixed(2) : '–';
    const stopped = x.stopped ? ` (stopped, cycle ${x.stopped.cycle})` : '';
    const reached = base ? (reach ?? 'not reached') : '– (no fixed run)';
    return `| ${x.label} | ${x.iterations}${stopped} | ${pct(x.bestAccuracy)} (at ${x.bestAt}) | ${pct(x.finalAccuracy)} | ${reached} | ${ratio} | ${x.trainSeconds.toFixed(0)} s | ${x.imagesPerSecond.toFixed(0)} |`;
  });
  return [
    `| policy | iterations | best test accuracy | final | iterations to reach fixed's best | ratio | training time | images/s |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...rows,
  ];
}

/** The paper's Table 3 shape: per optimizer, alone (`fixed`) and with each other policy. */
export function table3(r: ExperimentResult): string[] {
  const rows = r.runs.map((x) => {
    const base = baselineOf(r, x);
    const reach = base ? iterationsToReach(x, base.bestAccuracy) : null;
    const policy = x.name === 'fixed' ? `alone (fixed ${fmtLR(x.lr[0])})` : `+ ${x.name} (${fmtLR(r.settings.perOptimizer[x.optimizer].baseLR)}–${fmtLR(r.settings.perOptimizer[x.optimizer].maxLR)})`;
    return `| ${x.optimizerDescription} | ${policy} | ${x.iterations} | ${pct(x.bestAccuracy)} | ${base ? (reach ?? 'not reached') : '–'} |`;
  });
  return [
    `| optimizer | LR policy | iterations | best test accuracy | iterations to reach the optimizer-alone best |`,
    `| --- | --- | --- | --- | --- |`,
    ...rows,
  ];
}

/** Notes on re-tests and stops, one line per event. */
function events(r: ExperimentResult): string[] {
  return r.runs.flatMap((x) => [
    ...(x.retest
      ? [`- **${x.label}**: range test re-run at iteration ${x.retest.at} from the current weights (restored afterwards): bounds ${fmtLR(x.retest.baseLR)}–${fmtLR(x.retest.maxLR)}, step size ${x.retest.stepSize}${x.retest.note ? ` (${x.retest.note})` : ''}.`]
      : []),
    ...(x.stopped ? [`- **${x.label}**: stopped at iteration ${x.stopped.iteration}, the end of cycle ${x.stopped.cycle} (${x.stopped.reason}).`] : []),
  ]);
}

/** results.json, report.md, accuracy.svg, schedules.svg. */
export async function writeOutputs(r: ExperimentResult, out: string): Promise<void> {
  writeFileSync(path.join(out, 'results.json'), JSON.stringify(r, null, 1));
  const fixed = r.runs.find((x) => x.name === 'fixed' && !x.averageOf);
  const marks = r.runs.flatMap((x) => [
    ...(x.retest ? [{ iteration: x.retest.at, label: `re-test (${x.label})` }] : []),
    ...(x.stopped ? [{ iteration: x.stopped.iteration, label: `stop (${x.label})` }] : []),
  ]);
  const curves = r.runs.map((x) => ({ name: x.label, iteration: x.evals.iteration, accuracy: x.evals.accuracy }));
  const target = fixed && r.settings.optimizers.length === 1 ? { accuracy: fixed.bestAccuracy, label: `fixed's best ${pct(fixed.bestAccuracy)}` } : undefined;
  writeFileSync(path.join(out, 'accuracy.svg'), await toSVG(accuracyCurvesChart(curves, { title: `CIFAR-10 (${r.settings.net} net): test accuracy`, target, marks })));
  const every = Math.max(1, Math.floor(r.settings.iterations / 400));
  const lrCurves = r.runs.map((x) => {
    const it = x.lr.map((_, k) => k).filter((k) => k % every === 0);
    return { name: x.label, iteration: it, accuracy: it.map((k) => x.lr[k]) };
  });
  writeFileSync(path.join(out, 'schedules.svg'), await toSVG(accuracyCurvesChart(lrCurves, { title: 'Learning-rate schedules', yTitle: 'learning rate', points: false, marks })));
  const s = r.settings;
  const bounds = s.optimizers.map((o) => `${o}: baseLR ${fmtLR(s.perOptimizer[o].baseLR)}, maxLR ${fmtLR(s.perOptimizer[o].maxLR)}, fixed LR ${fmtLR(s.perOptimizer[o].fixedLR)}`);
  const md = [
    `# CIFAR-10: CLR against fixed-LR baselines`,
    '',
    `Command: \`${r.command}\`  `,
    `Date: ${r.date}; backend: ${r.backend.name} (${r.backend.why}).  `,
    `Data: ${s.trainImages} training images (${s.trainFiles.join(', ')}), ${s.testImages} test images; net \`${s.net}\`; batch ${s.batchSize}; seed ${s.seed}.  `,
    `Optimizers: ${r.runs.map((x) => x.optimizerDescription).filter((d, k, all) => all.indexOf(d) === k).join(', ')}${s.cycleMomentum ? '; momentum (Adam: β1) cycled with the LR' : ''}.  `,
    `Bounds${r.rangeTests.length > 0 ? ' (from the range tests unless given as flags)' : ''}: ${bounds.join('; ')}; stepSize ${s.stepSize}; budget ${s.iterations} iterations, test accuracy every ${s.evalEvery}.`,
    '',
    `"to reach fixed's best" is the first evaluation at or above the best test accuracy of the \`fixed\` policy with the same optimizer; the ratio divides it by the iterations \`fixed\` needed (the paper: 25,000 / 70,000 = 0.36).`,
    '',
    ...comparisonTable(r),
    '',
    ...(s.optimizers.length > 1 ? ["## In the shape of the paper's Table 3", '', ...table3(r), ''] : []),
    ...r.runs.map((x) => `- **${x.label}**: ${x.describe}`),
    ...events(r),
    '',
    '![test accuracy](accuracy.svg)',
    '',
    '![schedules](schedules.svg)',
    ...r.rangeTests.flatMap((t) => [
      '',
      `Range test (${t.optimizer}${t.at > 0 ? `, ${t.policy} at iteration ${t.at}` : ''}): suggested baseLR ${fmtLR(t.suggestion.baseLR)}, maxLR ${fmtLR(t.suggestion.maxLR)} (${t.suggestion.maxLRReason}, confidence ${t.suggestion.confidence}).`,
      ...(t.svg ? ['', `![range test](${t.svg})`] : []),
    ]),
    '',
  ].join('\n');
  writeFileSync(path.join(out, 'report.md'), md);
}
