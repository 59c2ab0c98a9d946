/**
 * bench:suggest's report.md and regret.svg, from the study's rows (./report.ts).
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_BUDGET, DEFAULT_RULE } from 'tfjs-clr';
import { toSVG, type VegaLiteSpec } from 'tfjs-clr/plot';
import { averagedSection } from './averaged.js';
import { menuSection, pairedSection, spreadSection } from './menu.js';
import { CANDIDATES, defaultReadings, lr3, lrFreeRows, pct, studyRows, summarize, type LRFreeRow, type Row, type Study } from './report.js';
import { mean } from '../stats.js';

export async function writeReport(study: Study, out: string, command: string, repeats: Repeat[] = []): Promise<void> {
  const { rows: all, grid } = studyRows(study);
  const rows = all.filter((r) => r.budget === DEFAULT_BUDGET && r.probeWeights === 'current');
  // The regret plot, and the head that explains and links it, only where some rule's CLR bounds were trained.
  const values = rows.filter((r) => r.regret !== null).map((r) => ({ rule: r.rule, task: r.task, seed: r.seed, regret: (r.regret as number) * 100 }));
  const lines: string[] = [
    ...summarySection(rows, command, values.length > 0),
    ...stabilitySection(defaultReadings(study), grid),
    ...menuSection(study, grid),
    ...spreadSection(study, grid),
    ...pairedSection(study, grid),
    ...averagedSection(study, grid, optimizerOf, (f) => OPTIMIZER_TITLE[f] ?? f),
    ...lrFreeSection(lrFreeRows(study), rows),
    ...freshSection(all.filter((r) => r.budget === DEFAULT_BUDGET), rows),
    ...budgetSection(all.filter((r) => optimizerOf(r.task) === 'momentum' && r.probeWeights === 'current'), study),
    ...repeatsSection(repeats),
    '## Tasks',
    '',
    '| task | kind | data | batch | training budget (iterations) | train / test |',
    '| --- | --- | --- | --- | --- | --- |',
    ...Object.entries(study.tasks).map(([name, t]) => `| ${name} | ${t.kind} | ${t.source} | ${t.batchSize} | ${t.iterations} | ${t.trainExamples} / ${t.testExamples} |`),
    '',
    ...(grid.length === 0 ? [] : ['## Per task and seed', '', ...grid.flatMap((g) => taskSection(g, rows))]),
  ];
  writeFileSync(path.join(out, 'report.md'), `${lines.join('\n')}\n`);
  if (values.length > 0) writeFileSync(path.join(out, 'regret.svg'), await toSVG(regretSpec(values)));
}

/** A run or range test that more than one merged folder trained (same task, seed and settings): which one the merge kept. */
export interface Repeat {
  kind: 'run' | 'range test';
  key: string;
  kept: string;
  dropped: string;
  /** For a run: the test accuracy of the kept and of the dropped one. */
  accuracy?: { kept: number; dropped: number };
}

/** What a merge (`--merge`) found trained twice and which it kept: nothing a merge drops goes unsaid. */
function repeatsSection(repeats: Repeat[]): string[] {
  if (repeats.length === 0) return [];
  const apart = repeats.flatMap((r) => (r.accuracy === undefined ? [] : [Math.abs(r.accuracy.kept - r.accuracy.dropped) * 100]));
  const runs = apart.length;
  return [
    '## Trained in more than one merged folder',
    '',
    `${[runs > 0 ? `${runs} runs` : '', repeats.length > runs ? `${repeats.length - runs} range tests` : ''].filter(Boolean).join(' and ')} were trained in two of the merged folders (the same task, seed and settings); the later folder's (in the order of \`--merge\`) is the one read above.` +
      (runs > 0 ? ` The two runs of a key ended ${Math.min(...apart).toFixed(2)}–${Math.max(...apart).toFixed(2)} points of test accuracy apart.` : ''),
    '',
    '| kind | key | kept (from) | dropped (from) |',
    '| --- | --- | --- | --- |',
    ...repeats.map((r) => `| ${r.kind} | ${r.key.replace(/\|/g, '\\|')} | ${r.accuracy ? `${pct(r.accuracy.kept)} (${r.kept})` : r.kept} | ${r.accuracy ? `${pct(r.accuracy.dropped)} (${r.dropped})` : r.dropped} |`),
    '',
  ];
}

const defaultRows = (list: Row[]) => list.filter((r) => r.rule === DEFAULT_RULE && r.regret !== null);

/** The study's optimizers, in report order; a task name `task@adam` is that task trained with Adam. */
const OPTIMIZER_ORDER = ['momentum', 'adam', 'rmsprop'];
const OPTIMIZER_TITLE: Record<string, string> = { momentum: 'Momentum SGD (0.9)', adam: 'Adam', rmsprop: 'RMSProp' };
export const optimizerOf = (task: string): string => task.split('@')[1] ?? 'momentum';

/** One optimizer's summary: per-rule regret, and the default rule by confidence. */
function optimizerSummary(opt: string, rows: Row[]): string[] {
  if (rows.length === 0) return [];
  const tasks = [...new Set(rows.map((r) => r.task.split('@')[0]))];
  return [
    `## Summary: ${OPTIMIZER_TITLE[opt] ?? opt} (${tasks.join(', ')})`,
    '',
    '| rule | trained | no bounds | not run | mean regret | worst regret | ≥ best fixed LR | ≥ best fixed − 0.5 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...summarize(rows)
      .filter((s) => s.runs + s.noBounds > 0)
      .map((s) => `| ${s.rule} | ${s.runs} | ${s.noBounds} | ${s.notRun} | ${(s.meanRegret * 100).toFixed(2)} | ${(s.worstRegret * 100).toFixed(2)} | ${s.matches}/${s.runs} | ${s.near}/${s.runs} |`),
    '',
    `The default rule (\`${DEFAULT_RULE}\`) by confidence:`,
    '',
    '| confidence | runs | mean regret | worst regret |',
    '| --- | --- | --- | --- |',
    ...['high', 'medium', 'low'].map((c) => `| ${c} | ${regretStats(defaultRows(rows).filter((r) => r.confidence === c))} |`),
    '',
  ];
}

/** "runs | mean regret | worst regret" of rows, in points. */
function regretStats(list: Row[]): string {
  const g = list.map((r) => (r.regret as number) * 100);
  return g.length === 0 ? '– | – | –' : `${g.length} | ${(g.reduce((x, y) => x + y, 0) / g.length).toFixed(2)} | ${Math.max(...g).toFixed(2)}`;
}

/** The report's head: its command and, where `regret` (some rule's CLR runs), what regret means, its plot, the per-rule summary and the default rule by confidence. */
function summarySection(rows: Row[], command: string, regret: boolean): string[] {
  const head = [
    '# bench:suggest — range-test suggestions measured by training outcome',
    '',
    `Command: \`${command}\` (default rule in the library: \`${DEFAULT_RULE}\`).`,
    '',
  ];
  if (!regret) return head;
  return [
    ...head,
    'Regret = best accuracy of the grid (fixed LRs and CLR bound pairs, same initial weights, data order and budget) − the',
    "rule's CLR accuracy (triangular2, 3 whole cycles), in points; test accuracy at the end of the budget. \"no bounds\": the",
    'rule declined (confidence none); "not run": bounds whose training was left out (see RESULTS.md). "≥ best fixed LR": the',
    "rule's CLR run at least matched the best of the grid's fixed LRs (chosen with hindsight on the test set).",
    '',
    '![regret per rule, task and seed](regret.svg)',
    '',
    ...OPTIMIZER_ORDER.flatMap((opt) => optimizerSummary(opt, rows.filter((r) => optimizerOf(r.task) === opt))),
  ];
}

/**
 * The default rule's maxLR across seeds (each seed: other initial weights and data order, a rerun of the
 * whole test), per task and optimizer: max/min over the seeds, and the median of each test's own probe spread;
 * beside it, the maxLR of the best CLR run per seed (chosen with hindsight on the test set), how far apart
 * the trained optimum itself lands across seeds.
 */
function stabilitySection(mine: ReturnType<typeof defaultReadings>, grid: ReturnType<typeof studyRows>['grid']): string[] {
  const tasks = [...new Set(mine.map((r) => r.task))];
  const median = (v: number[]) => {
    const s = [...v].sort((x, y) => x - y);
    return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const line = (task: string): string => {
    const t = mine.filter((r) => r.task === task).sort((x, y) => x.seed - y.seed);
    const across = (v: Array<number | null>) => {
      const known = v.filter((x): x is number => x !== null);
      return known.length > 1 ? `${(Math.max(...known) / Math.min(...known)).toFixed(2)}×` : '–';
    };
    const perSeed = (v: Array<number | null>) => v.map((x) => (x === null ? '–' : lr3(x))).join(', ');
    const within = median(t.map((r) => r.probeSpread).filter((v): v is number => v !== null));
    const best = t.map((r) => grid.find((g) => g.task === task && g.seed === r.seed)?.bestClrMaxLR ?? null);
    const recipe = t.map((r) => r.recipeLR);
    return `| ${task} | ${t.map((r) => r.seed).join(', ')} | ${perSeed(t.map((r) => r.maxLR))} | ${across(t.map((r) => r.maxLR))} | ${Number.isNaN(within) ? '–' : `${within.toFixed(2)}×`} | ${perSeed(recipe)} | ${across(recipe)} | ${perSeed(best)} | ${across(best)} | ${t.map((r) => r.confidence).join(', ')} |`;
  };
  return [
    `## Stability: the default rule's maxLR across seeds`,
    '',
    'Each seed is a rerun of the whole test (other initial weights, other data order). "across seeds" is max/min of the',
    'suggested maxLR; "probes" is the median over seeds of max/min of one test\'s own probes read alone (its `spread`).',
    'Target: ≤ 1.5× across seeds. "hindsight-best" is the maxLR of the best CyclicLR run on each seed (the grid\'s pairs and',
    'every rule\'s bounds, chosen on the test set after training): how far apart the trained optimum itself lands, noise of',
    'one run included. "recipe\'s LR" is what the library\'s recipe of the family trains with on each seed (`rangeTest`\'s',
    '`scheduleFreeAdamWOptions` with Adam: the default 0.0025 unless 2× maxLR is over 2× away, at most 8× away;',
    '`scheduleFreeSGDOptions` with Momentum SGD: 10–20 × maxLR): how far the seed moves what the user trains.',
    '',
    '| task | seeds | maxLR per seed | across seeds | probes (median) | recipe\'s LR per seed | across seeds | hindsight-best maxLR per seed | across seeds | confidence per seed |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...tasks.map(line),
    '',
  ];
}

/**
 * The learning-rate-free optimizers at their defaults beside zero-config CLR (the default rule's bounds),
 * per optimizer family, on the same tasks and seeds and against the same grid.
 */
function lrFreeSection(free: LRFreeRow[], rows: Row[]): string[] {
  if (free.length === 0) return [];
  const clr = defaultRows(rows);
  const family = (opt: string): string[] => {
    const mine = free.filter((r) => optimizerOf(r.task) === opt);
    if (mine.length === 0) return [];
    const names = [...new Set(mine.map((r) => r.optimizer))];
    const pairs = (name: string) => mine.filter((r) => r.optimizer === name).flatMap((r) => {
      const c = clr.find((x) => x.task === r.task && x.seed === r.seed);
      return c ? [{ r, c }] : [];
    });
    const line = (name: string): string => {
      const p = pairs(name);
      if (p.length === 0) return `| ${name} | 0 | – | – | – | – |`;
      const g = p.map((x) => x.r.regret * 100);
      const cg = p.map((x) => (x.c.regret as number) * 100);
      const wins = p.filter((x) => x.r.accuracy > (x.c.accuracy as number)).length;
      return `| ${name} | ${p.length} | ${mean(g).toFixed(2)} | ${Math.max(...g).toFixed(2)} | ${mean(cg).toFixed(2)} / ${Math.max(...cg).toFixed(2)} | ${wins}/${p.length} |`;
    };
    const tasks = [...new Set(mine.map((r) => r.task))];
    const perTask = (task: string): string => {
      const accs = (list: number[]) => (list.length === 0 ? '–' : `${pct(mean(list))}`);
      const c = clr.filter((x) => x.task === task && mine.some((r) => r.task === task && r.seed === x.seed));
      return `| ${task} | ${c.map((x) => x.seed).join(', ')} | ${accs(c.map((x) => x.accuracy as number))} | ${names.map((n) => accs(mine.filter((r) => r.task === task && r.optimizer === n).map((r) => r.accuracy))).join(' | ')} |`;
    };
    return [
      `### Beside ${OPTIMIZER_TITLE[opt] ?? opt}`,
      '',
      '| optimizer (defaults) | task×seed | mean regret | worst regret | zero-config CLR, same runs (mean / worst) | beats CLR |',
      '| --- | --- | --- | --- | --- | --- |',
      ...names.map(line),
      '',
      `| task | seeds | zero-config CLR | ${names.join(' | ')} |`,
      `| --- | --- | --- | ${names.map(() => '---').join(' | ')} |`,
      ...tasks.map(perTask),
      '',
    ];
  };
  return [
    '## Learning-rate-free optimizers beside zero-config CLR',
    '',
    'Each at its recommended defaults (nothing tuned), same initial weights, data order and budget, evaluated where it',
    `evaluates (Schedule-Free's x, DoG's average); regret against the same grid as the rules. Zero-config CLR is the default rule (\`${DEFAULT_RULE}\`)`,
    'on the same task and seed; negative regret: above the best of the grid. The cost of a step: `npm run bench:lr-free-cost`',
    '(the runs here were timed under different machine loads).',
    '',
    ...OPTIMIZER_ORDER.flatMap(family),
  ];
}

/**
 * The default rule with probes from fresh initializations (`--probe-weights fresh`) against the
 * default probes (all from the model's weights), on the tasks and seeds both ran: maxLR across seeds,
 * and the regret of training with it.
 */
function freshSection(all: Row[], current: Row[]): string[] {
  const fresh = all.filter((r) => r.probeWeights === 'fresh' && r.rule === DEFAULT_RULE);
  if (fresh.length === 0) return [];
  const tasks = [...new Set(fresh.map((r) => r.task))];
  const across = (list: Row[]) => {
    const lrs = list.map((r) => r.maxLR).filter((v): v is number => v !== null);
    return lrs.length > 1 ? `${(Math.max(...lrs) / Math.min(...lrs)).toFixed(2)}×` : '–';
  };
  const regret = (list: Row[]) => {
    const v = list.map((r) => r.regret).filter((x): x is number => x !== null);
    return v.length === 0 ? '–' : `${((v.reduce((x, y) => x + y, 0) / v.length) * 100).toFixed(2)} / ${(Math.max(...v) * 100).toFixed(2)}`;
  };
  const line = (task: string) => {
    const f = fresh.filter((r) => r.task === task).sort((x, y) => x.seed - y.seed);
    const seeds = new Set(f.map((r) => r.seed));
    const c = current.filter((r) => r.task === task && r.rule === DEFAULT_RULE && seeds.has(r.seed)).sort((x, y) => x.seed - y.seed);
    const lrs = (list: Row[]) => list.map((r) => (r.maxLR === null ? '–' : lr3(r.maxLR))).join(', ');
    return `| ${task} | ${[...seeds].join(', ')} | ${lrs(c)} | ${across(c)} | ${lrs(f)} | ${across(f)} | ${regret(c)} | ${regret(f)} |`;
  };
  return [
    '## Probes from fresh initializations (`--probe-weights fresh`)',
    '',
    `The default rule (\`${DEFAULT_RULE}\`) read from probes that start from the model's weights (default) and from probes`,
    "of which the 2nd and 3rd start from fresh initializations of the same architecture (`rangeTest`'s `probeWeights:",
    "'fresh'`; the sweep still runs from the model's weights). Same tasks and seeds; regret as above (mean / worst, points).",
    '',
    '| task | seeds | maxLR, default probes | across seeds | maxLR, fresh probes | across seeds | regret, default | regret, fresh |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...tasks.map(line),
    '',
  ];
}

/** The default rule at each range-test budget against the default budget, on the same tasks and seeds. */
function budgetSection(all: Row[], study: Study): string[] {
  const budgets = [...new Set(all.map((r) => r.budget))].sort((x, y) => x - y);
  if (budgets.length === 0) return [];
  const at = (x: number) => defaultRows(all.filter((r) => r.budget === x));
  const row = (b: number): string => {
    const declined = all.filter((r) => r.budget === b && r.rule === DEFAULT_RULE && r.maxLR === null).length;
    const both = at(b).filter((r) => at(DEFAULT_BUDGET).some((d) => d.task === r.task && d.seed === r.seed));
    const same = at(DEFAULT_BUDGET).filter((d) => both.some((r) => r.task === d.task && r.seed === d.seed));
    const tests = Object.entries(study.rangeTests).filter(([k]) => {
      const [task, seed, tag] = k.split('|');
      return (b === DEFAULT_BUDGET ? tag === undefined : tag === `b${b}`) && both.some((r) => r.task === task && r.seed === Number(seed));
    });
    const cost = tests.length ? (tests.reduce((x, [, v]) => x + v.iterations, 0) / tests.length).toFixed(0) : '–';
    return `| ${b} | ${declined} | ${regretStats(both)} | ${regretStats(same).split(' | ').slice(1).join(' | ')} | ${cost} |`;
  };
  return [
    `## The default rule (\`${DEFAULT_RULE}\`) by range-test budget`,
    '',
    `Momentum SGD; each budget (\`--budget N\`) against the default ${DEFAULT_BUDGET} on the same tasks and seeds; cost is the mean iterations the test used.`,
    '',
    `| budget | no bounds | runs | mean regret | worst regret | mean regret at ${DEFAULT_BUDGET}, same runs | worst at ${DEFAULT_BUDGET} | mean cost |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...budgets.map(row),
    '',
  ];
}

/** One task and seed: the range test's cost, the grid's best, and every rule's bounds and outcome. */
function taskSection(g: ReturnType<typeof studyRows>['grid'][number], rows: Row[]): string[] {
  const lines = [`### ${g.task}, seed ${g.seed}`, ''];
  lines.push(`Range test: ${g.cost} iterations. Best grid: ${pct(g.bestGrid)} % (${g.bestGridName}); best fixed: ${pct(g.bestFixed)} % (LR ${g.bestFixedLR}).`, '');
  lines.push('| rule | baseLR | maxLR | confidence | accuracy | regret |', '| --- | --- | --- | --- | --- | --- |');
  for (const r of rows.filter((x) => x.task === g.task && x.seed === g.seed)) {
    lines.push(
      `| ${r.rule} | ${r.baseLR === null ? '–' : lr3(r.baseLR)} | ${r.maxLR === null ? '–' : lr3(r.maxLR)} | ${r.confidence} | ${r.accuracy === null ? '–' : pct(r.accuracy)} | ${r.regret === null ? '–' : (r.regret * 100).toFixed(2)} |`,
    );
  }
  lines.push('');
  return lines;
}

/** The regret plot (Vega-Lite): one point per rule, task and seed. */
function regretSpec(values: Array<{ rule: string; task: string; seed: number; regret: number }>): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Regret of each rule (best grid accuracy − rule accuracy, points)',
    width: 480,
    height: 260,
    data: { values },
    mark: { type: 'point', filled: true, size: 60, opacity: 0.8 },
    encoding: {
      x: { field: 'rule', type: 'nominal', sort: CANDIDATES.map((c) => c.name), title: 'rule', axis: { labelAngle: 0 } },
      xOffset: { field: 'task', type: 'nominal' },
      y: { field: 'regret', type: 'quantitative', title: 'regret (accuracy points)' },
      color: { field: 'task', type: 'nominal', title: 'task' },
      tooltip: [{ field: 'task' }, { field: 'seed' }, { field: 'regret' }],
    },
  };
}
