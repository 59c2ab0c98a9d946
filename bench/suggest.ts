/**
 * bench:suggest — is a range test's suggestion any good? Measured by what training with it achieves.
 *
 * Per task and seed: the zero-config range test (`rangeTest` with no LR given; its cost in iterations),
 * then CyclicLR (triangular2, 3 whole cycles in the task's budget) with every rule's bounds, next to a
 * grid of fixed LRs and CLR bound pairs, all from the same initial weights and data order. Reported:
 * test accuracy, regret (best grid accuracy − the rule's) and whether the rule matches the best fixed LR.
 *
 *   npm run bench:suggest                                   # every task, seeds 1–5
 *   npm run bench:suggest -- --tasks mnist-mlp --seeds 1,2  # a part
 *   npm run bench:suggest -- --report                       # only rebuild the report from saved runs (its Command line kept)
 *   npm run bench:suggest -- --grid-only                    # only the grid (no range tests)
 *   npm run bench:suggest -- --rules-only                   # only range tests and the rules' runs
 *   npm run bench:suggest -- --skip-rules valley,minimum    # leave some rules' runs out (all: every rule's)
 *   npm run bench:suggest -- --budget 150                   # range tests with another budget (compared in the report)
 *   npm run bench:suggest -- --probe-weights fresh --rules-only --skip-rules …   # probes from fresh initializations (rangeTest's probeWeights)
 *   npm run bench:suggest -- --optimizers adam,rmsprop      # some optimizers (default: momentum,adam,rmsprop)
 *   npm run bench:suggest -- --lr-free-only                 # only the learning-rate-free optimizers' runs (at their defaults)
 *   npm run bench:suggest -- --lr-free prodigy,dog          # some of them (default: all four; none: --lr-free '')
 *   npm run bench:suggest -- --one-cycle-only --one-cycle right,double   # only 1cycle to the zero-config peak readings
 *   npm run bench:suggest -- --one-cycle-only --one-cycle suggested --swa # 1cycle + SWA over its last quarter (raw and averaged scored)
 *   npm run bench:suggest -- --rules-only --skip-rules … --one-cycle '' --swa   # the default rule's CLR + SWA at each cycle's end
 *   npm run bench:suggest -- --rules-only --skip-rules … --one-cycle suggested --ema   # the default rule's CLR and 1cycle with an EMA of the weights beside
 *   npm run bench:suggest -- --one-cycle-only --one-cycle '' --const-ema 1,0.7,0.5,0.35   # a constant LR at multiples of the suggested maxLR, with an EMA of the weights beside
 *   npm run bench:suggest -- --grid-only --grid-ema --optimizers momentum   # the grid again with an EMA of the weights beside (the recipe's averaging, given to hindsight too)
 *   npm run bench:suggest -- --one-cycle-only --one-cycle '' --sf-lr suggested,double --optimizers adam  # Schedule-Free AdamW at the range test's LR
 *   npm run bench:suggest -- --one-cycle-only --one-cycle '' --sf-sgd 2.5,5,10 --optimizers momentum   # Schedule-Free SGD at multiples of Momentum's suggested maxLR (+ --sf-warmup 0.05: a warmup over 5 % of the budget)
 *   npm run bench:suggest -- --one-cycle-only --one-cycle '' --sf-fixed 0.005,0.01 --optimizers adam   # Schedule-Free AdamW at fixed LRs (its LR against the budget)
 *   npm run bench:suggest -- --one-cycle-only --one-cycle '' --sf-lr double --sf-fixed 0.02 --sf-adamw-warmup 0.1 --optimizers adam   # the same runs, and its default LR, warmed up over 10 % of the budget
 *   npm run bench:suggest -- --one-cycle-only --one-cycle '' --sf-lr double --sf-adamw-warmup 0.1 --keep-best --optimizers adam   # the same with the best weights by validation kept (scored final and kept)
 *   npm run bench:suggest -- --rules-only --skip-rules all --lr-free scheduleFreeAdamW --one-cycle '' --sf-recipe --sf-adamw-warmup 0.1 --optimizers adam
 *                                                           # only the range test, Schedule-Free AdamW's defaults (warmed up and not) and the library's recipe (scheduleFreeAdamWOptions, warmed up)
 *   npm run bench:suggest -- --iterations-scale 5 --out bench/results/suggest-long …   # every training budget 5× longer (range tests unchanged)
 *   npm run bench:suggest -- --report --merge bench/results/suggest,bench/results/suggest-seeds6-10 --out bench/results/suggest-seeds1-10
 *                                                           # one report over several folders' runs (other seeds of the same tasks); writes no runs.json
 *
 * Runs are saved as they finish (bench/results/suggest/runs.json) and reused on the next start, so an
 * interrupted study resumes, and a new rule only trains its own new bounds.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_BUDGET, ONE_CYCLE_READINGS, oneCyclePeak, rangeTest, scheduleFreeLR, suggestBounds, type RangeTestResult } from 'tfjs-clr';
import { chooseBackend, type BackendName } from 'tfjs-wasm-training';
import { CANDIDATES, RANGE_TEST_VERSION, compactJSON, pairKey, rangeTestKeyOf, runIndex, stillValid, type Study } from './suggest/report.js';
import { writeReport, type Repeat } from './suggest/write-report.js';
import { factsFor } from '../examples/cifar/optimizers.js';
import { ADAPTIVE_GRID, HELD_OUT_TASKS, TASKS, type Grid, type Task, type TaskData } from './suggest/tasks.js';
import { compileFor, LR_FREE, OPTIMIZERS, scheduleFreeAdamWWarmup, scheduleFreeSGDRun, trainRun, type LRFreeName, type OptimizerName, type Policy, type RunOutcome } from './suggest/train.js';
import { commandLine, flags, positiveFlag, readings, RESULTS } from './kit.js';

const OUT = path.join(RESULTS, 'suggest');
const { values: a } = flags('bench:suggest', {
    tasks: { type: 'string', default: TASKS.map((t) => t.name).join(',') },
    optimizers: { type: 'string', default: Object.keys(OPTIMIZERS).join(',') },
    seeds: { type: 'string', default: '1,2,3,4,5' },
    backend: { type: 'string', default: 'wasm' },
    report: { type: 'boolean', default: false },
    'grid-only': { type: 'boolean', default: false },
    'rules-only': { type: 'boolean', default: false },
    'skip-rules': { type: 'string', default: '' },
    'lr-free': { type: 'string', default: Object.keys(LR_FREE).join(',') },
    'lr-free-only': { type: 'boolean', default: false },
    'one-cycle': { type: 'string', default: ONE_CYCLE_READINGS.join(',') },
    'one-cycle-only': { type: 'boolean', default: false },
    swa: { type: 'boolean', default: false },
    ema: { type: 'boolean', default: false },
    'grid-ema': { type: 'boolean', default: false },
    'sf-lr': { type: 'string', default: '' },
    'sf-fixed': { type: 'string', default: '' },
    'sf-recipe': { type: 'boolean', default: false },
    'const-ema': { type: 'string', default: '' },
    'sf-sgd': { type: 'string', default: '' },
    'sf-warmup': { type: 'string' },
    'sf-adamw-warmup': { type: 'string' },
    'keep-best': { type: 'boolean', default: false },
    budget: { type: 'string' },
    'iterations-scale': { type: 'string', default: '1' },
    'probe-weights': { type: 'string', default: 'current' },
    out: { type: 'string', default: OUT },
    merge: { type: 'string', default: '' },
}, { summary: 'range-test suggestions measured by training outcome: rules, 1cycle readings, LR-free optimizers against a hindsight grid (4 tasks x 5 seeds; resumable)', example: 'npm run bench:suggest -- --one-cycle-only --one-cycle suggested --tasks mnist-mlp' });

/** Where the range tests' probes start (rangeTest's `probeWeights`); `fresh` tests are kept beside the default ones. */
const PROBE_WEIGHTS = (() => {
  const v = a['probe-weights'] as string;
  if (v !== 'current' && v !== 'fresh') throw new Error(`--probe-weights: must be current or fresh, got "${v}"`);
  return v;
})();

/** Multiples of the suggested maxLR to train at a constant LR with an EMA of the weights beside (`--const-ema`): SWA's recipe, zero-config. */
const CONST_EMA = (a['const-ema'] as string).split(',').filter(Boolean).map((v) => positiveFlag('const-ema', v) as number);

/**
 * Multiples of Momentum SGD's suggested maxLR to train Schedule-Free SGD at (`--sf-sgd`): the range test choosing
 * the LR of the other Schedule-Free optimizer. Its z-sequence steps without momentum's 1/(1 − 0.9) = 10× gain, and its
 * authors advise an LR 10–50× a scheduled SGD's, so the multiples sit around 10.
 */
const SF_SGD = (a['sf-sgd'] as string).split(',').filter(Boolean).map((v) => positiveFlag('sf-sgd', v) as number);
/** `--sf-sgd` runs with a linear warmup over this fraction of the training budget (its authors recommend a warmup). */
const SF_WARMUP = positiveFlag('sf-warmup', a['sf-warmup']);

/**
 * Schedule-Free AdamW's `--sf-lr` and `--sf-fixed` runs, and one at its default LR, with a linear warmup over this fraction
 * of the budget (`--sf-adamw-warmup`; none by default, as in the library). Its authors warm it up in every experiment.
 */
const SF_ADAMW_WARMUP = positiveFlag('sf-adamw-warmup', a['sf-adamw-warmup']);

/**
 * Schedule-Free AdamW's runs (`--sf-lr`, `--sf-fixed`, the warmed-up and the plain defaults) with the best weights by the
 * validation split kept beside the final ones (`--keep-best`: the library's `KeepBest`, checked every epoch; scored both
 * ways, so one run gives the final, the lowest-val-loss and the highest-val-accuracy weights' test accuracy).
 */
const KEEP_BEST = a['keep-best'] as boolean;

/** Fixed learning rates Schedule-Free AdamW also trains at (`--sf-fixed`): its LR against the budget, whatever the range test says. */
const SF_FIXED = (a['sf-fixed'] as string).split(',').filter(Boolean).map((v) => positiveFlag('sf-fixed', v) as number);

function load(file: string): Study {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Study) : { runs: {}, rangeTests: {}, tasks: {} };
}

/**
 * The union of several folders' studies (`--merge`): other seeds of the same tasks, run at the same budget, read as one
 * study. Runs and range tests are keyed by task, seed and settings; where two folders trained the same key (a rerun),
 * the later folder's is kept and the repeat listed, so the report can say so. A task trained at two budgets under one
 * name is an error.
 */
function merged(dirs: string[]): { study: Study; repeats: Repeat[] } {
  const all: Study = { runs: {}, rangeTests: {}, tasks: {} };
  const origin = new Map<string, string>(); // "kind:key" → the folder it was read from
  const repeats: Repeat[] = [];
  for (const dir of dirs) {
    const file = path.join(dir, 'runs.json');
    if (!existsSync(file)) throw new Error(`--merge: no runs.json in "${dir}"`);
    const s = load(file);
    for (const [name, t] of Object.entries(s.tasks)) {
      const seen = all.tasks[name];
      if (seen && seen.iterations !== t.iterations) throw new Error(`--merge: task ${name} trained for ${seen.iterations} iterations in one folder and ${t.iterations} in "${dir}"; merge folders of one budget`);
    }
    const keys = [...Object.keys(s.runs).map((key) => ({ kind: 'run' as const, key })), ...Object.keys(s.rangeTests).map((key) => ({ kind: 'range test' as const, key }))];
    for (const { kind, key } of keys) {
      const dropped = origin.get(`${kind}:${key}`);
      if (dropped !== undefined) repeats.push({ kind, key, kept: dir, dropped, ...(kind === 'run' ? { accuracy: { kept: s.runs[key].accuracy, dropped: all.runs[key].accuracy } } : {}) });
      origin.set(`${kind}:${key}`, dir);
    }
    Object.assign(all.runs, s.runs);
    Object.assign(all.rangeTests, s.rangeTests);
    Object.assign(all.tasks, s.tasks);
  }
  return { study: all, repeats };
}

async function main(): Promise<void> {
  const out = a.out as string;
  const mergeDirs = (a.merge as string).split(',').filter(Boolean);
  if (mergeDirs.length > 0) {
    if (!a.report) throw new Error('--merge: only with --report (it reads the folders\' runs and writes one report; it trains nothing)');
    mkdirSync(out, { recursive: true });
    const { study, repeats } = merged(mergeDirs);
    if (repeats.length > 0) console.warn(`--merge: ${repeats.length} runs or range tests were trained in more than one folder; the later folder's are kept (listed in the report)`);
    await writeReport(study, out, commandLine('bench:suggest'), repeats);
    console.log(`report: ${path.join(out, 'report.md')} (${mergeDirs.length} folders merged)`);
    return;
  }
  mkdirSync(out, { recursive: true });
  const file = path.join(out, 'runs.json');
  const study = load(file);
  // Merge with what is on disk first: two runs of the bench (say, one per core) can share the file;
  // what this process wrote wins, everything else is taken from the disk.
  const mine = new Set<string>();
  const save = (key?: string) => {
    if (key) mine.add(key);
    const disk = load(file);
    for (const part of ['runs', 'rangeTests', 'tasks'] as const) {
      const merged: Record<string, unknown> = { ...disk[part] };
      for (const [k, v] of Object.entries(study[part])) if (mine.has(`${part}:${k}`) || !(k in merged)) merged[k] = v;
      (study as unknown as Record<string, unknown>)[part] = merged;
    }
    writeFileSync(file, `${compactJSON(study)}\n`);
  };
  const seeds = (a.seeds as string).split(',').map(Number);
  // Runs are keyed without their budget, so a longer budget needs its own study folder.
  const scale = Number(a['iterations-scale']);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`--iterations-scale: must be a whole number ≥ 1, got "${a['iterations-scale']}"`);
  if (scale !== 1 && path.resolve(out) === path.resolve(OUT)) throw new Error(`--iterations-scale ${scale}: give another --out (runs are saved without their budget; ${OUT} holds the 1× study)`);
  const tasks = (a.tasks as string).split(',').map((name): Task => {
    const t = [...TASKS, ...HELD_OUT_TASKS].find((k) => k.name === name);
    if (!t) throw new Error(`--tasks: unknown task "${name}" (known: ${[...TASKS, ...HELD_OUT_TASKS].map((k) => k.name).join(', ')})`);
    return { ...t, iterations: t.iterations * scale };
  });
  const optimizers = (a.optimizers as string).split(',').map((name) => {
    if (!(name in OPTIMIZERS)) throw new Error(`--optimizers: unknown optimizer "${name}" (known: ${Object.keys(OPTIMIZERS).join(', ')})`);
    return name as OptimizerName;
  });
  if (!a.report) {
    const backend = await chooseBackend(a.backend as BackendName);
    console.log(`backend: ${backend.name} — ${backend.why}`);
    for (const task of tasks) await runTask(task, seeds, optimizers, study, save);
  }
  // A rebuild (--report) keeps the command that trained the runs; a run writes its own.
  await writeReport(study, out, (a.report ? trainedCommand(out) : null) ?? commandLine('bench:suggest'));
  console.log(`report: ${path.join(out, 'report.md')}`);
}

/** The command that trained a folder's runs: the Command line of the report they wrote, if there is one. */
function trainedCommand(out: string): string | null {
  const file = path.join(out, 'report.md');
  return existsSync(file) ? (/^Command: `(.*)` \(default rule/m.exec(readFileSync(file, 'utf8'))?.[1] ?? null) : null;
}

/**
 * The study's name for a task trained with an optimizer: the task's own for Momentum SGD (the runs
 * saved before optimizers were added keep their keys), `task@optimizer` for the others.
 */
export function studyTask(task: string, optimizer: OptimizerName): string {
  return optimizer === 'momentum' ? task : `${task}@${optimizer}`;
}

function gridFor(task: Task, optimizer: OptimizerName): Grid {
  return factsFor(optimizer).adaptive ? task.adaptiveGrid ?? ADAPTIVE_GRID : { fixedGrid: task.fixedGrid, clrGrid: task.clrGrid };
}

async function runTask(task: Task, seeds: number[], optimizers: OptimizerName[], study: Study, save: (key?: string) => void): Promise<void> {
  let data: TaskData;
  try {
    data = await task.load();
  } catch (e) {
    console.log(`${task.name}: skipped — ${(e as Error).message}`);
    return;
  }
  for (const optimizer of optimizers) await runOptimizer(task, data, seeds, optimizer, study, save);
  tf.dispose([data.train.x, data.train.y, data.val.x, data.val.y, data.test.x, data.test.y]);
}

async function runOptimizer(task: Task, data: TaskData, seeds: number[], optimizer: OptimizerName, study: Study, save: (key?: string) => void): Promise<void> {
  const name = studyTask(task.name, optimizer);
  const grid = gridFor(task, optimizer);
  study.tasks[name] = {
    optimizer,
    kind: task.kind,
    source: task.source,
    batchSize: task.batchSize,
    iterations: task.iterations,
    trainExamples: data.train.x.shape[0],
    testExamples: data.test.x.shape[0],
    ...grid,
  };
  save(`tasks:${name}`);
  for (const seed of seeds) {
    const t0 = performance.now();
    const budget = a.budget === undefined ? DEFAULT_BUDGET : Number(a.budget);
    const runPrefix = `${name}|${seed}`;
    const key = rangeTestKeyOf(runPrefix, budget, PROBE_WEIGHTS);
    const lrFreeOnly = (a['lr-free-only'] as boolean) || (a['one-cycle-only'] as boolean);
    if (!a['grid-only'] && !lrFreeOnly && !stillValid(study.rangeTests[key])) {
      const model = task.build(seed);
      compileFor(model, factsFor(optimizer).adaptive ? 0.001 : 0.01, optimizer);
      const r = await rangeTest(model, data.train, { batchSize: task.batchSize, budget, probeWeights: PROBE_WEIGHTS, validationData: [data.val.x, data.val.y] });
      study.rangeTests[key] = { version: RANGE_TEST_VERSION, iterations: r.iterations, result: r.result, seconds: (performance.now() - t0) / 1000 };
      model.dispose();
      save(`rangeTests:${key}`);
      console.log(`${key}: range test ${r.iterations} iterations, ${study.rangeTests[key].seconds.toFixed(0)} s`);
    }
    const lrFree = (a['lr-free'] as string).split(',').filter(Boolean).map((n) => {
      if (!(n in LR_FREE)) throw new Error(`--lr-free: unknown optimizer "${n}" (known: ${Object.keys(LR_FREE).join(', ')})`);
      return n as LRFreeName;
    });
    const lrFreePolicies = lrFree.filter((n) => LR_FREE[n].family === optimizer).map((n): Policy => ({ kind: 'lrfree', optimizer: n }));
    const policies: Policy[] = a['rules-only'] || lrFreeOnly ? [] : [
      ...grid.fixedGrid.map((lr): Policy => ({ kind: 'fixed', lr, ...(a['grid-ema'] ? { ema: true } : {}) })),
      ...grid.clrGrid.map(([baseLR, maxLR]): Policy => ({ kind: 'clr', baseLR, maxLR, ...(a['grid-ema'] ? { ema: true } : {}) })),
    ];
    const skip = new Set((a['skip-rules'] as string).split(',').filter(Boolean));
    for (const c of a['grid-only'] || lrFreeOnly ? [] : CANDIDATES.filter((k) => !skip.has('all') && !skip.has(k.name))) {
      const s = c.rule(study.rangeTests[key].result as RangeTestResult);
      if (s.baseLR !== null && s.maxLR !== null) policies.push({ kind: 'clr', baseLR: s.baseLR, maxLR: s.maxLR, ...(a.swa ? { swa: true } : {}), ...(a.ema ? { ema: true } : {}) });
    }
    if (!a['grid-only'] && !a['one-cycle-only']) policies.push(...lrFreePolicies);
    // 1cycle to the peak each reading gives (the same range test; runs shared where peaks coincide).
    if (!a['grid-only'] && !a['lr-free-only'] && study.rangeTests[key]) {
      const curve = study.rangeTests[key].result as RangeTestResult;
      const suggestion = suggestBounds(curve);
      const peaks = new Set(readings(a['one-cycle'] as string, '--one-cycle').map((r) => oneCyclePeak(curve, suggestion, r)).filter((v): v is number => v !== null));
      for (const maxLR of peaks) policies.push({ kind: 'onecycle', maxLR, ...(a.swa ? { swa: true } : {}), ...(a.ema ? { ema: true } : {}) });
      // A constant LR at multiples of the suggested maxLR with an EMA of the weights beside (`--const-ema`).
      if (suggestion.maxLR !== null) for (const m of CONST_EMA) policies.push({ kind: 'fixed', lr: m * suggestion.maxLR, ema: true });
      // Schedule-Free AdamW (Adam's family) at the LR each reading gives, its other settings (warmup) at their defaults.
      if (optimizer === 'adam') {
        const lrs = new Set(readings(a['sf-lr'] as string, '--sf-lr').map((r) => oneCyclePeak(curve, suggestion, r)).filter((v): v is number => v !== null));
        // The LR rangeTest's scheduleFreeAdamWOptions hold (`--sf-recipe`), where it is not the default's (those runs are the defaults').
        const recipe = a['sf-recipe'] && suggestion.maxLR !== null ? scheduleFreeLR(suggestion.maxLR) : null;
        if (recipe && recipe.from !== 'default') lrs.add(recipe.learningRate);
        const warmupSteps = SF_ADAMW_WARMUP === undefined ? {} : { warmupSteps: scheduleFreeAdamWWarmup(SF_ADAMW_WARMUP, task.iterations) };
        const best = KEEP_BEST ? { keepBest: true } : {};
        for (const lr of [...lrs, ...SF_FIXED]) policies.push({ kind: 'lrfree', optimizer: 'scheduleFreeAdamW', lr, ...warmupSteps, ...best });
        if (SF_ADAMW_WARMUP !== undefined) policies.push({ kind: 'lrfree', optimizer: 'scheduleFreeAdamW', ...warmupSteps, ...best });
        if (KEEP_BEST) policies.push({ kind: 'lrfree', optimizer: 'scheduleFreeAdamW', keepBest: true });
      }
      // Schedule-Free SGD (Momentum SGD's family) at multiples of the suggested maxLR (`--sf-sgd`).
      if (optimizer === 'momentum' && suggestion.maxLR !== null) for (const m of SF_SGD) policies.push(scheduleFreeSGDRun(m, suggestion.maxLR, task.iterations, SF_WARMUP));
    }
    const find = runIndex(study);
    for (const p of policies) {
      const k = `${runPrefix}|${pairKey(p)}`;
      if (find(name, seed, p)) continue;
      const o: RunOutcome = await trainRun(task, data, seed, p, optimizer);
      study.runs[k] = o;
      save(`runs:${k}`);
      console.log(`${k}: ${(o.accuracy * 100).toFixed(2)} % (${o.seconds.toFixed(0)} s)`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
