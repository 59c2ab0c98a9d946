/**
 * The demo page's comparison, repeated: the same code the page runs (examples/browser/compare.ts: the
 * zero-config range test with Momentum SGD, the recipe's range test with Adam, then the six runs) on the
 * same digits, once per seed of the model's initial weights, in Node. The page shows one run; this says
 * how much of its table is the seed. The range tests shuffle the data with Math.random, as on the page; here
 * Math.random is seeded while a seed runs, so a rerun of the command on the same backend repeats it. A seed listed
 * again in --seeds (1,1,1) draws another data order each time: the range tests' share of the spread.
 *
 *   npm run bench:demo                              # seeds 1–5, the page's full preset, wasm (~1 min a seed)
 *   npm run bench:demo -- --seeds 1,2,3 --preset small --backend cpu
 *   npm run bench:demo -- --report                  # report.md again from results.json (after a change to the report)
 *
 * Writes bench/results/demo/<out>/report.md and results.json (every seed's answers and accuracies).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend, type BackendName } from 'tfjs-wasm-training';
import { BATCH_SIZE as BATCH, comparisonRuns, runIterations, scheduleFreeAdamWRecipe, trainRun, zeroConfigTest } from '../examples/browser/compare.js';
import { digitsBytes } from '../examples/browser/digits.js';
import { DIGIT_PRESETS, digitsTask, type DigitPreset } from '../examples/browser/tasks.js';
import { seededRandom } from '../examples/lib/kit.js';
import { commandLine, flags, markdownTable, positiveFlag, resultsDir } from './kit.js';
import { atOrAbove, mean, pairedInterval, sdOf, signed } from './stats.js';

/** One seed: the range tests' answers and each run's final test accuracy (and the CLR run's EMA). */
export interface SeedResult {
  seed: number;
  zeroConfig: { baseLR: number; maxLR: number; oneCycleMaxLR: number; confidence: string };
  recipe: { learningRate: number | null; warmupSteps: number | null };
  final: Record<string, number>;
  ema: Record<string, number>;
  seconds: number;
}

/** One seed's comparison, with the task's name and the iterations of a run (the same for every seed: the report's header). */
async function oneSeed(bytes: Uint8Array, preset: DigitPreset, seed: number, repeat: number): Promise<{ result: SeedResult; task: string; iterations: number }> {
  const t0 = performance.now();
  const task = digitsTask(bytes, preset, seed);
  const test = task.test as NonNullable<typeof task.test>;
  const compareTask = { xs: task.xs, ys: task.ys, test, model: task.model };
  const { epochs } = DIGIT_PRESETS[preset];
  const iterations = runIterations(task.xs.shape[0], BATCH, epochs);
  // The range tests' data order (fit's shuffle draws on Math.random): seeded by the seed and how many times it came
  // before in --seeds, so a rerun repeats everything while a repeated seed still draws a new order.
  const random = Math.random;
  Math.random = seededRandom(seed + 1_000_000 * repeat);
  try {
    const z = await zeroConfigTest(task, { batchSize: BATCH });
    const s = z.suggestion;
    if (s.baseLR === null || s.maxLR === null) throw new Error(`seed ${seed}: the zero-config range test gave no bounds (${s.notes.join('; ')})`);
    const zeroConfig = { baseLR: s.baseLR, maxLR: s.maxLR, oneCycleMaxLR: z.oneCycleLROptions?.maxLR ?? s.maxLR, confidence: s.confidence };
    const recipe = await scheduleFreeAdamWRecipe(compareTask, { batchSize: BATCH, trainingSteps: iterations });
    const runs = comparisonRuns({ ...zeroConfig, scheduleFreeAdamW: recipe.settings }, iterations);
    const final: Record<string, number> = {};
    const ema: Record<string, number> = {};
    for (const run of runs) {
      const o = await trainRun(compareTask, run, { epochs, batchSize: BATCH });
      final[run.name] = o.finalAccuracy * 100;
      if (o.emaAccuracy !== undefined) ema[run.name] = o.emaAccuracy * 100;
      console.log(`seed ${seed}: ${run.name} ${final[run.name].toFixed(1)} %${o.emaAccuracy !== undefined ? ` (EMA ${ema[run.name].toFixed(1)} %)` : ''}`);
    }
    const result: SeedResult = {
      seed,
      zeroConfig,
      recipe: { learningRate: recipe.settings?.learningRate ?? null, warmupSteps: recipe.settings?.warmupSteps ?? null },
      final,
      ema,
      seconds: (performance.now() - t0) / 1000,
    };
    return { result, task: task.name, iterations };
  } finally {
    Math.random = random;
    tf.dispose([task.xs, task.ys, test.xs, test.ys]);
  }
}

const f1 = (v: number) => v.toFixed(1);
const f2 = (v: number) => v.toFixed(2);
const sd = (v: number[]) => (v.length < 2 ? '–' : f2(sdOf(v)));
const interval = (d: number[]) => {
  if (d.length < 2) return `${signed(d[0] ?? NaN)} (one seed)`;
  const p = pairedInterval(d);
  return `${signed(p.m)} [${signed(p.lo)}, ${signed(p.hi)}], at or above on ${atOrAbove(d)} of ${d.length}`;
};

/** What a report says about its run besides the seeds' results (saved in results.json beside them). */
export interface DemoHeader {
  command: string;
  /** When the run started (ISO). */
  date: string;
  backend: string;
  task: string;
  iterations: number;
}

/** The report: each run's mean, σ, max − min and wins; the page's comparisons paired by seed; every seed. */
export function demoReport(results: SeedResult[], header: DemoHeader): string {
  const names = Object.keys(results[0].final);
  const best = results.map((r) => names.reduce((x, y) => (r.final[y] > r.final[x] ? y : x)));
  const col = (name: string) => results.map((r) => r.final[name]);
  const clr = 'CLR triangular2';
  const betterFixed = results.map((r) => Math.max(r.final['fixed at baseLR'], r.final['fixed at maxLR']));
  const worseFixed = results.map((r) => Math.min(r.final['fixed at baseLR'], r.final['fixed at maxLR']));
  const paired = (label: string, d: number[]) => [label, interval(d)];
  return [
    "# The demo's comparison over seeds — `npm run bench:demo`",
    '',
    `Command: \`${header.command}\`  `,
    `Date: ${header.date}; backend: ${header.backend}. Task: ${header.task}; ${header.iterations} iterations a run (batch ${BATCH}), seeds ${results.map((r) => r.seed).join(', ')} of the model's initial weights.`,
    '',
    "The page's code (examples/browser/compare.ts) in Node: the zero-config range test with Momentum SGD, the recipe's range test with Adam, then the six runs from the same initial weights. Final test accuracy (%); \"best on\": the seeds where the run scored highest (a tie goes to the run listed first):",
    '',
    markdownTable(
      ['run', 'mean', 'σ', 'max − min', 'best on'],
      names.map((n) => [n, f2(mean(col(n))), sd(col(n)), f2(Math.max(...col(n)) - Math.min(...col(n))), `${best.filter((b) => b === n).length} of ${results.length}`]),
    ),
    '',
    "The page's sentences, paired by seed (points, 95 % interval):",
    '',
    markdownTable(['comparison', 'difference'], [
      paired('CLR − the better fixed LR (baseLR or maxLR)', results.map((r, k) => r.final[clr] - betterFixed[k])),
      paired('CLR − the worse fixed LR', results.map((r, k) => r.final[clr] - worseFixed[k])),
      paired("an EMA of CLR's weights − its raw weights", results.map((r) => r.ema[clr] - r.final[clr])),
      paired('1cycle − CLR', results.map((r) => r.final['1cycle'] - r.final[clr])),
      paired("the recipe (range test + Schedule-Free AdamW) − Schedule-Free AdamW's defaults", results.map((r) => r.final['range test + Schedule-Free AdamW'] - r.final['Schedule-Free AdamW'])),
      paired('the recipe − 1cycle', results.map((r) => r.final['range test + Schedule-Free AdamW'] - r.final['1cycle'])),
    ]),
    '',
    'Seed by seed (the range tests\' answers; final test accuracy, %):',
    '',
    markdownTable(
      ['seed', 'baseLR – maxLR (1cycle peak), confidence', "recipe's LR, warmup", ...names, `${clr}, EMA`, 'time'],
      results.map((r) => [
        r.seed,
        `${r.zeroConfig.baseLR.toPrecision(3)} – ${r.zeroConfig.maxLR.toPrecision(3)} (${r.zeroConfig.oneCycleMaxLR.toPrecision(3)}), ${r.zeroConfig.confidence}`,
        r.recipe.learningRate === null ? 'no bounds: defaults' : `${r.recipe.learningRate.toPrecision(3)}, ${r.recipe.warmupSteps ?? 0} steps`,
        ...names.map((n) => (n === best[results.indexOf(r)] ? `**${f1(r.final[n])}**` : f1(r.final[n]))),
        f1(r.ema[clr]),
        `${r.seconds.toFixed(0)} s`,
      ]),
    ),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values: a } = flags('bench:demo', {
    seeds: { type: 'string', default: '1,2,3,4,5' },
    preset: { type: 'string', default: 'full' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'digits' },
    report: { type: 'boolean', default: false },
  }, { summary: "the demo page's six-way comparison on its digits, repeated over seeds of the initial weights (the page's own code, in Node); --report rebuilds report.md from the folder's results.json", example: 'npm run bench:demo -- --seeds 1,2,3' });
  const seeds = a.seeds.split(',').map((s) => positiveFlag('seeds', s, true) as number);
  if (!(a.preset in DIGIT_PRESETS)) throw new Error(`--preset: ${JSON.stringify(a.preset)} is not one of ${Object.keys(DIGIT_PRESETS).join(', ')}`);
  const preset = a.preset as DigitPreset;
  const dir = resultsDir('demo', a.out);
  const file = path.join(dir, 'results.json');
  if (a.report) {
    if (!existsSync(file)) throw new Error(`--report: no ${path.relative(process.cwd(), file)} to rebuild from (run the bench with --out ${a.out} first)`);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoHeader & { seeds: SeedResult[] };
    writeFileSync(path.join(dir, 'report.md'), demoReport(saved.seeds, saved));
    console.log(`report: ${path.relative(process.cwd(), path.join(dir, 'report.md'))} (rebuilt from results.json)`);
    return;
  }
  const backend = await chooseBackend(a.backend as BackendName);
  tf.env().set('IS_TEST', true); // no "install tfjs-node" banner
  const bytes = digitsBytes();
  const results: SeedResult[] = [];
  const started = { command: commandLine('bench:demo'), date: new Date().toISOString(), backend: `${backend.name} (${backend.why})` };
  let header: DemoHeader | undefined;
  for (const [i, seed] of seeds.entries()) {
    const { result, task, iterations } = await oneSeed(bytes, preset, seed, seeds.slice(0, i).filter((s) => s === seed).length);
    results.push(result);
    header ??= { ...started, task, iterations };
    // Written after every seed: a long run stopped early keeps what it measured.
    writeFileSync(file, JSON.stringify({ ...header, seeds: results }, null, 1));
    writeFileSync(path.join(dir, 'report.md'), demoReport(results, header));
  }
  console.log(`report: ${path.relative(process.cwd(), path.join(dir, 'report.md'))}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
