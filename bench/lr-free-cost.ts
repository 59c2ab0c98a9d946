/**
 * The cost of a learning-rate-free optimizer's step against the plain optimizer it replaces: time per
 * training step (forward, backward, update) of the same model and batch, every optimizer interleaved
 * round by round in one process (machine load hits all alike), medians over rounds, ratios to the
 * plain optimizer of the family (Momentum SGD for Schedule-Free SGD and DoG, Adam for Prodigy and
 * Schedule-Free AdamW). Two models: the CIFAR-10 quick net (convolutions dominate) and an MLP on
 * 784 inputs (the update is a larger share).
 *
 *   npm run bench:lr-free-cost                       # wasm (the example's backend), 7 rounds × 20 steps
 *   npm run bench:lr-free-cost -- --rounds 9 --steps 30 --backend cpu
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend, type BackendName } from 'tfjs-wasm-training';
import { median } from '../src/analysis/stats.js';
import { buildNet } from '../examples/cifar/model.js';
import { LR_FREE, makeOptimizer, type LRFreeName } from '../examples/cifar/optimizers.js';
import { commandLine, flags, markdownTable, resultsDir } from './kit.js';

const { values: a } = flags('bench:lr-free-cost', {
  rounds: { type: 'string', default: '7' },
  steps: { type: 'string', default: '20' },
  backend: { type: 'string', default: 'wasm' },
}, { summary: "the time of a learning-rate-free optimizer's step against the plain optimizer's, interleaved, medians", example: 'npm run bench:lr-free-cost' });

const PLAIN = { momentum: () => makeOptimizer('momentum', 0.01, 0.9), adam: () => makeOptimizer('adam', 0.001, 0.9) };
const NAMES = Object.keys(LR_FREE) as LRFreeName[];

interface Setup {
  name: string;
  model: () => tf.Sequential;
  batch: () => { x: tf.Tensor; y: tf.Tensor };
}

const SETUPS: Setup[] = [
  { name: 'CIFAR-10 quick net, batch 100', model: () => buildNet('quick', 1), batch: () => ({ x: tf.randomNormal([100, 32, 32, 3], 0, 1, 'float32', 1), y: tf.oneHot(tf.randomUniform([100], 0, 10, 'int32', 2), 10).toFloat() }) },
  {
    name: 'MLP 784-512-256-10, batch 128',
    model: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 512, activation: 'relu', inputShape: [784], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          tf.layers.dense({ units: 256, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
          tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        ],
      }),
    batch: () => ({ x: tf.randomNormal([128, 784], 0, 1, 'float32', 1), y: tf.oneHot(tf.randomUniform([128], 0, 10, 'int32', 2), 10).toFloat() }),
  },
];

async function measure(setup: Setup, rounds: number, steps: number): Promise<Record<string, number>> {
  const { x, y } = setup.batch();
  const variants: Array<[string, () => tf.Optimizer]> = [
    ['Momentum SGD', PLAIN.momentum],
    ['Adam', PLAIN.adam],
    ...NAMES.map((n): [string, () => tf.Optimizer] => [n, () => LR_FREE[n].make()]),
  ];
  const models = variants.map(([, make]) => {
    const m = setup.model();
    m.compile({ optimizer: make(), loss: 'categoricalCrossentropy' });
    return m;
  });
  for (const m of models) await m.trainOnBatch(x, y); // state made, kernels compiled
  const times: number[][] = variants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, m] of models.entries()) {
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) await m.trainOnBatch(x, y);
      times[i].push((performance.now() - t0) / steps);
    }
    console.log(`${setup.name}: round ${r + 1}/${rounds}`);
  }
  for (const m of models) {
    m.optimizer.dispose();
    m.dispose();
  }
  tf.dispose([x, y]);
  return Object.fromEntries(variants.map(([name], i) => [name, median(times[i])]));
}

async function main(): Promise<void> {
  const backend = await chooseBackend(a.backend as BackendName);
  console.log(`backend: ${backend.name} — ${backend.why}`);
  const rounds = Number(a.rounds);
  const steps = Number(a.steps);
  const sections: string[] = [];
  for (const setup of SETUPS) {
    const ms = await measure(setup, rounds, steps);
    const rows = NAMES.map((n) => {
      const plain = LR_FREE[n].family === 'momentum' ? 'Momentum SGD' : 'Adam';
      return [n, plain, ms[n].toFixed(1), ms[plain].toFixed(1), `${(ms[n] / ms[plain]).toFixed(2)}×`];
    });
    sections.push(`## ${setup.name}`, '', markdownTable(['optimizer', 'plain optimizer', 'ms / step', 'plain ms / step', 'ratio'], rows), '');
  }
  const out = resultsDir('lr-free-cost');
  const report = [
    '# bench:lr-free-cost — time per training step against the plain optimizer',
    '',
    `Command: \`${commandLine('bench:lr-free-cost')}\`; backend ${backend.name} (${backend.why}); ${rounds} rounds × ${steps} steps, interleaved; medians of the per-round ms/step.`,
    '',
    ...sections,
  ].join('\n');
  writeFileSync(path.join(out, 'report.md'), `${report}\n`);
  console.log(`\n${report}`);
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
