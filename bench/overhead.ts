/**
 * Callback overhead: throughput of one small model trained with no callback and with each of the
 * library's callbacks, interleaved round by round in one process (so machine noise hits all alike),
 * reported as medians and as ratios to the no-callback run; plus the tensor count over many batches.
 *
 *   npm run bench:overhead                    # defaults: 15 rounds × 100 batches, then 1,000 batches for tensors
 *   npm run bench:overhead -- --rounds 11 --batches 400 --backend cpu
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, KeepBest, LRFinder, OneCycleLR, WeightAveraging } from '../src/index.js';
import { median } from '../src/analysis/stats.js';
import { flags, markdownTable } from './kit.js';

const { values: args } = flags('bench:overhead', {
    rounds: { type: 'string', default: '15' },
    batches: { type: 'string', default: '100' },
    'leak-batches': { type: 'string', default: '1000' },
    backend: { type: 'string', default: 'cpu' },
    help: { type: 'boolean', default: false },
}, { summary: 'callback overhead: throughput with and without each callback, interleaved rounds, tensors leaked', example: 'npm run bench:overhead' });
if (args.help) {
  console.log('usage: npm run bench:overhead -- [--rounds N] [--batches N] [--leak-batches N] [--backend cpu|wasm|tensorflow]');
  process.exit(0);
}
const rounds = Number(args.rounds);
const batches = Number(args.batches);
const leakBatches = Number(args['leak-batches']);
const BATCH = 32;

type Variant = { name: string; make: () => tf.Callback[] };
const variants: Variant[] = [
  { name: 'no callback', make: () => [] },
  { name: 'CyclicLR', make: () => [new CyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSize: 50, mode: 'triangular2' })] },
  {
    name: 'CyclicLR + momentum',
    make: () => [new CyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSize: 50, cycleMomentum: true })],
  },
  { name: 'OneCycleLR', make: () => [new OneCycleLR({ maxLR: 0.01 })] },
  {
    // Reads loss and accuracy every batch, and saves/restores the weights and optimizer state per fit.
    name: 'LRFinder',
    make: () => [new LRFinder({ minLR: 0.001, maxLR: 0.01, stopOnDivergence: false, stopOnNonFinite: false })],
  },
  // Averaging: EMA updates its copy of the weights after every batch (the costliest setting); SWA every 10 batches.
  { name: 'WeightAveraging (EMA, every batch)', make: () => [new WeightAveraging({ mode: 'ema', decay: 0.999, swapAtEnd: false })] },
  { name: 'WeightAveraging (SWA, every 10)', make: () => [new WeightAveraging({ start: 0, every: 10, swapAtEnd: false })] },
  // Copies the weights at each improvement of the monitored value (the training loss here: it improves most epochs).
  { name: 'KeepBest', make: () => [new KeepBest({ monitor: 'loss' })] },
];

/** The model every variant trains: a 2-layer MLP on 64 features, 10 classes, Momentum SGD, fixed seeds. */
function makeModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 128, activation: 'relu', inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.momentum(0.005, 0.9), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Wraps a callback's hooks to add the time spent inside them to `clock.ms`. */
function timed(cb: tf.Callback, clock: { ms: number }): tf.Callback {
  const hooks = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;
  const target = cb as unknown as Record<string, (...a: unknown[]) => Promise<void>>;
  for (const hook of hooks) {
    const original = target[hook].bind(cb);
    target[hook] = async (...a: unknown[]) => {
      const t0 = performance.now();
      await original(...a);
      clock.ms += performance.now() - t0;
    };
  }
  return cb;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

async function main(): Promise<void> {
  try {
    if (args.backend === 'tensorflow') require('@tensorflow/tfjs-node');
    if (args.backend === 'wasm') require('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    throw new Error(`backend ${args.backend} is not available here: ${(e as Error).message}`);
  }
  tf.env().set('IS_TEST', true);
  await tf.setBackend(args.backend as string);
  await tf.ready();
  const n = batches * BATCH;
  const total = Math.max(n, leakBatches * BATCH);
  const xs = tf.randomNormal([total, 64], 0, 1, 'float32', 1);
  const ys = tf.oneHot(tf.randomUniform([total], 0, 10, 'int32', 2), 10);
  const x = xs.slice(0, n);
  const y = ys.slice(0, n);
  const warm = makeModel();
  await warm.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0 }); // warm-up: kernels, JIT
  warm.dispose();
  const timing = await timedRounds(x, y);
  const leaks = await tensorsLeft(x, y, xs, ys);
  console.log(table(timing, leaks, n).join('\n'));
  tf.dispose([xs, ys, x, y]);
}

/** Frees what the callbacks keep on purpose (WeightAveraging's average). */
function release(callbacks: tf.Callback[]): void {
  for (const cb of callbacks) (cb as { dispose?: () => void }).dispose?.();
}

type Timing = { times: Record<string, number[]>; ratios: Record<string, number[]>; inside: Record<string, number[]> };

/**
 * Every timed fit starts from the same weights and a fresh optimizer, so variants differ only by what
 * their callback does (and by the LR it sets); the order rotates each round.
 */
async function timedRounds(x: tf.Tensor, y: tf.Tensor): Promise<Timing> {
  const perVariant = () => Object.fromEntries(variants.map((v) => [v.name, [] as number[]]));
  const t: Timing = { times: perVariant(), ratios: perVariant(), inside: perVariant() };
  for (let r = 0; r < rounds; r++) {
    const round: Record<string, number> = {};
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + r) % variants.length]; // rotate so no variant always runs first
      const model = makeModel();
      const clock = { ms: 0 };
      const callbacks = v.make().map((cb) => timed(cb, clock));
      gc();
      const t0 = performance.now();
      await model.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0, shuffle: false, callbacks });
      round[v.name] = performance.now() - t0;
      t.times[v.name].push(round[v.name]);
      t.inside[v.name].push((clock.ms * 1000) / batches);
      release(callbacks);
      model.dispose();
    }
    for (const v of variants) t.ratios[v.name].push(round['no callback'] / round[v.name]);
    process.stderr.write(`round ${r + 1}/${rounds}\r`);
  }
  process.stderr.write('\n');
  return t;
}

/** Change in the tensor count over leakBatches batches, per variant (after the optimizer made its slots). */
async function tensorsLeft(x: tf.Tensor, y: tf.Tensor, xs: tf.Tensor, ys: tf.Tensor): Promise<Record<string, number>> {
  const leaks: Record<string, number> = {};
  for (const v of variants) {
    const model = makeModel();
    await model.fit(x.slice(0, BATCH), y.slice(0, BATCH), { epochs: 1, batchSize: BATCH, verbose: 0 }); // optimizer slots
    const before = tf.memory().numTensors;
    const callbacks = v.make();
    await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, verbose: 0, callbacks });
    release(callbacks); // what a callback keeps on purpose (an average) is freed by its dispose(); anything else left is a leak
    leaks[v.name] = tf.memory().numTensors - before;
    model.dispose();
  }
  return leaks;
}

function table({ times, ratios, inside }: Timing, leaks: Record<string, number>, n: number): string[] {
  const base = median(times['no callback']);
  const spread = (a: number[]): string => `${Math.min(...a).toFixed(3)}–${Math.max(...a).toFixed(3)}`;
  return [
    `Command: npm run bench:overhead -- --rounds ${rounds} --batches ${batches} --backend ${args.backend}`,
    `Backend: ${tf.getBackend()}; tfjs ${tf.version.tfjs}; Node ${process.version}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; ${new Date().toISOString()}`,
    `Model: Dense 64→128→10, Momentum SGD, batch ${BATCH}; ${batches} batches per timed fit; ${rounds} interleaved rounds; median batch ${((base / batches)).toFixed(2)} ms.`,
    '',
    markdownTable(
      ['callback', 'median ms / fit', 'images/s', 'throughput ratio (median of paired rounds; range)', 'time inside the callback per batch', `tensors after ${leakBatches} batches`],
      variants.map((v) => {
        const m = median(times[v.name]);
        const us = median(inside[v.name]);
        return [v.name, m.toFixed(1), ((n / m) * 1000).toFixed(0), `${median(ratios[v.name]).toFixed(3)} (${spread(ratios[v.name])})`, `${us.toFixed(1)} µs (${((us / 1000 / (base / batches)) * 100).toFixed(3)} % of a batch)`, `${leaks[v.name] >= 0 ? '+' : ''}${leaks[v.name]}`];
      }),
    ),
  ];
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
