/**
 * The study's candidates (every built-in rule, plus the variants whose parameters the defaults were
 * chosen between) and its report: per task and seed, accuracy and regret; per rule, mean and worst
 * regret and how often it matched the best fixed LR; a plot of the regrets.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { accuracyRule, defaultBurnIn, divergenceMonitor, minimumRule, steepRule, thumbRule, valleyRule, DEFAULT_BUDGET, DEFAULT_RULE, type BoundsSuggestion, type RangeCurve, type RangeTestResult } from 'tfjs-clr';
import { toSVG } from 'tfjs-clr/plot';
import type { Policy, RunOutcome } from './train.js';

export interface Candidate {
  name: string;
  rule: (c: RangeCurve) => BoundsSuggestion;
}

export const CANDIDATES: Candidate[] = [
  { name: 'thumb', rule: (c) => thumbRule(c) },
  { name: 'thumb÷3', rule: (c) => thumbRule(c, { divisor: 3 }) },
  { name: 'accuracy', rule: (c) => accuracyRule(c) },
  { name: 'accuracy÷4', rule: (c) => accuracyRule(c, { baseDivisor: 4 }) },
  { name: 'accuracy÷3', rule: (c) => accuracyRule(c, { baseDivisor: 3 }) },
  { name: 'steep', rule: (c) => steepRule(c) },
  { name: 'minimum÷3', rule: (c) => minimumRule(c, { divisor: 3 }) },
  { name: 'minimum', rule: (c) => minimumRule(c) },
  { name: 'valley', rule: (c) => valleyRule(c) },
];

export interface Study {
  runs: Record<string, RunOutcome>;
  rangeTests: Record<string, { version?: number; iterations: number; seconds: number; result: RangeTestResult }>;
  tasks: Record<
    string,
    { kind: string; source: string; batchSize: number; iterations: number; trainExamples: number; testExamples: number; fixedGrid: number[]; clrGrid: Array<[number, number]> }
  >;
}

/** Bumped when rangeTest's algorithm changes, so saved range tests from an older one are run again. */
export const RANGE_TEST_VERSION = 5;

/**
 * Versions 4 and 5 only changed the divergence rule (a 2 %, then 5 % floor; start = median of the first
 * 3 losses; burn-in 10). A saved test from version 3 on whose probe and sweep stop at the same batches
 * under today's rule (replayed on its recorded losses) is the same run, and is kept.
 */
export function stillValid(rt: Study['rangeTests'][string] | undefined): boolean {
  if (!rt) return false;
  if (rt.version === RANGE_TEST_VERSION) return true;
  if (!(typeof rt.version === 'number' && rt.version >= 3)) return false;
  const stopOf = (r: RangeTestResult): number | null => {
    const step = divergenceMonitor({ smoothing: 0.9, burnIn: defaultBurnIn(r.numIterations), factor: 1, patience: 3 });
    for (let i = 0; i < r.loss.length; i++) {
      const loss = r.loss[i];
      if (loss === null) return i;
      const at = step(i, loss).divergedAt;
      if (at !== null) return at;
    }
    return null;
  };
  const r = rt.result;
  return r.probe != null && stopOf(r.probe) === r.probe.stoppedAt && stopOf(r) === r.stoppedAt;
}

export function pairKey(p: Policy): string {
  return p.kind === 'fixed' ? `fixed:${p.lr}` : `clr:${p.baseLR.toPrecision(6)}-${p.maxLR.toPrecision(6)}`;
}

/** A run's key with its LRs to 4 significant digits: bounds recomputed from a saved (rounded) curve still find their run. */
function looseKey(key: string): string {
  return key.replace(/\d+\.\d+(e[+-]?\d+)?|\d+e[+-]?\d+/g, (num) => String(Number(Number(num).toPrecision(4))));
}

/** Finds saved runs by task, seed and policy, tolerant to the last digits of recomputed bounds. */
export function runIndex(study: Study): (task: string, seed: number, p: Policy) => RunOutcome | undefined {
  const index = new Map<string, RunOutcome>();
  for (const [k, v] of Object.entries(study.runs)) index.set(looseKey(k), v);
  return (task, seed, p) => study.runs[`${task}|${seed}|${pairKey(p)}`] ?? index.get(looseKey(`${task}|${seed}|${pairKey(p)}`));
}

const pct = (v: number) => (v * 100).toFixed(2);
const lr3 = (v: number) => Number(v.toPrecision(3)).toString();

interface Row {
  task: string;
  seed: number;
  /** The range test's budget (iterations). */
  budget: number;
  rule: string;
  baseLR: number | null;
  maxLR: number | null;
  confidence: string;
  accuracy: number | null;
  regret: number | null;
  matchesFixed: boolean | null;
  /** Accuracy minus the best fixed LR's, in points. */
  vsFixed: number | null;
}

/** Rows of the study: one per task, seed and candidate, with the grid's best for comparison. */
export function studyRows(study: Study): { rows: Row[]; grid: Array<{ task: string; seed: number; bestGrid: number; bestGridName: string; bestFixed: number; bestFixedLR: number; cost: number }> } {
  const rows: Row[] = [];
  const grid = [];
  const find = runIndex(study);
  for (const [key, rt] of Object.entries(study.rangeTests)) {
    if (!stillValid(rt)) continue;
    const [task, seedText, budgetText] = key.split('|');
    const seed = Number(seedText);
    const budget = budgetText ? Number(budgetText.slice(1)) : DEFAULT_BUDGET;
    const t = study.tasks[task];
    if (!t) continue;
    const get = (p: Policy) => find(task, seed, p);
    const fixed = t.fixedGrid.flatMap((lr) => {
      const o = get({ kind: 'fixed', lr });
      return o ? [{ lr, o }] : [];
    });
    const clr = t.clrGrid.flatMap(([b, m]) => {
      const o = get({ kind: 'clr', baseLR: b, maxLR: m });
      return o ? [{ name: `CLR ${b}–${m}`, o }] : [];
    });
    if (fixed.length === 0 || clr.length === 0) continue;
    const bestFixed = fixed.reduce((x, y) => (y.o.accuracy > x.o.accuracy ? y : x));
    const bestClr = clr.reduce((x, y) => (y.o.accuracy > x.o.accuracy ? y : x));
    const bestGrid = Math.max(bestFixed.o.accuracy, bestClr.o.accuracy);
    const row = (c: Candidate, b: number): Row => {
      const s = c.rule(rt.result);
      const o = s.baseLR !== null && s.maxLR !== null ? get({ kind: 'clr', baseLR: s.baseLR, maxLR: s.maxLR }) : undefined;
      return {
        task,
        seed,
        budget: b,
        rule: c.name,
        baseLR: s.baseLR,
        maxLR: s.maxLR,
        confidence: s.confidence,
        accuracy: o ? o.accuracy : null,
        regret: o ? bestGrid - o.accuracy : null,
        matchesFixed: o ? o.accuracy >= bestFixed.o.accuracy : null,
        vsFixed: o ? o.accuracy - bestFixed.o.accuracy : null,
      };
    };
    if (budget !== DEFAULT_BUDGET) {
      for (const c of CANDIDATES) rows.push(row(c, budget));
      continue;
    }
    grid.push({
      task,
      seed,
      bestGrid,
      bestGridName: bestFixed.o.accuracy >= bestClr.o.accuracy ? `fixed ${bestFixed.lr}` : bestClr.name,
      bestFixed: bestFixed.o.accuracy,
      bestFixedLR: bestFixed.lr,
      cost: rt.iterations,
    });
    for (const c of CANDIDATES) rows.push(row(c, budget));
  }
  return { rows, grid };
}

export function summarize(rows: Row[]): Array<{ rule: string; runs: number; noBounds: number; notRun: number; meanRegret: number; worstRegret: number; matches: number; near: number }> {
  return CANDIDATES.map((c) => {
    const mine = rows.filter((r) => r.rule === c.name);
    const scored = mine.filter((r) => r.regret !== null);
    const regrets = scored.map((r) => r.regret as number);
    const noBounds = mine.filter((r) => r.maxLR === null).length;
    return {
      rule: c.name,
      runs: scored.length,
      noBounds,
      notRun: mine.length - scored.length - noBounds,
      meanRegret: regrets.reduce((x, y) => x + y, 0) / Math.max(1, regrets.length),
      worstRegret: Math.max(...regrets, 0),
      matches: scored.filter((r) => r.matchesFixed).length,
      near: scored.filter((r) => (r.vsFixed as number) >= -0.005).length,
    };
  });
}

export async function writeReport(study: Study, out: string, command: string): Promise<void> {
  const { rows: all, grid } = studyRows(study);
  const rows = all.filter((r) => r.budget === DEFAULT_BUDGET);
  const summary = summarize(rows);
  const budgets = [...new Set(all.map((r) => r.budget))].sort((x, y) => x - y);
  const defaultRows = (list: Row[]) => list.filter((r) => r.rule === DEFAULT_RULE && r.regret !== null);
  const stats = (list: Row[]) => {
    const g = list.map((r) => (r.regret as number) * 100);
    return g.length === 0 ? '– | – | –' : `${g.length} | ${(g.reduce((x, y) => x + y, 0) / g.length).toFixed(2)} | ${Math.max(...g).toFixed(2)}`;
  };
  const lines: string[] = [
    '# bench:suggest — range-test suggestions measured by training outcome',
    '',
    `Command: \`${command}\` (default rule in the library: \`${DEFAULT_RULE}\`).`,
    '',
    'Regret = best accuracy of the grid (fixed LRs and CLR bound pairs, same initial weights, data order and budget) − the',
    "rule's CLR accuracy (triangular2, 3 whole cycles), in points; test accuracy at the end of the budget. \"no bounds\": the",
    'rule declined (confidence none); "not run": bounds whose training was left out (see RESULTS.md). "≥ best fixed LR": the',
    "rule's CLR run at least matched the best of the grid's fixed LRs (chosen with hindsight on the test set).",
    '',
    '## Summary (all tasks and seeds)',
    '',
    '| rule | trained | no bounds | not run | mean regret | worst regret | ≥ best fixed LR | ≥ best fixed − 0.5 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...summary.map((s) => `| ${s.rule} | ${s.runs} | ${s.noBounds} | ${s.notRun} | ${(s.meanRegret * 100).toFixed(2)} | ${(s.worstRegret * 100).toFixed(2)} | ${s.matches}/${s.runs} | ${s.near}/${s.runs} |`),
    '',
    '![regret per rule, task and seed](regret.svg)',
    '',
    `## The default rule (\`${DEFAULT_RULE}\`) by confidence`,
    '',
    '| confidence | runs | mean regret | worst regret |',
    '| --- | --- | --- | --- |',
    ...['high', 'medium', 'low'].map((c) => `| ${c} | ${stats(defaultRows(rows).filter((r) => r.confidence === c))} |`),
    '',
    `## The default rule (\`${DEFAULT_RULE}\`) by range-test budget`,
    '',
    `Each budget (\`--budget N\`) against the default ${DEFAULT_BUDGET} on the same tasks and seeds; cost is the mean iterations the test used.`,
    '',
    `| budget | no bounds | runs | mean regret | worst regret | mean regret at ${DEFAULT_BUDGET}, same runs | worst at ${DEFAULT_BUDGET} | mean cost |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...budgets.map((b) => {
      const declined = all.filter((r) => r.budget === b && r.rule === DEFAULT_RULE && r.maxLR === null).length;
      const at = (x: number) => defaultRows(all.filter((r) => r.budget === x));
      const both = at(b).filter((r) => at(DEFAULT_BUDGET).some((d) => d.task === r.task && d.seed === r.seed));
      const same = at(DEFAULT_BUDGET).filter((d) => both.some((r) => r.task === d.task && r.seed === d.seed));
      const tests = Object.entries(study.rangeTests).filter(([k]) => {
        const [task, seed, tag] = k.split('|');
        return (b === DEFAULT_BUDGET ? tag === undefined : tag === `b${b}`) && both.some((r) => r.task === task && r.seed === Number(seed));
      });
      const cost = tests.length ? (tests.reduce((x, [, v]) => x + v.iterations, 0) / tests.length).toFixed(0) : '–';
      return `| ${b} | ${declined} | ${stats(both)} | ${stats(same).split(' | ').slice(1).join(' | ')} | ${cost} |`;
    }),
    '',
    '## Tasks',
    '',
    '| task | kind | data | batch | training budget (iterations) | train / test |',
    '| --- | --- | --- | --- | --- | --- |',
    ...Object.entries(study.tasks).map(([name, t]) => `| ${name} | ${t.kind} | ${t.source} | ${t.batchSize} | ${t.iterations} | ${t.trainExamples} / ${t.testExamples} |`),
    '',
    '## Per task and seed',
    '',
  ];
  for (const g of grid) {
    lines.push(`### ${g.task}, seed ${g.seed}`, '');
    lines.push(`Range test: ${g.cost} iterations. Best grid: ${pct(g.bestGrid)} % (${g.bestGridName}); best fixed: ${pct(g.bestFixed)} % (LR ${g.bestFixedLR}).`, '');
    lines.push('| rule | baseLR | maxLR | confidence | accuracy | regret |', '| --- | --- | --- | --- | --- | --- |');
    for (const r of rows.filter((x) => x.task === g.task && x.seed === g.seed)) {
      lines.push(
        `| ${r.rule} | ${r.baseLR === null ? '–' : lr3(r.baseLR)} | ${r.maxLR === null ? '–' : lr3(r.maxLR)} | ${r.confidence} | ${r.accuracy === null ? '–' : pct(r.accuracy)} | ${r.regret === null ? '–' : (r.regret * 100).toFixed(2)} |`,
      );
    }
    lines.push('');
  }
  writeFileSync(path.join(out, 'report.md'), `${lines.join('\n')}\n`);
  const values = rows.filter((r) => r.regret !== null).map((r) => ({ rule: r.rule, task: r.task, seed: r.seed, regret: (r.regret as number) * 100 }));
  if (values.length > 0) {
    const spec = {
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
    writeFileSync(path.join(out, 'regret.svg'), await toSVG(spec));
  }
}

/** Compact JSON with floats rounded to 8 significant digits (the study file stays small). */
export function compactJSON(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(8)) : v));
}
