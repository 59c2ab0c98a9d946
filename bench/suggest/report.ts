/**
 * The study's candidates (every built-in rule, plus the variants whose parameters the defaults were
 * chosen between) and its results as rows: per task and seed, accuracy and regret; per rule, mean and
 * worst regret and how often it matched the best fixed LR (written out by ./write-report.ts).
 */
import { accuracyRule, minimumRule, steepRule, suggestBounds, thumbRule, valleyRule, DEFAULT_BUDGET, type BoundsSuggestion, type RangeCurve, type RangeTestResult } from 'tfjs-clr';
import { scheduleFreeLR, scheduleFreeSGDFactor, trainingEdge } from 'tfjs-clr';
import { LR_FREE, type LRFreeName, type Policy, type RunOutcome } from './train.js';

export interface Candidate {
  name: string;
  rule: (c: RangeCurve) => BoundsSuggestion;
}

export const CANDIDATES: Candidate[] = [
  { name: 'thumb', rule: (c) => thumbRule(c) },
  // The default's two readings on their own (its 'auto' picks one by optimizer): where the probe's
  // loss is lowest, and where it bottoms out.
  { name: 'thumb@minimum', rule: (c) => thumbRule(c, { reading: 'minimum' }) },
  { name: 'thumb@bottom', rule: (c) => thumbRule(c, { reading: 'bottom' }) },
  { name: 'thumb@center', rule: (c) => thumbRule(c, { reading: 'center' }) },
  // The default read across bumps (to the curve's end), as before 2026-12-05.
  { name: 'thumb@across-bumps', rule: (c) => thumbRule(c, { acrossBumps: true }) },
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
    { optimizer?: string; kind: string; source: string; batchSize: number; iterations: number; trainExamples: number; testExamples: number; fixedGrid: number[]; clrGrid: Array<[number, number]> }
  >;
}

/**
 * Bumped when rangeTest's algorithm changes, so saved range tests from an older one are run again.
 * Version 6: three probes, read on their mean curve (DEFAULT_BUDGET 500).
 */
export const RANGE_TEST_VERSION = 6;

/** A saved range test made by today's rangeTest. */
export function stillValid(rt: Study['rangeTests'][string] | undefined): boolean {
  return rt !== undefined && rt.version === RANGE_TEST_VERSION;
}

export function pairKey(p: Policy): string {
  if (p.kind === 'lrfree') return `lrfree:${p.optimizer}${p.warmupSteps === undefined ? '' : `+warmup${p.warmupSteps}`}${p.keepBest ? '+best' : ''}${p.lr === undefined ? '' : `@${p.lr.toPrecision(6)}`}`;
  if (p.kind === 'onecycle') return `onecycle${p.swa ? '+swa' : ''}${p.ema ? '+ema' : ''}:${p.maxLR.toPrecision(6)}`;
  return p.kind === 'fixed' ? `fixed${p.ema ? '+ema' : ''}:${p.lr}` : `clr${p.swa ? '+swa' : ''}${p.ema ? '+ema' : ''}:${p.baseLR.toPrecision(6)}-${p.maxLR.toPrecision(6)}`;
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

/** A run scored with hindsight on its weights: the better of the raw and (when it averaged) the averaged weights' accuracy. */
export const betterWeights = (o: RunOutcome): number => Math.max(o.accuracy, o.averagedAccuracy ?? -Infinity);

export const pct = (v: number) => (v * 100).toFixed(2);
export const lr3 = (v: number) => Number(v.toPrecision(3)).toString();

export interface Row {
  task: string;
  seed: number;
  /** The range test's budget (iterations). */
  budget: number;
  /** Where its probes started (`rangeTest`'s `probeWeights`). */
  probeWeights: 'current' | 'fresh';
  rule: string;
  baseLR: number | null;
  maxLR: number | null;
  confidence: string;
  /** max/min of the probes' own readings (the suggestion's spread), if it has one. */
  probeSpread: number | null;
  accuracy: number | null;
  regret: number | null;
  matchesFixed: boolean | null;
  /** Accuracy minus the best fixed LR's, in points. */
  vsFixed: number | null;
}

/**
 * A range test's key: `task|seed`, then `|b<budget>` for another budget than the default and `|fresh`
 * for probes from fresh initializations (`--probe-weights fresh`).
 */
export function rangeTestKey(key: string): { task: string; seed: number; budget: number; probeWeights: 'current' | 'fresh' } {
  const [task, seedText, ...variant] = key.split('|');
  const budgetText = variant.find((v) => /^b\d+$/.test(v));
  return { task, seed: Number(seedText), budget: budgetText ? Number(budgetText.slice(1)) : DEFAULT_BUDGET, probeWeights: variant.includes('fresh') ? 'fresh' : 'current' };
}

/** The key of a range test run with `budget` and `probeWeights` (the inverse of {@link rangeTestKey}). */
export function rangeTestKeyOf(prefix: string, budget: number, probeWeights: 'current' | 'fresh'): string {
  return `${prefix}${budget === DEFAULT_BUDGET ? '' : `|b${budget}`}${probeWeights === 'fresh' ? '|fresh' : ''}`;
}

/** The multiple of the suggested maxLR `scheduleFreeSGDOptions` train at: `scheduleFreeSGDFactor` of the budget and of `trainingEdge`. */
export function librarySGDFactor(iterations: number, curve: RangeTestResult, maxLR: number): number {
  return scheduleFreeSGDFactor(iterations, trainingEdge(curve, maxLR).nearEdge);
}

/**
 * The LR the library's recipe of the task's family trains with — `scheduleFreeAdamWOptions` (Adam) or
 * `scheduleFreeSGDOptions` (Momentum SGD) of this range test — or null (another optimizer, or no maxLR).
 */
export function recipeLR(study: Study, task: string, curve: RangeTestResult, maxLR: number | null): number | null {
  const t = study.tasks[task];
  if (maxLR === null || t === undefined) return null;
  if (t.optimizer === 'adam') return scheduleFreeLR(maxLR).learningRate;
  return t.optimizer === 'momentum' ? librarySGDFactor(t.iterations, curve, maxLR) * maxLR : null;
}

/** The default rule's reading of every current range test at the default budget from the model's own weights, with a grid or without (held-out tasks), and the LR the family's recipe trains with. */
export function defaultReadings(study: Study): Array<Pick<Row, 'task' | 'seed' | 'maxLR' | 'confidence' | 'probeSpread'> & { recipeLR: number | null }> {
  return Object.entries(study.rangeTests).flatMap(([key, rt]) => {
    const { task, seed, budget, probeWeights } = rangeTestKey(key);
    if (!stillValid(rt) || budget !== DEFAULT_BUDGET || probeWeights !== 'current') return [];
    const s = suggestBounds(rt.result);
    return [{ task, seed, maxLR: s.maxLR, confidence: s.confidence, probeSpread: s.spread ? s.spread.ratio : null, recipeLR: recipeLR(study, task, rt.result, s.maxLR) }];
  });
}

/**
 * The maxLR of the best CyclicLR run trained on a task and seed — the grid's pairs and every rule's bounds
 * (denser near the answer than the grid), chosen with hindsight on the test set.
 */
function bestClrMaxLR(study: Study, task: string, seed: number): number {
  const prefix = `${task}|${seed}|clr:`;
  let best = { accuracy: -Infinity, maxLR: NaN };
  for (const [key, o] of Object.entries(study.runs)) {
    if (!key.startsWith(prefix) || o.accuracy <= best.accuracy) continue;
    best = { accuracy: o.accuracy, maxLR: Number(key.slice(prefix.length).split('-')[1]) };
  }
  return best.maxLR;
}

export function studyRows(study: Study): { rows: Row[]; grid: Array<{ task: string; seed: number; bestGrid: number; bestGridName: string; bestFixed: number; bestFixedLR: number; bestClrMaxLR: number; cost: number }> } {
  const rows: Row[] = [];
  const grid = [];
  const find = runIndex(study);
  for (const [key, rt] of Object.entries(study.rangeTests)) {
    if (!stillValid(rt)) continue;
    const { task, seed, budget, probeWeights } = rangeTestKey(key);
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
        probeWeights,
        rule: c.name,
        baseLR: s.baseLR,
        maxLR: s.maxLR,
        confidence: s.confidence,
        probeSpread: s.spread ? s.spread.ratio : null,
        accuracy: o ? o.accuracy : null,
        regret: o ? bestGrid - o.accuracy : null,
        matchesFixed: o ? o.accuracy >= bestFixed.o.accuracy : null,
        vsFixed: o ? o.accuracy - bestFixed.o.accuracy : null,
      };
    };
    if (budget !== DEFAULT_BUDGET || probeWeights !== 'current') {
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
      bestClrMaxLR: bestClrMaxLR(study, task, seed),
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

/** Compact JSON with floats rounded to 8 significant digits (the study file stays small). */
export function compactJSON(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(8)) : v));
}

/** One learning-rate-free optimizer's run on a task and seed, against the same grid as the range test's rules. */
export interface LRFreeRow {
  task: string;
  seed: number;
  optimizer: LRFreeName;
  accuracy: number;
  regret: number;
}

/** Rows for the learning-rate-free optimizers that ran, on the tasks and seeds the grid covers. */
export function lrFreeRows(study: Study): LRFreeRow[] {
  const { grid } = studyRows(study);
  const find = runIndex(study);
  return grid.flatMap((g) => {
    const family = g.task.split('@')[1] ?? 'momentum';
    return (Object.keys(LR_FREE) as LRFreeName[])
      .filter((name) => LR_FREE[name].family === family)
      .flatMap((optimizer) => {
        const o = find(g.task, g.seed, { kind: 'lrfree', optimizer });
        return o ? [{ task: g.task, seed: g.seed, optimizer, accuracy: o.accuracy, regret: g.bestGrid - o.accuracy }] : [];
      });
  });
}
