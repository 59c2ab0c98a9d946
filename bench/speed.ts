/**
 * Training speed of the CIFAR-10 nets on the wasm backend (no tfjs-node): the example's kernels before
 * (`baseline`: single-threaded wasm, im2col dW, flipped-filter dx) against now (`fast`: the threaded
 * wasm build and the kernels of packages/tfjs-wasm-training) and, where the oneDNN addon is built (`apt-get
 * install libdnnl-dev; npm run build:native`), `native` (fast with oneDNN's convolutions,
 * wasm-native.ts), side by side in one run.
 *
 *   npm run bench:speed                         # both nets, batch 50 and 100, 3 alternating rounds
 *   npm run bench:speed -- --profile            # per-kernel time of a training step (mean of 5), and what is outside kernels; PyTorch's per-op time beside it
 *   npm run bench:speed -- --nets quick --batches 100 --rounds 5 --steps 20
 *   npm run bench:speed -- --no-torch           # without the PyTorch row
 *
 * The peer a user would pick instead: where Debian's python3-torch is installed (`apt-get install
 * python3-torch`), every round also trains the same net in PyTorch on the same 2 threads
 * (bench/speed_torch.py), and the table gets its images/s and our ratio to it; elsewhere the row is
 * skipped with a message.
 *
 * Each measurement runs in its own process (a backend's thread count is fixed when it starts): the
 * example's own data pipeline (`trainingDataset` from uint8 images) and `fitDataset`, on the real
 * CIFAR-10 in ../shared/data when present (random images otherwise, said in the output), 3 warm-up
 * batches, then `--steps` timed batches. Rounds alternate baseline and fast; the table reports medians
 * and the ratio of medians. Writes bench/results/speed/{speed.md,speed.json}.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend } from 'tfjs-wasm-training';
import { loadFolder, type Split } from '../examples/cifar/data.js';
import { buildNet, type NetName } from '../examples/cifar/model.js';
import { channelStats, trainingDataset } from '../examples/cifar/batches.js';
import { seededRandom } from '../examples/lib/kit.js';
import type { KernelSet } from 'tfjs-wasm-training';
import { nativeConvolutions } from 'tfjs-wasm-training';
import { median } from '../src/analysis/stats.js';import { flags, markdownTable, RESULTS } from './kit.js';


const SMALL = path.resolve(__dirname, '../../shared/data/cifar-10-small');
const OUT = path.join(RESULTS, 'speed');
const CONFIGS: Record<KernelSet, { threads: number | undefined; kernels: KernelSet }> = {
  baseline: { threads: 1, kernels: 'baseline' },
  fast: { threads: undefined, kernels: 'fast' },
  native: { threads: undefined, kernels: 'native' },
};

const { values: a } = flags('bench:speed', {
    child: { type: 'string' },
    net: { type: 'string', default: 'quick' },
    batch: { type: 'string', default: '50' },
    nets: { type: 'string', default: 'quick,full' },
    batches: { type: 'string', default: '50,100' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '15' },
    profile: { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
}, { summary: "training speed of the CIFAR-10 nets on wasm (stock, the example's kernels, oneDNN) and PyTorch, side by side", example: 'npm run bench:speed -- --rounds 3 --steps 20' });

/** Training images: the real CIFAR-10 when here, else random bytes in the same layout. */
function trainingImages(): { split: Split; source: string } {
  if (existsSync(SMALL)) return { split: loadFolder(SMALL).train, source: `CIFAR-10 (${SMALL})` };
  const rand = seededRandom(7);
  const count = 1000;
  const images = Uint8Array.from({ length: count * 3072 }, () => Math.floor(rand() * 256));
  const labels = Uint8Array.from({ length: count }, () => Math.floor(rand() * 10));
  return { split: { images, labels, count }, source: 'random images (../shared/data/cifar-10-small is absent)' };
}

async function setup(set: KernelSet, net: NetName, batch: number) {
  const backend = await chooseBackend('wasm', CONFIGS[set]);
  const { split, source } = trainingImages();
  // The baseline is the example as it was: Caffe's ReLU layout and the old kernels.
  const model = buildNet(net, 1, set === 'baseline' ? 'caffe' : 'conv');
  model.compile({ optimizer: tf.train.momentum(0.001, 0.9), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const data = trainingDataset(split, batch, channelStats(split), 2);
  return { backend, source, model, data };
}

/** One process: images/s of `--steps` batches after 3 warm-up batches. */
async function child(set: KernelSet): Promise<void> {
  const net = a.net as NetName;
  const batch = Number(a.batch);
  const steps = Number(a.steps);
  const { backend, source, model, data } = await setup(set, net, batch);
  await model.fitDataset(data, { epochs: 1, batchesPerEpoch: 3, verbose: 0 });
  const t0 = performance.now();
  await model.fitDataset(data, { epochs: 1, batchesPerEpoch: steps, verbose: 0 });
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ set, net, batch, imagesPerSecond: (steps * batch) / seconds, backend: backend.why, source }));
}

/** Per-kernel milliseconds of one training step (trainOnBatch on one prepared batch), and the rest. */
async function profile(set: KernelSet): Promise<void> {
  const net = a.net as NetName;
  const batch = Number(a.batch);
  const { backend, source, model, data } = await setup(set, net, batch);
  const it = await data.iterator();
  const { xs, ys } = (await it.next()).value as { xs: tf.Tensor; ys: tf.Tensor };
  // The example's batch building (uint8 → normalised float tensors), outside the training step.
  const b0 = performance.now();
  for (let i = 0; i < 10; i++) tf.dispose((await it.next()).value as tf.TensorContainer);
  const batchMs = (performance.now() - b0) / 10;
  for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys);
  const t0 = performance.now();
  const runs = 10;
  for (let i = 0; i < runs; i++) await model.trainOnBatch(xs, ys);
  const stepMs = (performance.now() - t0) / runs;
  const profiled = 5;
  const info = await tf.profile(async () => {
    for (let i = 0; i < profiled; i++) await model.trainOnBatch(xs, ys);
  });
  const by = new Map<string, number>();
  for (const k of info.kernels) {
    // Ops that wrap a kernel (fusedConv2d__op around FusedConv2D) are listed too: count kernels only.
    if (k.name.endsWith('__op')) continue;
    const key = `${k.name} ${JSON.stringify(k.inputShapes.slice(0, 2))}`;
    by.set(key, (by.get(key) ?? 0) + ((await k.kernelTimeMs) as number) / profiled);
  }
  const kernelMs = [...by.values()].reduce((s, v) => s + v, 0);
  const rows = [...by.entries()].sort((x, y) => y[1] - x[1]);
  console.log(`## Profile: ${set}, ${net} net, batch ${batch} (${backend.why}; ${source})\n`);
  console.log(`One training step (trainOnBatch, mean of ${runs}): ${stepMs.toFixed(1)} ms = ${((batch * 1000) / stepMs).toFixed(0)} images/s; in kernels ${kernelMs.toFixed(1)} ms (mean of ${profiled} profiled steps), outside ${(stepMs - kernelMs).toFixed(1)} ms. Building a batch from the uint8 images (the example's data pipeline): ${batchMs.toFixed(1)} ms.\n`);
  console.log('| kernel [input shapes] | ms | share |\n| --- | --- | --- |');
  for (const [k, v] of rows.filter(([, v]) => v >= 0.5)) console.log(`| ${k} | ${v.toFixed(1)} | ${((100 * v) / kernelMs).toFixed(0)} % |`);
  const rest = rows.filter(([, v]) => v < 0.5).reduce((s, [, v]) => s + v, 0);
  console.log(`| ${rows.filter(([, v]) => v < 0.5).length} others under 0.5 ms | ${rest.toFixed(1)} | ${((100 * rest) / kernelMs).toFixed(0)} % |\n`);
}


/** A Python that imports torch (Debian's python3-torch lives in /usr/bin/python3's packages), or null and why. */
function torchPython(): { python: string | null; why: string } {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      const v = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      return { python, why: `PyTorch ${v} (${python})` };
    } catch {
      // not this one
    }
  }
  return { python: null, why: 'PyTorch is not installed (apt-get install python3-torch); the PyTorch row is skipped' };
}

function spawn(args: string[]): string {
  return execFileSync(process.execPath, [...process.execArgv, __filename, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

async function main(): Promise<void> {
  if (a.child) return a.profile ? profile(a.child as KernelSet) : child(a.child as KernelSet);
  const native = nativeConvolutions();
  const sets: KernelSet[] = native.addon ? ['baseline', 'fast', 'native'] : ['baseline', 'fast'];
  if (!native.addon) console.log(`native (oneDNN convolutions): skipped, ${native.why}`);
  if (a.profile) {
    for (const set of sets) process.stdout.write(spawn(['--child', set, '--profile', '--net', a.net as string, '--batch', a.batch as string]));
    const torch = a['no-torch'] ? { python: null, why: '--no-torch' } : torchPython();
    if (!torch.python) console.log(`PyTorch profile: skipped, ${torch.why}`);
    else process.stdout.write(execFileSync(torch.python, [path.join(__dirname, 'speed_torch.py'), '--profile', '--net', a.net as string, '--batch', a.batch as string, '--data', SMALL], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    return;
  }
  const nets = (a.nets as string).split(',') as NetName[];
  const batches = (a.batches as string).split(',').map(Number);
  const rounds = Number(a.rounds);
  const command = `npm run bench:speed -- ${process.argv.slice(2).join(' ')}`.trim();
  const torch = a['no-torch'] ? { python: null, why: '--no-torch' } : torchPython();
  console.log(`PyTorch: ${torch.why}`);
  type Row = { net: NetName; batch: number; baseline: number[]; fast: number[]; native: number[]; pytorch: number[] };
  const rows: Row[] = [];
  let about = '';
  for (const net of nets) {
    for (const batch of batches) {
      const row: Row = { net, batch, baseline: [], fast: [], native: [], pytorch: [] };
      for (let r = 0; r < rounds; r++) {
        for (const set of [...sets, ...(torch.python ? ['pytorch' as const] : [])]) {
          const args = ['--net', net, '--batch', String(batch), '--steps', a.steps as string];
          const text =
            set === 'pytorch'
              ? execFileSync(torch.python as string, [path.join(__dirname, 'speed_torch.py'), ...args, '--data', SMALL], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
              : spawn(['--child', set, ...args]);
          const out = JSON.parse(text.trim().split('\n').pop() as string);
          row[set].push(out.imagesPerSecond);
          if (set === 'fast') about = `fast: ${out.backend}. Data: ${out.source}.`;
          console.log(`${net} batch ${batch} round ${r + 1}: ${set} ${out.imagesPerSecond.toFixed(0)} images/s`);
        }
      }
      rows.push(row);
    }
  }
  const fmt = (v: number[]) => (v.length === 0 ? '–' : `${median(v).toFixed(0)} (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`);
  const vsTorch = (r: Row, ours: number[]) => (r.pytorch.length === 0 || ours.length === 0 ? '–' : `**${(median(ours) / median(r.pytorch)).toFixed(2)}**`);
  const md = [
    '# Training speed of the CIFAR-10 nets on wasm (no tfjs-node), and PyTorch on the same cores',
    '',
    `Command: \`${command}\`  `,
    `Date: ${new Date().toISOString()}; Node ${process.version}, tfjs ${tf.version.tfjs}; ${rounds} rounds × ${a.steps} batches per measurement, each in its own process, baseline, fast, native and PyTorch alternating.  `,
    `${about} native: ${native.addon ? native.why : `skipped, ${native.why}`}. PyTorch: ${torch.why}.`,
    '',
    markdownTable(
      ['net', 'batch', 'baseline images/s, median (range)', 'fast', 'fast / baseline', 'native (oneDNN convolutions)', 'PyTorch', 'fast / PyTorch', 'native / PyTorch'],
      rows.map((r) => [r.net, r.batch, fmt(r.baseline), fmt(r.fast), `**${(median(r.fast) / median(r.baseline)).toFixed(2)}**`, fmt(r.native), fmt(r.pytorch), vsTorch(r, r.fast), vsTorch(r, r.native)]),
    ),
    '',
  ].join('\n');
  console.log(`\n${md}`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, 'speed.md'), md);
  writeFileSync(path.join(OUT, 'speed.json'), JSON.stringify({ command, date: new Date().toISOString(), native: native.why, pytorch: torch.why, rows }, null, 1));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
