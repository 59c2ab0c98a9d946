/**
 * CIFAR-10 with cyclical learning rates: the repository's main job.
 *
 *   npm run example -- --help
 *   npm run example -- --quick --data-dir ../shared/data/cifar-10-small      # a few minutes, no tfjs-node
 *   npm run example -- --data-dir DIR --range-test --policies fixed,triangular2,exp_range
 */
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { chooseBackend, type BackendName } from 'tfjs-wasm-training';
import { loadFolder, locateCifar10 } from './data.js';
import { runExperiment } from './experiment.js';
import type { KernelSet } from 'tfjs-wasm-training';
import { OPTIMIZERS, type OptimizerName } from './optimizers.js';
import { POLICIES, type PolicyName } from './policies.js';
import { parseAveraging } from './averaging.js';

/** --average's list, checked (the error names the flag and the value). */
function averages(v: string): string[] {
  try {
    return parseAveraging(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be an integer >= 1, got "${v}"`);
  return n;
};
const positiveNum = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${name} must be a number > 0, got "${v}"`);
  return n;
};
const listOf = <T extends string>(what: string, known: readonly T[]) => (v: string): T[] => {
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(known as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown ${what} "${n}" (known: ${known.join(', ')})`);
  }
  if (names.length === 0) throw new InvalidArgumentError(`give at least one ${what}`);
  if (new Set(names).size !== names.length) throw new InvalidArgumentError(`${what} listed twice in "${v}"`);
  return names as T[];
};
const policyList = listOf<PolicyName>('policy', POLICIES);
const optimizerList = listOf<OptimizerName>('optimizer', OPTIMIZERS);

const program = new Command()
  .name('npm run example --')
  .description(
    'CIFAR-10 with cyclical learning rates (Smith, WACV 2017): an optional LR range test, then each ' +
      'policy from the same initial weights for the same iteration budget, with test accuracy at fixed ' +
      'intervals. Writes results.json, report.md and SVG plots into --out.',
  )
  .addOption(new Option('--data-dir <dir>', 'an extracted CIFAR-10 binary folder (cifar-10-batches-bin or its parent)'))
  .addOption(new Option('--archive <file>', 'a cifar-10-binary.tar.gz; extracted into the cache folder, never next to it'))
  .addOption(new Option('--cache-dir <dir>', 'cache folder for extracted and downloaded data').default(undefined, '~/.cache/tfjs-clr'))
  .option('--no-download', 'never download the official archive')
  .addOption(new Option('--model <net>', "Caffe's net: quick (cifar10_quick) or full (cifar10_full, the paper's)").choices(['quick', 'full']).default('quick'))
  .addOption(new Option('--policies <list>', `comma-separated, from: ${POLICIES.join(', ')}`).argParser(policyList).default(['fixed', 'triangular2', 'exp_range'], 'fixed,triangular2,exp_range'))
  .addOption(new Option('--iterations <n>', 'iteration budget per policy').argParser(positiveInt('--iterations')).default(6000))
  .addOption(new Option('--eval-every <n>', 'evaluate test accuracy every n iterations').argParser(positiveInt('--eval-every')).default(500))
  .addOption(new Option('--batch-size <n>', 'batch size (the paper: 100)').argParser(positiveInt('--batch-size')).default(100))
  .addOption(
    new Option('--optimizer <list>', `comma-separated, from: ${OPTIMIZERS.join(', ')}; each trains every policy (Table 3: "alone" is fixed, "+ CLR" the cyclic ones)`)
      .argParser(optimizerList)
      .default(['momentum'], 'momentum'),
  )
  .option('--cycle-momentum', 'cyclic policies also cycle momentum (Adam: beta1) 0.9 ↔ 0.8, inversely to the LR (momentum, nesterov, adam)')
  .addOption(new Option('--momentum <m>', 'SGD momentum of momentum and nesterov (Caffe: 0.9)').argParser(positiveNum('--momentum')).default(0.9))
  .addOption(new Option('--base-lr <lr>', 'CLR lower bound (default: range test, else 0.001)').argParser(positiveNum('--base-lr')))
  .addOption(new Option('--max-lr <lr>', 'CLR upper bound (default: range test, else 0.006)').argParser(positiveNum('--max-lr')))
  .addOption(new Option('--step-size <n>', "half-cycle in iterations (default: the paper's 4 epochs, shortened to fit 3 cycles)").argParser(positiveInt('--step-size')))
  .addOption(new Option('--fixed-lr <lr>', 'LR of the fixed and exp baselines (default: baseLR, as in the paper)').argParser(positiveNum('--fixed-lr')))
  .option('--range-test', 'run an LR range test first and take the bounds from it')
  .addOption(new Option('--range-budget <iterations>', 'zero-config range test: iterations for its probes and sweep together (default 500: 3 probes of 100, a sweep of 200)').argParser(positiveInt('--range-budget')))
  .addOption(new Option('--range-max-lr <lr>', 'sweep linearly up to this LR instead (the paper; needs no probe)').argParser(positiveNum('--range-max-lr')))
  .addOption(new Option('--range-min-lr <lr>', 'with --range-max-lr: the start LR (default max/1000)').argParser(positiveNum('--range-min-lr')))
  .addOption(new Option('--range-epochs <n>', 'with --range-max-lr: epochs of the sweep (the paper: 8)').argParser(positiveInt('--range-epochs')).default(4))
  .addOption(new Option('--retest-after <iterations>', 'cyclic policies: re-run the range test from the current weights after this many iterations (a multiple of --eval-every), then CyclicLR.reset with its bounds').argParser(positiveInt('--retest-after')))
  .addOption(new Option('--retest-step-size <n>', 'with --retest-after: the step size afterwards (default: half the first, as the paper)').argParser(positiveInt('--retest-step-size')))
  .addOption(new Option('--checkpoint-every <n>', 'save the weights, the optimizer and schedule state and the record so far every n iterations (a multiple of --eval-every) in <out>/checkpoints; rerun the same command (same --out) to continue an interrupted run').argParser(positiveInt('--checkpoint-every')))
  .addOption(new Option('--average <list>', "also keep averages of each run's weights and score them at every evaluation: swa (at each cycle's end of a cyclic policy, else over the last quarter), ema (decay warmed up to 0.999), ema:<decay>; e.g. swa,ema").argParser(averages))
  .option('--stop-at-cycle-end', 'cyclic policies: stop at the end of a cycle once test accuracy has not improved for --stop-patience cycle ends (CycleEndStopping)')
  .addOption(new Option('--stop-patience <n>', 'with --stop-at-cycle-end: cycle ends without improvement').argParser(positiveInt('--stop-patience')).default(1))
  .addOption(new Option('--train-limit <n>', 'use only the first n training images').argParser(positiveInt('--train-limit')))
  .addOption(new Option('--test-limit <n>', 'use only the first n test images').argParser(positiveInt('--test-limit')))
  .addOption(new Option('--seed <n>', 'seed for initial weights and shuffling').argParser(positiveInt('--seed')).default(1))
  .addOption(new Option('--backend <name>', 'force a backend (default: tensorflow if tfjs-node loads, else wasm, else cpu)').choices(['tensorflow', 'wasm', 'cpu']))
  .addOption(new Option('--threads <n>', 'wasm backend: XNNPACK threads (default: every core; 1 = the stock single-threaded wasm)').argParser(positiveInt('--threads')))
  .addOption(new Option('--kernels <set>', "wasm backend: the example's kernels (default: native where the oneDNN addon is built - apt-get install libdnnl-dev; npm run build:native - else fast)").choices(['fast', 'native']))
  .option('--quick', 'about 1.5 minutes on 2 cores without tfjs-node (35 s with the native convolutions): quick net, 2,000/500 images, 300 iterations of 50, fixed vs triangular2 at the paper\'s bounds (with --range-test: the zero-config bounds)')
  .option('--out <dir>', 'results folder (default: results/cifar10-<date>)')
  .option('--no-progress', 'no progress output (default: a bar on a terminal, a plain line every 15 s otherwise)')
  .showHelpAfterError();

async function main(): Promise<void> {
  const o = parsedOptions();
  const log = (msg: string) => console.log(msg);
  const backend = await chooseBackend(o.backend as BackendName | undefined, { threads: o.threads, kernels: o.kernels as KernelSet | undefined });
  log(`backend: ${backend.name} — ${backend.why}`);
  const data = loadFolder(await dataFolder(o, log), { maxTrain: o.trainLimit, maxTest: o.testLimit });
  const out = o.out ?? path.join('results', `cifar10-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const result = await runExperiment({
    data,
    net: o.model,
    policies: o.policies,
    optimizers: o.optimizer,
    cycleMomentum: Boolean(o.cycleMomentum),
    retestAfter: o.retestAfter,
    retestStepSize: o.retestStepSize,
    stopAtCycleEnd: Boolean(o.stopAtCycleEnd),
    stopPatience: o.stopPatience,
    checkpointEvery: o.checkpointEvery,
    ...(o.average ? { average: o.average as string[] } : {}),
    iterations: o.iterations,
    evalEvery: Math.min(o.evalEvery, o.iterations),
    batchSize: o.batchSize,
    momentum: o.momentum,
    seed: o.seed,
    baseLR: o.baseLr,
    maxLR: o.maxLr,
    stepSize: o.stepSize,
    fixedLR: o.fixedLr,
    rangeTest: Boolean(o.rangeTest),
    rangeEpochs: o.rangeEpochs,
    rangeMinLR: o.rangeMinLr,
    rangeMaxLR: o.rangeMaxLr,
    rangeBudget: o.rangeBudget,
    out,
    backend,
    progress: o.progress === false ? 'off' : process.stdout.isTTY ? 'bar' : 'lines',
    log,
    command: `npm run example -- ${process.argv.slice(2).join(' ')}`,
  });
  log(`\nwrote ${path.join(out, 'report.md')} (with results.json, accuracy.svg, schedules.svg${result.rangeTests.length > 0 ? ', range-test*.svg' : ''})`);
}

/** The command line, with --quick's settings where the user set nothing, and the checks between flags. */
function parsedOptions(): ReturnType<typeof program.opts> {
  program.parse();
  const o = program.opts();
  const given = (name: string) => program.getOptionValueSource(name) === 'cli';
  if (o.quick) {
    // Only fill in what the user did not set.
    const quick: Record<string, unknown> = { model: 'quick', trainLimit: 2000, testLimit: 500, iterations: 300, evalEvery: 50, batchSize: 50, policies: ['fixed', 'triangular2'] };
    for (const [k, v] of Object.entries(quick)) if (!given(k)) o[k] = v;
  }
  if (o.retestAfter !== undefined && o.retestAfter % Math.min(o.evalEvery, o.iterations) !== 0) {
    program.error(`error: --retest-after must be a multiple of --eval-every (${o.evalEvery}), got ${o.retestAfter}`);
  }
  if (o.retestAfter !== undefined && o.retestAfter >= o.iterations) {
    program.error(`error: --retest-after must be below --iterations (${o.iterations}), got ${o.retestAfter}`);
  }
  if (o.checkpointEvery !== undefined && o.out === undefined) {
    program.error('error: --checkpoint-every needs --out: a rerun continues from the checkpoints in that folder (the default folder is new every run)');
  }
  return o;
}

/** The extracted CIFAR-10 folder (from --data-dir, --archive, the cache, or a download with a progress bar). */
async function dataFolder(o: ReturnType<typeof program.opts>, log: (msg: string) => void): Promise<string> {
  let bar: SingleBar | null = null;
  const dir = await locateCifar10({
    dataDir: o.dataDir,
    archive: o.archive,
    cacheDir: o.cacheDir,
    download: o.download,
    log,
    onProgress: (done, total) => {
      if (!bar) {
        bar = new SingleBar({ format: 'download {bar} {percentage}% | {value}/{total} MB | ETA {eta_formatted}' }, Presets.shades_classic);
        bar.start(total ? Math.round(total / 1e6) : 0, 0);
      }
      bar.update(Math.round(done / 1e6));
    },
  });
  (bar as SingleBar | null)?.stop();
  return dir;
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
