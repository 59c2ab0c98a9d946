/**
 * bench:suggest's "whole menu" table: per task and optimizer family, the test accuracy of every recipe
 * a user could take without tuning (zero-config triangular2, zero-config 1cycle at each peak reading,
 * the learning-rate-free optimizers at their defaults), beside the best fixed LR of the grid (chosen
 * with hindsight), over the same seeds: mean, and max − min across seeds (the outcome's spread).
 */
import { DEFAULT_RULE, suggestBounds, type BoundsSuggestion, type RangeTestResult } from 'tfjs-clr';
import { DEFAULT_ONE_CYCLE_READING, ONE_CYCLE_READINGS, oneCyclePeak, SCHEDULE_FREE_ADAMW_DEFAULT_LR, SCHEDULE_FREE_ADAMW_WARMUP, scheduleFreeLR, type ScheduleFreeLROptions } from 'tfjs-clr';
import { SCHEDULE_FREE_SGD_LONG_RUN, SCHEDULE_FREE_SGD_LONG_RUN_FACTOR, SCHEDULE_FREE_SGD_LR_FACTOR, SCHEDULE_FREE_SGD_NEAR_EDGE_FACTOR, SCHEDULE_FREE_SGD_WARMUP } from 'tfjs-clr';
import { LR_FREE, scheduleFreeAdamWWarmup, scheduleFreeSGDRun, type LRFreeName, type RunOutcome } from './train.js';
import { atOrAbove, mean, pairedSdRatio, pooledSd, sdOf, signed, t975 } from '../stats.js';
import { betterWeights, librarySGDFactor, pct, runIndex, type studyRows, type Study } from './report.js';

/** The grid's best per task and seed (studyRows' `grid`, computed once by the report). */
type Grid = ReturnType<typeof studyRows>['grid'];

/** One recipe's accuracy on each seed of a task (null: not run on that seed). */
interface Recipe {
  name: string;
  accuracy: (task: string, seed: number) => number | null;
}

/**
 * The multiples of the suggested maxLR bench:suggest's `--const-ema` runs trained at (a constant LR, an EMA
 * beside): 1 and ½ first, then 0.7 and 0.35 around the better one (is ½ the best multiple?).
 */
export const CONST_EMA_MULTIPLES = [1, 0.7, 0.5, 0.35];

/** The multiples of Momentum SGD's suggested maxLR bench:suggest's `--sf-sgd` runs trained Schedule-Free SGD at. */
export const SF_SGD_MULTIPLES = [2.5, 5, 10];
/** The same with a linear warmup over each of SF_SGD_WARMUPS of the budget (`--sf-warmup 0.05`, `0.1`: the library's `scheduleFreeSGDOptions`), as its authors recommend. */
export const SF_SGD_WARMUP_MULTIPLES = [5, 10, 15, 20];
export const SF_SGD_WARMUPS = [0.05, 0.1];
/** How the menu names the library's own multiple (`scheduleFreeSGDOptions`): `scheduleFreeSGDFactor` of the budget and of `trainingEdge`. */
export const LIBRARY_SF_SGD = `the library's multiple (${SCHEDULE_FREE_SGD_LR_FACTOR}×, ${SCHEDULE_FREE_SGD_LONG_RUN_FACTOR}× from ${SCHEDULE_FREE_SGD_LONG_RUN} steps, ${SCHEDULE_FREE_SGD_NEAR_EDGE_FACTOR}× where the range test found the edge) of`;
/** The multiple the library took before it read the curve (2026-12-06): by the budget alone, 10× below 1,500 steps, 20× from 1,500. */
export const BY_LENGTH_SF_SGD = `the budget's multiple alone (10×, ${SCHEDULE_FREE_SGD_LONG_RUN_FACTOR}× from ${SCHEDULE_FREE_SGD_LONG_RUN} steps) of`;
/** `'library'`: the library's multiple; `'length'`: the earlier rule by the budget alone ({@link BY_LENGTH_SF_SGD}). */
export type SFSGDMultiple = number | 'library' | 'length';

/**
 * The warmups (fractions of the budget) bench:suggest's `--sf-adamw-warmup` runs were tried with: the library's 10 %
 * (`SCHEDULE_FREE_ADAMW_WARMUP`) first, then 5 % and 20 % beside it (2026-12-07, night).
 */
export const SF_ADAMW_WARMUPS = [SCHEDULE_FREE_ADAMW_WARMUP, 0.05, 0.2];

/** The Adam recipe warmed up over `w` of the budget, as `recipes()` names it. */
const recipeWarmedUp = (w: number) => `range test + scheduleFreeAdamW at \`scheduleFreeAdamWOptions\`, warmup over ${w * 100} % of the budget`;
/**
 * The warmed-up recipe with its LR held to at most `r`× the default from above instead of the library's 8× (below the
 * default it is the library's: `scheduleFreeLR`'s `maxRatio` would hold it from both sides, untrained).
 */
const recipeCeiling = (r: number) => `${recipeWarmedUp(SCHEDULE_FREE_ADAMW_WARMUP)}, its LR at most ${r}× the default`;
/** Ceilings tried below the library's: a row only where the study trained a run the library's recipe did not (`--sf-fixed` at that LR, warmed up). */
const SF_CEILINGS = [4];
/** Schedule-Free AdamW's defaults warmed up over `w` of the budget, as `recipes()` names them. */
const defaultsWarmedUp = (w: number) => `scheduleFreeAdamW (defaults), warmup over ${w * 100} % of the budget`;

/** The fixed learning rates bench:suggest's `--sf-fixed` runs were trained at (2, 4, 8 and 16 × the default 0.0025). */
const SF_SWEEP = [0.005, 0.01, 0.02, 0.04];

/** The zero-config runs with weight averaging beside, looked up on one index of the study's runs. */
export interface AveragedRuns {
  /** CLR (the default rule's bounds) or 1cycle (the default peak) with an EMA (`--ema`) or SWA at CLR's cycle ends (`--swa`). */
  scheduled(task: string, seed: number, schedule: 'clr' | 'onecycle', mode?: 'ema' | 'swa'): RunOutcome | undefined;
  /** A constant LR at `multiple` × the suggested maxLR with an EMA (`--const-ema`). */
  constant(task: string, seed: number, multiple: number): RunOutcome | undefined;
  /**
   * Schedule-Free SGD (its own averaging) at `multiple` × the suggested maxLR, with a warmup over `warmup` of the budget
   * (`--sf-sgd`, `--sf-warmup`); `'library'`: the multiple the library's `scheduleFreeSGDFactor` gives the task's budget
   * and `trainingEdge`; `'length'`: the budget's alone (10×, or 20× from 1,500 steps).
   */
  scheduleFreeSGD(task: string, seed: number, multiple: SFSGDMultiple, warmup?: number): RunOutcome | undefined;
}

export function averagedRuns(study: Study, find = runIndex(study)): AveragedRuns {
  const suggested = (task: string, seed: number) => {
    const curve = study.rangeTests[`${task}|${seed}`]?.result as RangeTestResult | undefined;
    return curve ? { curve, s: suggestBounds(curve) } : null;
  };
  return {
    scheduled(task, seed, schedule, mode = 'ema') {
      const z = suggested(task, seed);
      if (z?.s.baseLR == null || z.s.maxLR == null) return undefined;
      if (schedule === 'clr') return find(task, seed, { kind: 'clr', baseLR: z.s.baseLR, maxLR: z.s.maxLR, [mode]: true });
      const peak = oneCyclePeak(z.curve, z.s, DEFAULT_ONE_CYCLE_READING);
      return peak === null ? undefined : find(task, seed, { kind: 'onecycle', maxLR: peak, [mode]: true });
    },
    constant(task, seed, multiple) {
      const maxLR = suggested(task, seed)?.s.maxLR;
      return maxLR == null ? undefined : find(task, seed, { kind: 'fixed', lr: multiple * maxLR, ema: true });
    },
    scheduleFreeSGD(task, seed, multiple, warmup) {
      const z = suggested(task, seed);
      const maxLR = z?.s.maxLR;
      const iterations = study.tasks[task]?.iterations;
      if (z == null || maxLR == null || iterations === undefined) return undefined;
      const m =
        multiple === 'library'
          ? librarySGDFactor(iterations, z.curve, maxLR)
          : multiple === 'length'
            ? iterations < SCHEDULE_FREE_SGD_LONG_RUN ? SCHEDULE_FREE_SGD_NEAR_EDGE_FACTOR : SCHEDULE_FREE_SGD_LONG_RUN_FACTOR
            : multiple;
      return find(task, seed, scheduleFreeSGDRun(m, maxLR, iterations, warmup));
    },
  };
}

/** The recipes of a family, read from the study's runs. */
function recipes(study: Study, grid: Grid, family: string): Recipe[] {
  const find = runIndex(study);
  const averaged = averagedRuns(study, find);
  const rt = (task: string, seed: number, variant = '') => study.rangeTests[`${task}|${seed}${variant}`]?.result as RangeTestResult | undefined;
  const zeroConfigOf = (variant: string): Recipe => ({
    name: `zero-config CLR (triangular2, \`${DEFAULT_RULE}\`)${variant === '|fresh' ? ', fresh probes' : ''}`,
    accuracy: (task, seed) => {
      const curve = rt(task, seed, variant);
      const s = curve ? suggestBounds(curve) : null;
      return s?.baseLR != null && s.maxLR != null ? find(task, seed, { kind: 'clr', baseLR: s.baseLR, maxLR: s.maxLR })?.accuracy ?? null : null;
    },
  });
  const oneCycle = ONE_CYCLE_READINGS.map(
    (reading): Recipe => ({
      name: `zero-config 1cycle, peak \`${reading}\``,
      accuracy: (task, seed) => {
        const curve = rt(task, seed);
        const peak = curve ? oneCyclePeak(curve, suggestBounds(curve), reading) : null;
        return peak === null ? null : find(task, seed, { kind: 'onecycle', maxLR: peak })?.accuracy ?? null;
      },
    }),
  );
  // Every learning-rate-free optimizer, read where the study ran it (its family's task key), in both tables.
  const keyIn = (task: string, fam: string) => (fam === 'momentum' ? task.split('@')[0] : `${task.split('@')[0]}@${fam}`);
  const swaOf = (which: 'raw' | 'averaged'): Recipe => ({
    name: `zero-config 1cycle + SWA (last quarter), ${which} weights`,
    accuracy: (task, seed) => {
      const curve = rt(task, seed);
      const peak = curve ? oneCyclePeak(curve, suggestBounds(curve), DEFAULT_ONE_CYCLE_READING) : null;
      const o = peak === null ? undefined : find(task, seed, { kind: 'onecycle', maxLR: peak, swa: true });
      return o === undefined ? null : which === 'raw' ? o.accuracy : o.averagedAccuracy ?? null;
    },
  });
  // An EMA of every batch's weights beside the zero-config CLR and 1cycle runs (`--ema`), or SWA at each of
  // CLR's cycle ends (`--swa` with the rules): the averaged weights' score.
  const emaOf = (schedule: 'clr' | 'onecycle', mode: 'ema' | 'swa' = 'ema', which: 'raw' | 'averaged' = 'averaged'): Recipe => ({
    name: `zero-config ${schedule === 'clr' ? 'CLR (triangular2)' : '1cycle'} + ${mode === 'ema' ? 'EMA' : 'SWA at cycle ends'}, ${which} weights`,
    accuracy: (task, seed) => {
      const o = averaged.scheduled(task, seed, schedule, mode);
      return (which === 'raw' ? o?.accuracy : o?.averagedAccuracy) ?? null;
    },
  });
  const free = (Object.keys(LR_FREE) as LRFreeName[]).map(
    (optimizer): Recipe => ({
      name: `${optimizer} (defaults)${LR_FREE[optimizer].family === family ? '' : ' †'}`,
      accuracy: (task, seed) => find(keyIn(task, LR_FREE[optimizer].family), seed, { kind: 'lrfree', optimizer })?.accuracy ?? null,
    }),
  );
  // Schedule-Free AdamW with the range test choosing its LR (Adam's range test; its other settings at their
  // defaults): `lrOf` reads the LR from the curve, undefined for the run at the optimizer's default LR.
  // `warmup`: the runs warmed up over that fraction of the budget (`--sf-adamw-warmup`), or a function of the LR read
  // giving it (undefined: no warmup); `kept`: the `--keep-best` run's weights at its lowest validation loss or highest
  // validation accuracy.
  type Warmup = number | ((lr: number | undefined) => number | undefined);
  const sfRecipe = (name: string, variant: string, lrOf: (curve: RangeTestResult, s: BoundsSuggestion) => number | undefined | null, warmupOf?: Warmup, kept?: 'loss' | 'acc'): Recipe => ({
    name,
    accuracy: (task, seed) => {
      const key = keyIn(task, 'adam');
      const curve = rt(key, seed, variant);
      const lr = curve ? lrOf(curve, suggestBounds(curve)) : null;
      if (lr === null) return null;
      const warmup = typeof warmupOf === 'function' ? warmupOf(lr) : warmupOf;
      const iterations = study.tasks[key]?.iterations;
      if (warmup !== undefined && iterations === undefined) return null;
      const warmupSteps = warmup === undefined ? {} : { warmupSteps: scheduleFreeAdamWWarmup(warmup, iterations as number) };
      const o = find(key, seed, { kind: 'lrfree', optimizer: 'scheduleFreeAdamW', ...(lr === undefined ? {} : { lr }), ...warmupSteps, ...(kept ? { keepBest: true } : {}) });
      return (kept ? o?.kept?.[kept] : o?.accuracy) ?? null;
    },
  });
  const libraryLR = (options: ScheduleFreeLROptions) => (_c: RangeTestResult, s: BoundsSuggestion): number | undefined | null => {
    if (s.maxLR === null) return null;
    const sf = scheduleFreeLR(s.maxLR, options);
    return sf.from === 'default' ? undefined : sf.learningRate;
  };
  // The defaults and the library's recipe, warmed up (`--sf-adamw-warmup`).
  const sfWarm = SF_ADAMW_WARMUPS.flatMap((w) => [
    sfRecipe(defaultsWarmedUp(w), '', () => undefined, w),
    sfRecipe(recipeWarmedUp(w), '', libraryLR({}), w),
  ]);
  // The library's warmup only where the gate keeps the default LR (the defaults warmed up there, the range test's LR
  // unwarmed elsewhere): read from the same runs, no run of its own.
  const own = SCHEDULE_FREE_ADAMW_WARMUP;
  const sfWarmAtDefault = sfRecipe(`${recipeWarmedUp(own)} only where it keeps the default LR`, '', libraryLR({}), (lr) => (lr === undefined ? own : undefined));
  // The same with a lower ceiling: where the library's LR is above it, the `--sf-fixed` run at the ceiling (warmed up),
  // else the library's own run. Kept only where it scores a run the library's recipe does not (the experiment ran).
  const library = libraryLR({});
  const libraryWarm = sfWarm.find((r) => r.name === recipeWarmedUp(own)) as Recipe;
  const pairs = taskSeeds(study, grid);
  const ceilings = SF_CEILINGS.map((r) => sfRecipe(recipeCeiling(r), '', (c, s) => {
    const lr = library(c, s);
    return lr == null ? lr : Math.min(lr, r * SCHEDULE_FREE_ADAMW_DEFAULT_LR);
  }, own)).filter((c) => pairs.some(({ task, seed }) => {
    const acc = c.accuracy(task, seed);
    return acc !== null && acc !== libraryWarm.accuracy(task, seed);
  }));
  // The same runs keeping the best weights by the validation split (`--keep-best`), and the plain defaults' too.
  const KEPT = { loss: 'keepBest (lowest val_loss)', acc: 'keepBest (highest val_acc)' } as const;
  const sfKept = (['loss', 'acc'] as const).flatMap((kept) => [
    sfRecipe(`scheduleFreeAdamW (defaults) + ${KEPT[kept]}`, '', () => undefined, undefined, kept),
    sfRecipe(`${defaultsWarmedUp(own)} + ${KEPT[kept]}`, '', () => undefined, own, kept),
    sfRecipe(`${recipeWarmedUp(own)} + ${KEPT[kept]}`, '', libraryLR({}), own, kept),
  ]);
  const sfAt = [
    ...['', '|fresh'].flatMap((variant) => ONE_CYCLE_READINGS.map((reading) =>
      sfRecipe(`range test${variant === '|fresh' ? ' (fresh probes)' : ''} + scheduleFreeAdamW at the \`${reading}\` LR`, variant, (c, s) => oneCyclePeak(c, s, reading)),
    )),
    // What rangeTest's scheduleFreeAdamWOptions give: the default's run where 2× maxLR is within 2× of it, else the
    // `double` run, or (held to 8× the default) the `--sf-fixed 0.02` run; and the same gate without the ceiling.
    ...([
      ['range test + scheduleFreeAdamW at `scheduleFreeAdamWOptions` (default LR unless 2× maxLR is over 2× away; at most 8× away)', {}],
      ['range test + scheduleFreeAdamW, default LR unless 2× maxLR is over 2× away (the gate alone, no ceiling)', { maxRatio: Infinity }],
    ] as Array<[string, ScheduleFreeLROptions]>).map(([name, options]) => sfRecipe(name, '', libraryLR(options))),
    ...sfWarm,
    ...ceilings,
    sfWarmAtDefault,
    ...sfKept,
  ];
  // Schedule-Free AdamW at fixed multiples of its default LR (`--sf-fixed`): its LR against the budget.
  const sfFixed = SF_SWEEP.map((lr): Recipe => ({
    name: `scheduleFreeAdamW at ${lr} (${lr / SCHEDULE_FREE_ADAMW_DEFAULT_LR}× its default; fixed, no range test)`,
    accuracy: (task, seed) => find(keyIn(task, 'adam'), seed, { kind: 'lrfree', optimizer: 'scheduleFreeAdamW', lr })?.accuracy ?? null,
  }));
  // Schedule-Free SGD with Momentum SGD's range test choosing its LR (`--sf-sgd`): a multiple of the suggested maxLR,
  // without a warmup or (`--sf-warmup`) with one over a fraction of the budget.
  const sfSgdOf = (m: SFSGDMultiple, warmup?: number): Recipe => ({
    name: `range test + scheduleFreeSGD at ${m === 'library' ? LIBRARY_SF_SGD : m === 'length' ? BY_LENGTH_SF_SGD : `${m} ×`} the suggested maxLR${warmup === undefined ? '' : `, warmup over ${warmup * 100} % of the budget`}`,
    accuracy: (task, seed) => averaged.scheduleFreeSGD(keyIn(task, 'momentum'), seed, m, warmup)?.accuracy ?? null,
  });
  const sfSgd = [
    ...SF_SGD_MULTIPLES.map((m) => sfSgdOf(m)),
    ...SF_SGD_WARMUPS.flatMap((w) => SF_SGD_WARMUP_MULTIPLES.map((m) => sfSgdOf(m, w))),
    sfSgdOf('length', SCHEDULE_FREE_SGD_WARMUP),
    sfSgdOf('library', SCHEDULE_FREE_SGD_WARMUP),
  ];
  const bestFixed: Recipe = {
    name: 'best fixed LR of the grid (hindsight)',
    accuracy: (task, seed) => grid.find((g) => g.task === task && g.seed === seed)?.bestFixed ?? null,
  };
  const constantEma = CONST_EMA_MULTIPLES.flatMap((m) => (['averaged', 'raw'] as const).map((which): Recipe => ({
    name: `zero-config constant LR (${m === 1 ? '' : `${m} × `}the suggested maxLR) + EMA, ${which} weights`,
    accuracy: (task, seed) => {
      const o = averaged.constant(task, seed, m);
      return (which === 'raw' ? o?.accuracy : o?.averagedAccuracy) ?? null;
    },
  })));
  // The same grid with an EMA beside (`--grid-ema`): hindsight takes each run's better of raw and averaged weights.
  const bestFixedEma: Recipe = {
    name: 'best fixed LR of the grid with an EMA (hindsight, raw or averaged weights)',
    accuracy: (task, seed) => {
      const runs = (study.tasks[task]?.fixedGrid ?? []).map((lr) => find(task, seed, { kind: 'fixed', lr, ema: true }));
      if (runs.length === 0 || runs.some((o) => o === undefined)) return null;
      return Math.max(...runs.map((o) => betterWeights(o as RunOutcome)));
    },
  };
  return [zeroConfigOf(''), zeroConfigOf('|fresh'), emaOf('clr'), emaOf('clr', 'ema', 'raw'), emaOf('clr', 'swa'), emaOf('clr', 'swa', 'raw'), ...oneCycle, swaOf('averaged'), swaOf('raw'), emaOf('onecycle'), emaOf('onecycle', 'ema', 'raw'), ...constantEma, ...free, ...(family === 'adam' ? [...sfAt, ...sfFixed] : sfSgd), bestFixed, bestFixedEma];
}

const FAMILIES = ['momentum', 'adam'];
const FAMILY_TITLE: Record<string, string> = { momentum: 'Momentum SGD (0.9)', adam: 'Adam' };

/**
 * Task and seed pairs: the grid's, and every other default range test's (a study without a grid, such as
 * --iterations-scale's, or a merge of folders of which only some trained the grid).
 */
function taskSeeds(study: Study, grid: Grid): Array<{ task: string; seed: number; cost: number }> {
  const pairs = grid.map((g) => ({ task: g.task, seed: g.seed, cost: g.cost }));
  const seen = new Set(pairs.map((p) => `${p.task}|${p.seed}`));
  for (const [k, v] of Object.entries(study.rangeTests)) {
    const parts = k.split('|');
    if (parts.length === 2 && !seen.has(k)) pairs.push({ task: parts[0], seed: Number(parts[1]), cost: v.iterations });
  }
  return pairs;
}

/** The seeds of one task among `taskSeeds`' pairs. */
const seedsOf = (pairs: ReturnType<typeof taskSeeds>, task: string): number[] => pairs.filter((g) => g.task === task).map((g) => g.seed);

const tasksOf = (pairs: Array<{ task: string }>, family: string) => [...new Set(pairs.map((g) => g.task).filter((t) => (t.split('@')[1] ?? 'momentum') === family))];

/** A report section: its heading and introduction over the family tables, or nothing when there are none. */
function section(title: string, intro: string[], tables: string[]): string[] {
  return tables.length === 0 ? [] : [`## ${title}`, '', ...intro, '', ...tables];
}

/** A family's table: a heading, then one row a recipe (its name, then one cell a column). */
function familyTable(heading: string, columns: string[], rows: string[][]): string[] {
  return [`### ${heading}`, '', `| recipe | ${columns.join(' | ')} |`, `| --- | ${columns.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`), ''];
}

/** The library's own recipe of each family (what `rangeTest` returns for it), Schedule-Free AdamW's defaults and hindsight's best fixed LR. */
const SPREAD_RECIPES: Record<string, string[]> = {
  momentum: [`range test + scheduleFreeSGD at ${LIBRARY_SF_SGD} the suggested maxLR, warmup over ${SCHEDULE_FREE_SGD_WARMUP * 100} % of the budget`],
  adam: ['range test + scheduleFreeAdamW at `scheduleFreeAdamWOptions`'],
};
const SPREAD_BESIDE = ['scheduleFreeAdamW (defaults)', 'best fixed LR of the grid (hindsight)'];

/**
 * The outcome's spread across seeds (#35's target: no wider than the best fixed LR's or Schedule-Free AdamW's), per task:
 * the standard deviation across seeds beside max − min, which grows with the number of seeds where σ does not.
 */
export function spreadSection(study: Study, grid: Grid): string[] {
  const pairs = taskSeeds(study, grid);
  const lines: string[] = [];
  for (const family of FAMILIES) {
    const tasks = tasksOf(pairs, family);
    const all = recipes(study, grid, family);
    for (const n of [...SPREAD_RECIPES[family], ...SPREAD_BESIDE]) {
      if (!all.some((r) => r.name.startsWith(n))) throw new Error(`spreadSection: no ${family} recipe's name starts "${n}" (renamed in recipes()? rename it here too)`);
    }
    const list = all.filter((r) => [...SPREAD_RECIPES[family], ...SPREAD_BESIDE].some((n) => r.name.startsWith(n)));
    /** A recipe's accuracies (points) on every seed of a task, in the seeds' order; null if it lacks one. */
    const accOf = (r: Recipe, t: string): number[] | null => {
      const acc = seedsOf(pairs, t).map((s) => r.accuracy(t, s));
      return acc.length >= 2 && acc.every((v) => v !== null) ? (acc as number[]).map((v) => v * 100) : null;
    };
    const defaults = list.find((r) => r.name.startsWith(SPREAD_BESIDE[0]));
    const rows = list.map((r) => {
      const accs = tasks.map((t) => accOf(r, t));
      const cells = accs.map((acc) => (acc === null ? null : { sd: sdOf(acc), range: Math.max(...acc) - Math.min(...acc) }));
      // Over the tasks: σ pooled (the tasks' variances weighted by seeds − 1), and against the defaults' runs of the
      // same seeds, the ratio of the pooled σ with its paired 95 % interval; only where every task has the recipe.
      const whole = accs.every((a) => a !== null) ? (accs as number[][]) : null;
      const theirs = defaults === undefined || defaults === r ? null : tasks.map((t) => accOf(defaults, t));
      const both = whole !== null && theirs !== null && theirs.every((a) => a !== null) ? whole.map((x, i) => ({ x, y: theirs[i] as number[] })) : null;
      const ratio = both === null ? null : pairedSdRatio(both);
      return {
        name: r.name,
        cells,
        pooled: whole === null ? '–' : pooledSd(whole).toFixed(2),
        ratio: ratio === null ? '–' : `${ratio.ratio.toFixed(2)} [${ratio.lo.toFixed(2)}, ${ratio.hi.toFixed(2)}]`,
      };
    }).filter((row) => row.cells.some((c) => c !== null));
    if (rows.length === 0) continue;
    // Tasks of a merge may have different seed counts (5 on one, 10 on another): the title gives the range.
    const counts = tasks.map((t) => seedsOf(pairs, t).length);
    const [few, most] = [Math.min(...counts), Math.max(...counts)];
    lines.push(...familyTable(`${FAMILY_TITLE[family]}: ${few === most ? most : `${few}–${most}`} seeds`, [...tasks, 'σ pooled over the tasks', "÷ the defaults' pooled σ [95 %]"], rows.map((row) => [row.name, ...row.cells.map((c) => (c === null ? '–' : `${c.sd.toFixed(2)} (${c.range.toFixed(1)})`)), row.pooled, row.ratio])));
  }
  return section('The outcome\'s spread across seeds', [
    'Per task, the standard deviation of the test accuracy (points) across seeds and, in brackets, max − min (which grows',
    'with the number of seeds; σ does not): the library\'s recipe of each family (what `rangeTest` returns for it) beside',
    'Schedule-Free AdamW at its defaults and the best fixed LR of the grid, chosen on each seed with hindsight. Over the',
    'tasks: σ pooled (the root of the tasks\' variances weighted by seeds − 1), and that σ as a multiple of the defaults\'',
    'on the same seeds with a 95 % interval (Pitman–Morgan, paired by seed, each task centred on its own mean; an interval',
    'that spans 1 means the seeds of these runs cannot tell the two spreads apart).',
  ], lines);
}

/** The menu section of report.md: one table per optimizer family, plus the mean over tasks. */
export function menuSection(study: Study, grid: Grid): string[] {
  const lines = [
    '## The whole menu: every zero-config recipe, by task',
    '',
    'Test accuracy (%) at the end of each task\'s budget, mean over the seeds and, in brackets, max − min across them (the',
    'seed\'s effect on the outcome). Every recipe on the same seeds, initial weights and data order; 1cycle runs over the',
    'whole budget with PyTorch\'s defaults (divFactor 25, pctStart 0.3, cosine, momentum 0.95 → 0.85 → 0.95) to the peak the',
    'range test gives (`right`: the right end of the probes\' loss floor, at most where the sweep diverged; `double`: twice',
    'the CLR maxLR; `suggested`: the CLR maxLR). The learning-rate-free optimizers of the other family are in its table',
    '(Schedule-Free AdamW beside Adam); † marks one from the other family, the same runs in both tables. A recipe with a',
    'missing seed shows how many it has (one complete on no task is left out); the mean over tasks has, in brackets, the',
    'mean over tasks of max − min.',
    '',
  ];
  const pairs = taskSeeds(study, grid);
  for (const family of FAMILIES) {
    const tasks = tasksOf(pairs, family);
    if (tasks.length === 0) continue;
    const list = recipes(study, grid, family);
    const cost = (task: string) => {
      const its = pairs.filter((g) => g.task === task).map((g) => g.cost);
      return `${study.tasks[task]?.iterations ?? '?'} (test ${Math.min(...its)}–${Math.max(...its)})`;
    };
    const cell = (r: Recipe, task: string): { text: string; mean: number | null; spread: number | null } => {
      const seeds = seedsOf(pairs, task);
      const acc = seeds.map((s) => r.accuracy(task, s)).filter((v): v is number => v !== null);
      if (acc.length === 0) return { text: '–', mean: null, spread: null };
      const m = mean(acc);
      const spread = (Math.max(...acc) - Math.min(...acc)) * 100;
      const whole = acc.length === seeds.length;
      return { text: `${pct(m)} (${spread.toFixed(1)})${whole ? '' : ` ${acc.length}/${seeds.length}`}`, mean: whole ? m : null, spread: whole ? spread : null };
    };
    lines.push(
      `### ${FAMILY_TITLE[family]}`,
      '',
      `| recipe | ${tasks.join(' | ')} | mean over tasks |`,
      `| --- | ${tasks.map(() => '---').join(' | ')} | --- |`,
      `| *training budget (range test's iterations)* | ${tasks.map(cost).join(' | ')} | |`,
      // A recipe tried on a few seeds only (an experiment left partial) is left out.
      ...list.filter((r) => tasks.some((t) => cell(r, t).mean !== null)).map((r) => {
        const cells = tasks.map((t) => cell(r, t));
        const means = cells.map((c) => c.mean);
        const whole = means.every((m) => m !== null);
        const overall = whole ? `${pct(mean(means as number[]))} (${mean(cells.map((c) => c.spread as number)).toFixed(1)})` : '–';
        return `| ${r.name} | ${cells.map((c) => c.text).join(' | ')} | ${overall} |`;
      }),
      '',
    );
  }
  return lines;
}

/** What the paired section sets against Schedule-Free AdamW's defaults, by family: the library's recipes, and the defaults warmed up (the noise floor: one setting changed). */
const PAIRED: Record<string, string[]> = {
  momentum: SPREAD_RECIPES.momentum,
  adam: [
    recipeWarmedUp(SCHEDULE_FREE_ADAMW_WARMUP),
    `${recipeWarmedUp(SCHEDULE_FREE_ADAMW_WARMUP)} + keepBest (highest val_acc)`,
    'range test + scheduleFreeAdamW at `scheduleFreeAdamWOptions` (default LR unless 2× maxLR is over 2× away; at most 8× away)',
    `${recipeWarmedUp(SCHEDULE_FREE_ADAMW_WARMUP)} only where it keeps the default LR`,
    defaultsWarmedUp(SCHEDULE_FREE_ADAMW_WARMUP),
  ],
};

/** The warmup study's paired table: the recipe at each other fraction tried against the library's. */
const WARMUP_PAIRED: Record<string, { ref: string; rows: string[] } | undefined> = {
  adam: { ref: recipeWarmedUp(SCHEDULE_FREE_ADAMW_WARMUP), rows: SF_ADAMW_WARMUPS.filter((w) => w !== SCHEDULE_FREE_ADAMW_WARMUP).map(recipeWarmedUp) },
};

/** Per-seed differences (points) of `r` against `ref` on one task's seeds; null unless both ran on every seed. */
function pairedDiffs(r: Recipe, ref: Recipe, task: string, seeds: number[]): number[] | null {
  const d = seeds.map((s) => {
    const a = r.accuracy(task, s);
    const b = ref.accuracy(task, s);
    return a === null || b === null ? null : (a - b) * 100;
  });
  return d.length >= 2 && d.every((v) => v !== null) ? (d as number[]) : null;
}

/**
 * A 95 % interval for the mean over tasks of each task's mean per-seed difference: its standard error from the tasks'
 * σ / √seeds, and Student's t at the Welch–Satterthwaite degrees of freedom (the tasks' σ differ).
 */
function intervalOf(ds: number[][]): { m: number; lo: number; hi: number } {
  const v = ds.map((d) => sdOf(d) ** 2 / d.length);
  const total = v.reduce((x, y) => x + y, 0);
  const df = total === 0 ? Infinity : total ** 2 / v.reduce((x, y, i) => x + y ** 2 / (ds[i].length - 1), 0);
  const m = mean(ds.map(mean));
  const half = (t975(df) * Math.sqrt(total)) / ds.length;
  return { m, lo: m - half, hi: m + half };
}

/**
 * Each of the library's recipes against Schedule-Free AdamW's defaults seed by seed (#35's "whatever the seed"): per task,
 * on how many seeds it is at or above the defaults' run of the same seed, the mean per-seed difference and its σ; over the
 * tasks, the count, the mean of the tasks' mean differences and a 95 % interval for it ({@link intervalOf}). The
 * defaults warmed up are the noise floor: a change of one setting that moves little.
 */
export function pairedSection(study: Study, grid: Grid): string[] {
  const pairs = taskSeeds(study, grid);
  const lines: string[] = [];
  const warmups: string[] = [];
  for (const family of FAMILIES) {
    const tasks = tasksOf(pairs, family);
    const list = recipes(study, grid, family);
    const tried = SF_CEILINGS.map(recipeCeiling).filter((n) => list.some((r) => r.name === n));
    const rows = pairedRows(list, 'scheduleFreeAdamW (defaults)', [...(PAIRED[family] ?? []), ...(family === 'adam' ? tried : [])], tasks, pairs, family);
    if (rows.length > 0) lines.push(...familyTable(FAMILY_TITLE[family], [...tasks, 'over the tasks'], rows));
    const other = WARMUP_PAIRED[family];
    const warm = other ? pairedRows(list, other.ref, [...other.rows, ...tried], tasks, pairs, family) : [];
    if (warm.length > 0) warmups.push(...familyTable(FAMILY_TITLE[family], [...tasks, 'over the tasks'], warm));
  }
  return [
    ...section('Seed by seed against Schedule-Free AdamW\'s defaults', [
      'Each library recipe against Schedule-Free AdamW at its defaults on the same seed (initial weights and data order): per',
      'task, the seeds on which it is at or above the defaults\' run, the mean difference in test accuracy (points) and its σ',
      'across seeds; over the tasks, the same count, the mean of the tasks\' mean differences and a 95 % interval for it',
      '(its standard error from the tasks\' σ / √seeds, Student\'s t at the Welch–Satterthwaite degrees of freedom). The',
      'defaults warmed up (one setting changed) show how far apart two nearly equal recipes land seed by seed. A tie counts',
      'as at: where a recipe trains the very run of the defaults (the gate keeping the default LR, no warmup), it is at them',
      'on that seed.',
    ], lines),
    ...section(`The recipe's warmup seed by seed: other fractions against its ${SCHEDULE_FREE_ADAMW_WARMUP * 100} %`, [
      `The Adam recipe (range test + \`scheduleFreeAdamWOptions\`) warmed up over another fraction of the budget against the`,
      `same recipe warmed up over the library's ${SCHEDULE_FREE_ADAMW_WARMUP * 100} % (\`SCHEDULE_FREE_ADAMW_WARMUP\`), seed by seed, counted as above; where`,
      'the study has them, also the recipe with a lower ceiling on its LR than the library\'s 8× the default.',
    ], warmups),
  ];
}

/**
 * The rows of a paired table: each recipe named in `names` against the recipe named `refName` (a † after the
 * reference's name ignored) on every seed of every task; no rows without the reference or where no task has both on
 * every seed.
 */
function pairedRows(list: Recipe[], refName: string, names: string[], tasks: string[], pairs: ReturnType<typeof taskSeeds>, family: string): string[][] {
  const ref = list.find((r) => r.name.replace(/ †$/, '') === refName);
  if (ref === undefined) return [];
  return names.flatMap((name) => {
    const r = list.find((x) => x.name === name);
    if (r === undefined) throw new Error(`pairedSection: no ${family} recipe is named "${name}" (renamed in recipes()? rename it in PAIRED too)`);
    const cells = tasks.map((t) => pairedDiffs(r, ref, t, seedsOf(pairs, t)));
    if (cells.every((c) => c === null)) return [];
    const text = cells.map((d) => (d === null ? '–' : `${atOrAbove(d)}/${d.length}, ${signed(mean(d))} (σ ${sdOf(d).toFixed(2)})`));
    let overall = '–';
    if (cells.every((c) => c !== null)) {
      const ds = cells as number[][];
      const { m, lo, hi } = intervalOf(ds);
      const above = ds.reduce((x, d) => x + atOrAbove(d), 0);
      overall = `${above}/${ds.reduce((x, d) => x + d.length, 0)}, ${signed(m)} [${signed(lo)}, ${signed(hi)}]`;
    }
    return [[name, ...text, overall]];
  });
}
