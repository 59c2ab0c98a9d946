/**
 * bench:probes — how far apart does a rerun of the zero-config probe read maxLR, and which reading of
 * which curve moves least? Per seed (other initial weights) it reruns the exponential probe (100
 * batches, 1e-7 → 10; other data order each time, same weights) and reads every rerun, and every
 * group of k reruns' mean curve (meanProbe), at the smoothed loss's minimum, its floor's left end
 * ('bottom') and the floor's geometric center ('center'). Reported: the median and 90th percentile,
 * over draws of one group per seed, of max/min across the seeds (what a user who reruns the whole test
 * sees), the same for two readings from the same weights (a user rerunning the test on one model),
 * and each seed's median reading.
 *
 *   npm run bench:probes                                        # cifar-quick, Momentum SGD, seeds 1–5, 6 reruns
 *   npm run bench:probes -- --task mnist-mlp --optimizer adam   # another task / optimizer
 *   npm run bench:probes -- --report                            # the report again from the saved probes
 *   npm run bench:probes -- --min-lr 1e-4 --max-lr 1 --batches 200   # a probe over another range / length
 *   npm run bench:probes -- --held-out 500                      # also read the loss on 500 held-out images after every batch
 *   npm run bench:probes -- --warmup 50 --warmup-lr 0.001       # each probe after 50 batches at a low fixed LR (weights put back after)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LRFinder, lrScheduler, meanProbe, PROBE_RANGE, snapshotTraining, thumbRule, type RangeTestResult } from 'tfjs-clr';
import { chooseBackend } from 'tfjs-wasm-training';
import { commandLine, flags, markdownTable, positiveFlag, resultsDir } from './kit.js';
import { TASKS } from './suggest/tasks.js';
import { compileFor, OPTIMIZERS, type OptimizerName } from './suggest/train.js';

const { values: a } = flags('bench:probes', {
  task: { type: 'string', default: 'cifar-quick' },
  optimizer: { type: 'string', default: 'momentum' },
  seeds: { type: 'string', default: '1,2,3,4,5' },
  reruns: { type: 'string', default: '6' },
  report: { type: 'boolean', default: false },
  'min-lr': { type: 'string', default: String(PROBE_RANGE.minLR) },
  'max-lr': { type: 'string', default: String(PROBE_RANGE.maxLR) },
  batches: { type: 'string', default: '100' },
  'held-out': { type: 'string' },
  warmup: { type: 'string' },
  'warmup-lr': { type: 'string', default: '0.001' },
}, { summary: 'how far apart reruns of the zero-config probe read maxLR, per seed and reading', example: 'npm run bench:probes -- --seeds 1,2,3' });
/** The probe's schedule: the zero-config probe's by default. */
const PROBE = {
  minLR: positiveFlag('min-lr', a['min-lr']) as number,
  maxLR: positiveFlag('max-lr', a['max-lr']) as number,
  numIterations: positiveFlag('batches', a.batches, true) as number,
};
/** Held-out examples whose loss the probe also records after every batch (0: none). */
const HELD_OUT = positiveFlag('held-out', a['held-out'], true) ?? 0;
if (PROBE.maxLR <= PROBE.minLR) throw new Error(`--max-lr: must be above --min-lr (${PROBE.minLR}), got ${PROBE.maxLR}`);
/** Not the default probe: results go to a folder of their own, named by it. */
const VARIANT = PROBE.minLR === PROBE_RANGE.minLR && PROBE.maxLR === PROBE_RANGE.maxLR && PROBE.numIterations === 100 ? '' : `-${PROBE.minLR}-${PROBE.maxLR}-${PROBE.numIterations}`;
const HELD_OUT_DIR = HELD_OUT > 0 ? `-held-out-${HELD_OUT}` : '';
/** Batches trained at WARMUP_LR before each probe (from the seed's weights, put back after the probe); 0: none. */
const WARMUP = positiveFlag('warmup', a.warmup, true) ?? 0;
const WARMUP_LR = positiveFlag('warmup-lr', a['warmup-lr']) as number;
const WARMUP_DIR = WARMUP > 0 ? `-warmup-${WARMUP}-${WARMUP_LR}` : '';

type Saved = Array<{ seed: number; rerun: number; result: RangeTestResult }>;
const READINGS = ['minimum', 'bottom', 'center'] as const;

/** Every k-subset of 0…n−1. */
function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (from: number, picked: number[]) => {
    if (picked.length === k) return void out.push(picked);
    for (let i = from; i < n; i++) rec(i + 1, [...picked, i]);
  };
  rec(0, []);
  return out;
}

async function run(task: (typeof TASKS)[number], optimizer: OptimizerName, seeds: number[], reruns: number): Promise<Saved> {
  const data = await task.load();
  const saved: Saved = [];
  const perEpoch = Math.floor(data.train.x.shape[0] / task.batchSize);
  const validationData: [tf.Tensor, tf.Tensor] | undefined = HELD_OUT > 0 ? [data.val.x.slice(0, HELD_OUT), data.val.y.slice(0, HELD_OUT)] : undefined;
  const heldOut = validationData ? { validationData, evaluateEvery: 1, validationBatchSize: HELD_OUT } : {};
  for (const seed of seeds) {
    const model = task.build(seed);
    compileFor(model, 0.01, optimizer);
    for (let r = 0; r < reruns; r++) {
      // A warm-up at a low fixed LR first (its own data order), the seed's weights and optimizer put back after the probe.
      const before = WARMUP > 0 ? await snapshotTraining(model) : null;
      if (WARMUP > 0) {
        const warm = lrScheduler({ lr: () => WARMUP_LR });
        await model.fit(data.train.x, data.train.y, { epochs: Math.ceil(WARMUP / perEpoch), batchSize: task.batchSize, shuffle: true, callbacks: [warm, stopAfter(model, WARMUP)], verbose: 0 });
      }
      const finder = new LRFinder({ mode: 'exponential', ...PROBE, ...heldOut });
      await model.fit(data.train.x, data.train.y, { epochs: Math.ceil(PROBE.numIterations / perEpoch), batchSize: task.batchSize, shuffle: true, callbacks: [finder], verbose: 0 });
      await finder.finish();
      await before?.restore();
      saved.push({ seed, rerun: r, result: finder.result });
      console.log(`seed ${seed}, rerun ${r + 1}/${reruns}: ${finder.result.lr.length} batches`);
    }
    model.dispose();
  }
  tf.dispose([data.train.x, data.train.y, data.val.x, data.val.y, data.test.x, data.test.y, ...(validationData ?? [])]);
  return saved;
}

/** Stops `model`'s fit after `n` batches. */
function stopAfter(model: tf.LayersModel, n: number): tf.CustomCallback {
  let seen = 0;
  return new tf.CustomCallback({
    onBatchEnd: async () => {
      if (++seen >= n) model.stopTraining = true;
    },
  });
}

/** A probe read on the held-out loss recorded after each of its batches instead (`--held-out`). */
function heldOutLoss(r: RangeTestResult): RangeTestResult {
  const v = r.validation;
  if (v === null) throw new Error('heldOutLoss: the probe recorded no held-out loss');
  // Evaluated after every batch but the one the probe stopped at: batch i's held-out loss, null where none.
  const loss: Array<number | null> = r.lr.map(() => null);
  v.iteration.forEach((i, k) => (loss[i] = v.loss[k]));
  return { ...r, loss, smoothedLoss: loss, accuracy: null, validation: null };
}

function report(saved: Saved, title: string): string {
  const seeds = [...new Set(saved.map((s) => s.seed))];
  const bySeed = seeds.map((s) => saved.filter((x) => x.seed === s).map((x) => x.result));
  const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
  const rows: string[][] = [];
  // The training loss as recorded; with --held-out, also the held-out loss.
  const curves: Array<{ label: string; of: (r: RangeTestResult) => RangeTestResult }> = [{ label: '', of: (r) => r }];
  if (bySeed.every((runs) => runs.every((r) => r.validation !== null && r.validation.loss.length > 0))) curves.push({ label: ', held-out loss', of: heldOutLoss });
  // A curve read as one curve: any repeats (a mean curve's probes) dropped, so the rule reads this curve itself.
  const readAlone = (curve: RangeTestResult, reading: (typeof READINGS)[number]) => {
    const one = { ...curve, repeats: null };
    return thumbRule({ ...one, probe: one }, { reading }).maxLR ?? NaN;
  };
  // Groups: one probe alone, the mean curve of k, or the median of the k probes' own readings (robust to one odd probe).
  const kinds = [{ k: 1, how: 'one' }, { k: 3, how: 'mean' }, { k: 3, how: 'median' }, { k: 5, how: 'mean' }, { k: 5, how: 'median' }] as const;
  for (const { label, of: curveOf } of curves) for (const { k, how } of kinds) {
    if (bySeed.some((r) => r.length < k)) continue;
    for (const reading of READINGS) {
      // Each seed: the reading of every group of k reruns.
      const perSeed = bySeed.map((runs) => subsets(runs.length, k).map((g) => {
        if (how === 'median') return median(g.map((i) => readAlone(curveOf(runs[i]), reading)));
        return readAlone(k === 1 ? curveOf(runs[g[0]]) : meanProbe(g.map((i) => curveOf(runs[i]))), reading);
      }));
      // Draws of one group per seed: max/min across the seeds (a seeded generator: the same report every time).
      let s = 12345;
      const rand = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
      const spreads = Array.from({ length: 2000 }, () => {
        const pick = perSeed.map((p) => p[Math.floor(rand() * p.length)]);
        return Math.max(...pick) / Math.min(...pick);
      }).sort((x, y) => x - y);
      // A rerun on the same model: two groups of k reruns of one seed that share no probe, one reading each.
      const groups = subsets(bySeed[0].length, k);
      const same: number[] = [];
      for (const readings of perSeed) {
        for (let i = 0; i < groups.length; i++) {
          for (let j = i + 1; j < groups.length; j++) {
            if (!groups[j].some((x) => groups[i].includes(x))) same.push(Math.max(readings[i], readings[j]) / Math.min(readings[i], readings[j]));
          }
        }
      }
      same.sort((x, y) => x - y);
      // A reading the rule declined (no maxLR) makes its cells '–'.
      const fix = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
      const sameCell = same.length > 0 ? `${fix(median(same))} / ${fix(same[Math.floor(0.9 * same.length)])}` : '–';
      rows.push([`${k === 1 ? 'one probe' : `${how} of ${k}${how === 'median' ? ' readings' : ''}`}${label}`, reading, fix(spreads[1000]), fix(spreads[1800]), sameCell, perSeed.map((p) => (Number.isFinite(median(p)) ? median(p).toPrecision(2) : '–')).join(', ')]);
    }
  }
  // How many single probes the default reading reads at all (the rule declines a curve that never falls clearly).
  const readable = saved.filter((x) => Number.isFinite(readAlone(x.result, 'center'))).length;
  return [
    `# bench:probes — ${title}`,
    '',
    `Command: \`${commandLine('bench:probes')}\`; ${saved.length} probes (seeds ${seeds.join(', ')}, ${bySeed[0].length} reruns each, ${PROBE.numIterations} batches, ${PROBE.minLR} → ${PROBE.maxLR}${WARMUP > 0 ? `, each after ${WARMUP} batches at ${WARMUP_LR}` : ''}).`,
    '"max/min across seeds": over 2,000 draws of one reading per seed, the median and 90th percentile of the largest over the smallest maxLR.',
    '"rerun on the same model": two readings from the same initial weights that share no probe (every such pair in every seed), larger over smaller.',
    `Probes the rule reads alone (center): ${readable} of ${saved.length}; "–" where a reading was declined (the loss never fell clearly below its start).`,
    '',
    markdownTable(['curve read', 'reading', 'max/min across seeds: median', '90th percentile', 'rerun on the same model: median / p90', 'median maxLR per seed'], rows),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const task = TASKS.find((t) => t.name === a.task);
  if (!task) throw new Error(`--task: unknown task "${a.task}" (known: ${TASKS.map((t) => t.name).join(', ')})`);
  if (!((a.optimizer as string) in OPTIMIZERS)) throw new Error(`--optimizer: unknown optimizer "${a.optimizer}" (known: ${Object.keys(OPTIMIZERS).join(', ')})`);
  const optimizer = a.optimizer as OptimizerName;
  const out = resultsDir('probes', `${task.name}-${optimizer}${VARIANT}${HELD_OUT_DIR}${WARMUP_DIR}`);
  const file = path.join(out, 'probes.json');
  let saved: Saved;
  if (a.report) {
    if (!existsSync(file)) throw new Error(`--report: no saved probes at ${file}; run without --report first`);
    saved = JSON.parse(readFileSync(file, 'utf8')) as Saved;
  } else {
    const backend = await chooseBackend('wasm');
    console.log(`backend: ${backend.name} — ${backend.why}`);
    saved = await run(task, optimizer, (a.seeds as string).split(',').map(Number), positiveFlag('reruns', a.reruns, true) as number);
    writeFileSync(file, `${JSON.stringify(saved)}\n`);
  }
  const md = report(saved, `${task.name}, ${optimizer}`);
  writeFileSync(path.join(out, 'report.md'), md);
  console.log(md);
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
