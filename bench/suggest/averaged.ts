/**
 * bench:suggest's "same averaging on both sides" section: the zero-config recipes with an EMA of the
 * weights (what the README recommends beside CLR) against the grid trained again with the same EMA
 * (`--grid-ema`), hindsight taking whichever of each grid run's raw or averaged weights scored higher.
 * The plain regret compares the recipe's raw weights with a grid without averaging; this is the same
 * question with the averaging given to both sides.
 */
import type { Policy } from './train.js';
import { SCHEDULE_FREE_SGD_NEAR_EDGE_FACTOR, SCHEDULE_FREE_SGD_WARMUP } from 'tfjs-clr';
import { averagedRuns, CONST_EMA_MULTIPLES, LIBRARY_SF_SGD, SF_SGD_WARMUPS, type AveragedRuns } from './menu.js';
import { betterWeights, runIndex, type Study, type studyRows } from './report.js';

type Grid = ReturnType<typeof studyRows>['grid'];

/** One task and seed: the grid's best without and with the EMA, and each recipe's averaged weights. */
export interface AveragedRow {
  task: string;
  seed: number;
  /** Best of the grid as trained for the plain regret (raw weights, no averaging). */
  bestGrid: number;
  /** Best of the same grid trained with an EMA beside: each run's better of raw and averaged weights. */
  bestGridEma: number;
  /** The grid run that gave `bestGridEma`. */
  bestGridEmaName: string;
  /** Each zero-config recipe's averaged weights (null: not run), by the recipe's name in {@link RECIPES}. */
  recipes: Record<string, number | null>;
}

/**
 * The zero-config recipes that average, compared here: name, and the accuracy of what a user gets on a task
 * and seed (the EMA's averaged weights; Schedule-Free's evaluation point, an average of its own).
 */
const RECIPES: Array<[string, (runs: AveragedRuns, task: string, seed: number) => number | undefined]> = [
  ['CLR (triangular2) + EMA', (runs, task, seed) => runs.scheduled(task, seed, 'clr')?.averagedAccuracy],
  ['1cycle + EMA', (runs, task, seed) => runs.scheduled(task, seed, 'onecycle')?.averagedAccuracy],
  ...CONST_EMA_MULTIPLES.map((m): (typeof RECIPES)[number] => [`constant ${m === 1 ? '' : `${m} × `}maxLR + EMA`, (runs, task, seed) => runs.constant(task, seed, m)?.averagedAccuracy]),
  ...SF_SGD_WARMUPS.map((w): (typeof RECIPES)[number] => [
    `Schedule-Free SGD at ${SCHEDULE_FREE_SGD_NEAR_EDGE_FACTOR} × maxLR, warmup ${w * 100} %`,
    (runs, task, seed) => runs.scheduleFreeSGD(task, seed, SCHEDULE_FREE_SGD_NEAR_EDGE_FACTOR, w)?.accuracy,
  ]),
  [
    `Schedule-Free SGD at ${LIBRARY_SF_SGD} maxLR, warmup ${SCHEDULE_FREE_SGD_WARMUP * 100} %`,
    (runs, task, seed) => runs.scheduleFreeSGD(task, seed, 'library', SCHEDULE_FREE_SGD_WARMUP)?.accuracy,
  ],
];

/** Rows for every task and seed whose whole grid also ran with an EMA. */
export function averagedRows(study: Study, grid: Grid): AveragedRow[] {
  const find = runIndex(study);
  const runs = averagedRuns(study, find);
  return grid.flatMap((g) => {
    const t = study.tasks[g.task];
    if (!t) return [];
    const policies: Array<[string, Policy]> = [
      ...t.fixedGrid.map((lr): [string, Policy] => [`fixed ${lr}`, { kind: 'fixed', lr, ema: true }]),
      ...t.clrGrid.map(([baseLR, maxLR]): [string, Policy] => [`CLR ${baseLR}–${maxLR}`, { kind: 'clr', baseLR, maxLR, ema: true }]),
    ];
    let best = { accuracy: -Infinity, name: '' };
    for (const [name, p] of policies) {
      const o = find(g.task, g.seed, p);
      if (!o) return [];
      const a = betterWeights(o);
      if (a > best.accuracy) best = { accuracy: a, name: `${name}${a === o.accuracy ? '' : ' (averaged)'}` };
    }
    const recipes = Object.fromEntries(RECIPES.map(([name, run]) => [name, run(runs, g.task, g.seed) ?? null]));
    return [{ task: g.task, seed: g.seed, bestGrid: g.bestGrid, bestGridEma: best.accuracy, bestGridEmaName: best.name, recipes }];
  });
}

const stats = (v: number[]) => (v.length === 0 ? '– | –' : `${(v.reduce((x, y) => x + y, 0) / v.length).toFixed(2)} | ${Math.max(...v).toFixed(2)}`);

/** The section of report.md; nothing when no grid ran with an EMA. */
export function averagedSection(study: Study, grid: Grid, familyOf: (task: string) => string, title: (family: string) => string): string[] {
  const rows = averagedRows(study, grid);
  if (rows.length === 0) return [];
  const families = [...new Set(rows.map((r) => familyOf(r.task)))];
  // The recipes that ran somewhere.
  const ran = RECIPES.map(([name]) => name).filter((name) => rows.some((r) => r.recipes[name] !== null));
  const line = (family: string, name: string, pick: (r: AveragedRow) => number | null): string[] => {
    const mine = rows.filter((r) => familyOf(r.task) === family && pick(r) !== null);
    if (mine.length === 0) return [];
    const plain = mine.map((r) => 100 * (r.bestGrid - (pick(r) as number)));
    const same = mine.map((r) => 100 * (r.bestGridEma - (pick(r) as number)));
    const matches = mine.filter((r) => (pick(r) as number) >= r.bestGridEma).length;
    return [`| ${title(family)} | ${name} | ${mine.length} | ${stats(plain)} | ${stats(same)} | ${matches}/${mine.length} |`];
  };
  return [
    '## The recipe with an EMA against the grid with the same EMA',
    '',
    'Regret of the zero-config recipes with an EMA of the weights (their averaged weights, what a user gets) against the',
    'grid (fixed LRs and CLR bound pairs) as trained for the plain regret, and against the same grid trained again with the',
    'same EMA beside (`--grid-ema`; hindsight takes each grid run\'s better of raw and averaged weights), in points. Only',
    'task × seed pairs whose whole grid ran with the EMA.',
    '',
    '| optimizer | recipe | runs | mean regret, grid as trained | worst | mean regret, grid with the EMA | worst | ≥ best of the grid with the EMA |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...families.flatMap((f) => ran.flatMap((name) => line(f, `zero-config ${name}`, (r) => r.recipes[name]))),
    '',
    `| task | seed | best of the grid as trained | best of the grid with the EMA | ${ran.join(' | ')} |`,
    `| --- | --- | --- | --- | ${ran.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => {
      const p = (v: number | null) => (v === null ? '–' : (100 * v).toFixed(2));
      return `| ${r.task} | ${r.seed} | ${p(r.bestGrid)} | ${p(r.bestGridEma)} (${r.bestGridEmaName}) | ${ran.map((name) => p(r.recipes[name])).join(' | ')} |`;
    }),
    '',
  ];
}
