/**
 * The paper's claim on real CIFAR-10: iterations CLR needs to reach the fixed-LR baseline's best test
 * accuracy, as a fraction of the iterations the baseline needed (the paper: 25,000 / 70,000 = 0.36).
 * Same net, initial weights, batch size and budget for `fixed`, `triangular2` and `exp_range`; bounds
 * from the zero-config range test (`rangeTest` with no LR given), which the bench runs itself; step size by the paper's rule, shortened to fit 3 cycles.
 *
 *   npm run bench:cifar                                  # ~10 min on 2 cores without tfjs-node (measured 9.7)
 *   npm run bench:cifar -- --data-dir DIR               # the user's copy (extracted binary folder)
 *   npm run bench:cifar -- --iterations 8000 --eval-every 250 --step-size 1000 --checkpoint-every 500 \
 *       --out bench/results/cifar/16ep-range-seed1   # 8,000 iterations a policy, resumable: rerun the same command
 *   npm run bench:cifar -- --archive cifar-10-binary.tar.gz --iterations 70000 --eval-every 1000 \
 *       --model full --test-limit 10000 --range-budget 4000     # paper scale, with tfjs-node
 *   npm run bench:cifar -- --base-lr 0.001 --max-lr 0.006 --iterations 8000 ...  # the paper's bounds, no range test
 *   npm run bench:cifar -- --policies triangular2,exp_range,1cycle ...              # other policies (no fixed: no ratios)
 *   npm run bench:cifar -- --policies fixed --fixed-lr 0.004 ...                     # one point of a fixed-LR grid
 *   npm run bench:cifar -- --optimizer prodigy --policies constant ...               # a learning-rate-free optimizer at its defaults
 *   npm run bench:cifar -- --policies 1cycle --average swa,ema,ema:0.9999 ...        # averages of each run's weights, scored beside it
 *   npm run bench:cifar -- --optimizer scheduleFreeAdamW --policies constant --lr-free-reading double ...  # its LR from Adam's range test
 *   npm run bench:cifar -- --optimizer scheduleFreeSGD --policies constant --lr-free-reading suggested \
 *       --lr-free-scale 10 --lr-free-warmup 0.1 ...   # 10 × Momentum's suggested maxLR, warmup over 10 % of the run
 *   npm run bench:cifar -- --optimizer scheduleFreeAdamW --policies constant --lr-free-reading recipe ...  # the LR and warmup rangeTest returns for it
 *   npm run bench:cifar -- --optimizer scheduleFreeAdamW --lr-free-reading recipe --range-only --seed 10 ...  # only the range test: what the recipe would train with
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chooseBackend, type BackendName } from 'tfjs-wasm-training';
import { loadFolder, locateCifar10 } from '../examples/cifar/data.js';
import { iterationsToReach, runExperiment } from '../examples/cifar/experiment.js';
import { POLICIES, type PolicyName } from '../examples/cifar/policies.js';
import { parseAveraging } from '../examples/cifar/averaging.js';
import { OPTIMIZERS, WITH_WARMUP, isLRFree, isScheduleFree, type OptimizerName } from '../examples/cifar/optimizers.js';
import { commandLine, flags, positiveFlag, readings, resultsDir } from './kit.js';

const SHARED = path.resolve(__dirname, '../../shared/data/cifar-10-binary.tar.gz');
const { values: a } = flags('bench:cifar', {
    'data-dir': { type: 'string' },
    archive: { type: 'string' },
    model: { type: 'string', default: 'quick' },
    iterations: { type: 'string', default: '900' },
    'eval-every': { type: 'string', default: '100' },
    'batch-size': { type: 'string', default: '100' },
    'test-limit': { type: 'string', default: '2000' },
    'range-budget': { type: 'string' },
    backend: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'step-size': { type: 'string' },
    'checkpoint-every': { type: 'string' },
    'base-lr': { type: 'string' },
    'max-lr': { type: 'string' },
    'fixed-lr': { type: 'string' },
    policies: { type: 'string', default: 'fixed,triangular2,exp_range' },
    optimizer: { type: 'string', default: 'momentum' },
    average: { type: 'string' },
    'lr-free-reading': { type: 'string' },
    'lr-free-scale': { type: 'string' },
    'lr-free-warmup': { type: 'string' },
    'range-only': { type: 'boolean', default: false },
    out: { type: 'string' },
}, { summary: "the paper's claim on real CIFAR-10: iterations CLR needs to reach a fixed LR's best test accuracy (range test, policies, seeds; resumable)", example: 'npm run bench:cifar -- --iterations 8000 --eval-every 500 --policies 1cycle --seed 4 --out bench/results/cifar/16ep-1cycle-seed4' });

const lrFlag = (name: 'base-lr' | 'max-lr' | 'fixed-lr') => positiveFlag(name, a[name]);

async function main(): Promise<void> {
  const baseLR = lrFlag('base-lr');
  const maxLR = lrFlag('max-lr');
  const fixedLR = lrFlag('fixed-lr');
  if ((baseLR === undefined) !== (maxLR === undefined)) throw new Error('give both --base-lr and --max-lr, or neither (the range test then suggests both)');
  if (baseLR !== undefined && maxLR !== undefined && baseLR >= maxLR) throw new Error(`--base-lr (${baseLR}) must be below --max-lr (${maxLR})`);
  const policies = (a.policies as string).split(',').map((p) => {
    if (!(POLICIES as readonly string[]).includes(p)) throw new Error(`--policies: unknown policy "${p}" (known: ${POLICIES.join(', ')})`);
    return p as PolicyName;
  });
  const optimizers = (a.optimizer as string).split(',').map((n) => {
    if (!(OPTIMIZERS as readonly string[]).includes(n)) throw new Error(`--optimizer: unknown optimizer "${n}" (known: ${OPTIMIZERS.join(', ')})`);
    return n as OptimizerName;
  });
  const average = parseAveraging(a.average);
  const reading = (a['lr-free-reading'] as string | undefined) ?? '';
  const lrFreeReading = reading === 'recipe' ? 'recipe' : readings(reading, '--lr-free-reading (a 1cycle reading, or recipe)')[0];
  const lrFreeScale = positiveFlag('lr-free-scale', a['lr-free-scale']);
  if (lrFreeScale !== undefined && lrFreeReading === undefined) throw new Error('--lr-free-scale multiplies the range test\'s LR: give --lr-free-reading too');
  const lrFreeWarmup = positiveFlag('lr-free-warmup', a['lr-free-warmup']);
  if (lrFreeWarmup !== undefined && !(lrFreeWarmup < 1)) throw new Error(`--lr-free-warmup is a fraction of --iterations in (0, 1), got ${lrFreeWarmup}`);
  if (lrFreeWarmup !== undefined && !optimizers.some(isScheduleFree)) {
    throw new Error(`--lr-free-warmup is for ${WITH_WARMUP.join(' and ')}; --optimizer is ${optimizers.join(',')}`);
  }
  if (lrFreeReading === 'recipe') {
    const other = optimizers.find((n) => !isScheduleFree(n));
    if (other !== undefined) throw new Error(`--lr-free-reading recipe is rangeTest's own options for ${WITH_WARMUP.join(' or ')}; --optimizer has ${other}`);
    if (lrFreeScale !== undefined || lrFreeWarmup !== undefined) throw new Error('--lr-free-reading recipe brings its own LR and warmup (rangeTest\'s): drop --lr-free-scale and --lr-free-warmup');
  }
  const cyclic = policies.some((p) => p !== 'fixed');
  const rangeTest = baseLR === undefined && (cyclic || fixedLR === undefined);
  if (a['range-only'] && !optimizers.some((n) => (isLRFree(n) ? lrFreeReading !== undefined : rangeTest))) {
    throw new Error('--range-only: these flags run no range test (a learning-rate-free optimizer needs --lr-free-reading; others no --base-lr/--max-lr)');
  }
  const backend = await chooseBackend(a.backend as BackendName | undefined);
  console.log(`backend: ${backend.name} — ${backend.why}`);
  const archive = a.archive ?? (a['data-dir'] === undefined && existsSync(SHARED) ? SHARED : undefined);
  if (a['data-dir'] === undefined && archive === undefined) {
    throw new Error('no CIFAR-10 here: pass --data-dir DIR (extracted binary folder) or --archive FILE (cifar-10-binary.tar.gz)');
  }
  const dir = await locateCifar10({ dataDir: a['data-dir'], archive, download: false, log: console.log });
  const data = loadFolder(dir, { maxTest: Number(a['test-limit']) });
  const batchSize = Number(a['batch-size']);
  // bench/results/cifar/<run>: --out, else one named by the seed and budget (a rerun resumes it).
  const out = a.out ?? resultsDir('cifar', `seed${a.seed}-${a.iterations}it`);
  mkdirSync(out, { recursive: true });

  const t0 = performance.now();
  const result = await runExperiment({
    data,
    net: a.model as 'quick' | 'full',
    policies,
    optimizers,
    iterations: Number(a.iterations),
    evalEvery: Number(a['eval-every']),
    batchSize,
    momentum: 0.9,
    seed: Number(a.seed),
    rangeTest,
    baseLR,
    maxLR,
    fixedLR,
    rangeEpochs: 1,
    rangeBudget: a['range-budget'] === undefined ? undefined : Number(a['range-budget']),
    stepSize: a['step-size'] === undefined ? undefined : Number(a['step-size']),
    checkpointEvery: a['checkpoint-every'] === undefined ? undefined : Number(a['checkpoint-every']),
    ...(average.length > 0 ? { average } : {}),
    ...(lrFreeReading !== undefined ? { lrFreeReading } : {}),
    ...(lrFreeScale !== undefined ? { lrFreeScale } : {}),
    ...(lrFreeWarmup !== undefined ? { lrFreeWarmup } : {}),
    ...(a['range-only'] ? { rangeOnly: true } : {}),
    out,
    backend,
    progress: process.stdout.isTTY ? 'bar' : 'lines',
    log: console.log,
    command: commandLine('bench:cifar'),
  });
  const fixed = result.runs.find((r) => r.name === 'fixed' && !r.averageOf);
  const fixedAt = fixed ? (iterationsToReach(fixed, fixed.bestAccuracy) as number) : null;
  const lines = result.runs.map((r) => {
    const head = `${r.label}: best ${(r.bestAccuracy * 100).toFixed(2)} % at ${r.bestAt}, final ${(r.finalAccuracy * 100).toFixed(2)} %`;
    if (!fixed || fixedAt === null) return head;
    const at = iterationsToReach(r, fixed.bestAccuracy);
    return `${head}, reaches fixed's best (${(fixed.bestAccuracy * 100).toFixed(2)} %) at ${at ?? 'never'}` + (at !== null ? `, ratio ${(at / fixedAt).toFixed(2)}` : '');
  });
  const summary = [`total ${((performance.now() - t0) / 60000).toFixed(1)} min`, ...lines].join('\n');
  console.log(`\n${summary}`);
  writeFileSync(path.join(out, 'summary.txt'), `${summary}\n`);
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
