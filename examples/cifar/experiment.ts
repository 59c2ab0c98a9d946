/**
 * The CIFAR-10 experiment: optional LR range test, then every policy from the same initial weights for
 * the same iteration budget, test accuracy at fixed intervals, and a results folder (JSON, Markdown
 * report, SVG plots).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SingleBar, Presets } from 'cli-progress';
import { DEFAULT_BUDGET, rangeTest as runRangeTest, suggestStepSize, type BoundsSuggestion, type RangeTestResult } from 'tfjs-clr';
import { accuracyCurvesChart, rangeTestChart, rangeTestTerminal, toSVG } from 'tfjs-clr/plot';
import type { Cifar10, Split } from './data.js';
import { buildNet, type NetName } from './model.js';
import { makePolicy, type PolicyName, type PolicySettings } from './policies.js';
import { channelStats, evaluate, makeBatch, trainingDataset } from './train.js';

export interface ExperimentOptions {
  data: Cifar10;
  net: NetName;
  policies: PolicyName[];
  iterations: number;
  evalEvery: number;
  batchSize: number;
  momentum: number;
  seed: number;
  baseLR?: number;
  maxLR?: number;
  stepSize?: number;
  fixedLR?: number;
  rangeTest: boolean;
  /** With rangeMaxLR: epochs of the linear sweep (or rangeIterations). */
  rangeEpochs: number;
  /** With rangeMaxLR: length of the sweep in iterations (default: rangeEpochs epochs). */
  rangeIterations?: number;
  /** The sweep's ends; without rangeMaxLR the test is zero-config (probe, then sweep). */
  rangeMinLR?: number;
  rangeMaxLR?: number;
  /** Zero-config test: iterations for probe and sweep together (default: the library's, 300). */
  rangeBudget?: number;
  out: string;
  backend: { name: string; why: string };
  /** Show progress bars (off when not a terminal, e.g. in tests and CI logs). */
  progress: boolean;
  log: (msg: string) => void;
  command: string;
}

export interface PolicyRun {
  name: PolicyName;
  describe: string;
  evals: { iteration: number[]; accuracy: number[]; loss: number[] };
  lr: number[];
  bestAccuracy: number;
  bestAt: number;
  finalAccuracy: number;
  trainSeconds: number;
  evalSeconds: number;
  imagesPerSecond: number;
}

export interface ExperimentResult {
  command: string;
  date: string;
  backend: { name: string; why: string };
  settings: Omit<ExperimentOptions, 'data' | 'log' | 'backend' | 'progress' | 'command'> & PolicySettings & { trainImages: number; testImages: number; trainFiles: string[] };
  rangeTest: { result: RangeTestResult; suggestion: BoundsSuggestion; iterations: number } | null;
  runs: PolicyRun[];
}

/** Iterations a policy needed to reach `target` accuracy (first evaluation at or above it), or null. */
export function iterationsToReach(run: PolicyRun, target: number): number | null {
  const k = run.evals.accuracy.findIndex((a) => a >= target - 1e-9);
  return k < 0 ? null : run.evals.iteration[k];
}

function compile(model: tf.LayersModel, lr: number, momentum: number): void {
  model.compile({ optimizer: tf.train.momentum(lr, momentum), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
}

/** A progress bar with ETA, loss, accuracy and LR, updated every batch (yields so it can draw). */
class ProgressCallback extends tf.Callback {
  private bar: SingleBar | null = null;
  private done = 0;
  private loss = NaN;
  private acc = NaN;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly show: boolean,
  ) {
    super();
  }
  override async onTrainBegin(): Promise<void> {
    if (!this.show) return;
    this.bar = new SingleBar(
      { format: `${this.label.padEnd(12)} {bar} {value}/{total} it | ETA {eta_formatted} | loss {loss} | acc {acc} | lr {lr}`, hideCursor: true },
      Presets.shades_classic,
    );
    this.bar.start(this.total, 0, { loss: '-', acc: '-', lr: '-' });
  }
  override async onBatchEnd(_batch: number, logs?: { [k: string]: number | tf.Tensor }): Promise<void> {
    this.done++;
    if (!this.bar || !logs) return;
    const read = (v: number | tf.Tensor | undefined) => (v === undefined ? NaN : typeof v === 'number' ? v : v.dataSync()[0]);
    // Smooth a little so the bar is readable.
    const l = read(logs.loss);
    const a = read(logs.acc ?? logs.accuracy);
    this.loss = Number.isNaN(this.loss) ? l : 0.9 * this.loss + 0.1 * l;
    this.acc = Number.isNaN(this.acc) ? a : 0.9 * this.acc + 0.1 * a;
    this.bar.update(this.done, { loss: this.loss.toFixed(3), acc: this.acc.toFixed(3), lr: Number(logs.lr).toPrecision(3) });
    await tf.nextFrame();
  }
  override async onTrainEnd(): Promise<void> {
    this.bar?.stop();
  }
}

/** Records test accuracy at iteration 0 and after every `evalEvery` iterations (each fitDataset "epoch"). */
class EvalCallback extends tf.Callback {
  readonly evals = { iteration: [] as number[], accuracy: [] as number[], loss: [] as number[] };
  seconds = 0;
  constructor(
    private readonly test: Split,
    private readonly stats: { mean: number[]; std: number[] },
    private readonly evalEvery: number,
  ) {
    super();
  }
  async record(iteration: number): Promise<void> {
    const t0 = performance.now();
    const r = await evaluate(this.model, this.test, this.stats);
    this.seconds += (performance.now() - t0) / 1000;
    this.evals.iteration.push(iteration);
    this.evals.accuracy.push(r.accuracy);
    this.evals.loss.push(r.loss);
  }
  override async onTrainBegin(): Promise<void> {
    await this.record(0);
  }
  override async onEpochEnd(epoch: number): Promise<void> {
    await this.record((epoch + 1) * this.evalEvery);
  }
}

export async function runExperiment(o: ExperimentOptions): Promise<ExperimentResult> {
  const { data, log } = o;
  mkdirSync(o.out, { recursive: true });
  const stats = channelStats(data.train);
  log(`train ${data.train.count} images (${data.trainFiles.join(', ')}), test ${data.test.count}; channel mean ${stats.mean.map((m) => m.toFixed(1)).join('/')}, std ${stats.std.map((m) => m.toFixed(1)).join('/')}`);

  // The initial weights every policy (and the range test) starts from.
  const reference = buildNet(o.net, o.seed);
  const initialWeights = reference.getWeights().map((w) => w.clone());
  reference.dispose();
  const fresh = (lr: number): tf.LayersModel => {
    const m = buildNet(o.net, o.seed);
    m.setWeights(initialWeights);
    compile(m, lr, o.momentum);
    return m;
  };

  let baseLR = o.baseLR;
  let maxLR = o.maxLR;
  let rangeTest: ExperimentResult['rangeTest'] = null;
  if (o.rangeTest) {
    const iterationsPerEpoch = Math.floor(data.train.count / o.batchSize);
    const explicit = o.rangeMaxLR !== undefined;
    const n = explicit ? o.rangeIterations ?? o.rangeEpochs * iterationsPerEpoch : o.rangeBudget ?? DEFAULT_BUDGET;
    log(
      explicit
        ? `\nLR range test: ${o.rangeMinLR ?? (o.rangeMaxLR as number) / 1000} → ${o.rangeMaxLR} linearly over ${n} iterations (${(n / iterationsPerEpoch).toFixed(1)} epochs)`
        : `\nLR range test (zero-config, at most ${n} iterations): an exponential probe from 1e-7 until the loss diverges, then a linear sweep below that with test accuracy about 60 times`,
    );
    const model = fresh(0.01);
    const val = { count: Math.min(data.test.count, 1000), images: data.test.images, labels: data.test.labels };
    const valTensors = makeBatch(val, Array.from({ length: val.count }, (_, k) => k), stats);
    const out = await runRangeTest(model, trainingDataset(data.train, o.batchSize, stats, o.seed + 1), {
      batchesPerEpoch: iterationsPerEpoch,
      validationData: [valTensors.xs, valTensors.ys],
      callbacks: [new ProgressCallback('range test', n, o.progress)],
      ...(explicit ? { minLR: o.rangeMinLR, maxLR: o.rangeMaxLR, numIterations: n } : { budget: n }),
    });
    tf.dispose([valTensors.xs, valTensors.ys]);
    model.dispose();
    const { result: rtResult, suggestion } = out;
    rangeTest = { result: rtResult, suggestion, iterations: out.iterations };
    log(await rangeTestTerminal(rtResult, suggestion));
    writeFileSync(path.join(o.out, 'range-test.svg'), await toSVG(rangeTestChart(rtResult, suggestion, { title: `CIFAR-10 ${o.net}: LR range test` })));
    if (suggestion.baseLR !== null && suggestion.maxLR !== null) {
      baseLR ??= suggestion.baseLR;
      maxLR ??= suggestion.maxLR;
      log(`suggested bounds: baseLR ${suggestion.baseLR.toPrecision(3)}, maxLR ${suggestion.maxLR.toPrecision(3)} (${suggestion.maxLRReason}, confidence ${suggestion.confidence}); using baseLR ${baseLR}, maxLR ${maxLR}`);
    } else {
      log(`the range test suggested no bounds (${suggestion.notes.join('; ')}); falling back to the flags or the paper's 0.001/0.006`);
    }
  }
  baseLR ??= 0.001;
  maxLR ??= 0.006;
  const plan = suggestStepSize({ samples: data.train.count, batchSize: o.batchSize, epochsPerHalfCycle: 4 });
  let stepSize = o.stepSize ?? plan.stepSize;
  if (o.stepSize === undefined && 6 * stepSize > o.iterations) {
    stepSize = Math.max(1, Math.floor(o.iterations / 6));
    log(`step size: the paper's rule (4 epochs = ${plan.stepSize} iterations) needs ${6 * plan.stepSize} iterations for 3 cycles; the budget is ${o.iterations}, so stepSize = ${stepSize} (3 cycles)`);
  }
  const settings: PolicySettings = { baseLR, maxLR, stepSize, fixedLR: o.fixedLR ?? baseLR, budget: o.iterations };

  const runs: PolicyRun[] = [];
  const epochs = Math.ceil(o.iterations / o.evalEvery);
  for (const name of o.policies) {
    const policy = makePolicy(name, settings);
    log(`\n${name}: ${policy.describe}`);
    const model = fresh(policy.lrAt(0));
    const evalCb = new EvalCallback(data.test, stats, o.evalEvery);
    const progress = new ProgressCallback(name, epochs * o.evalEvery, o.progress);
    const t0 = performance.now();
    await model.fitDataset(trainingDataset(data.train, o.batchSize, stats, o.seed + 2), {
      epochs,
      batchesPerEpoch: o.evalEvery,
      callbacks: [policy.callback, evalCb, progress],
      verbose: o.backend.name === 'tensorflow' && o.progress ? 1 : 0,
    });
    const total = (performance.now() - t0) / 1000;
    model.dispose();
    const acc = evalCb.evals.accuracy;
    const best = Math.max(...acc);
    const trainSeconds = total - evalCb.seconds;
    const run: PolicyRun = {
      name,
      describe: policy.describe,
      evals: evalCb.evals,
      lr: policy.callback.history.lr,
      bestAccuracy: best,
      bestAt: evalCb.evals.iteration[acc.indexOf(best)],
      finalAccuracy: acc[acc.length - 1],
      trainSeconds,
      evalSeconds: evalCb.seconds,
      imagesPerSecond: (epochs * o.evalEvery * o.batchSize) / trainSeconds,
    };
    runs.push(run);
    log(`${name}: best test accuracy ${(best * 100).toFixed(2)} % at iteration ${run.bestAt}, final ${(run.finalAccuracy * 100).toFixed(2)} %; ${run.imagesPerSecond.toFixed(0)} images/s`);
  }
  tf.dispose(initialWeights);

  const { data: _d, log: _l, backend: _b, progress: _p, command: _c, ...rest } = o;
  const result: ExperimentResult = {
    command: o.command,
    date: new Date().toISOString(),
    backend: o.backend,
    settings: { ...rest, ...settings, trainImages: data.train.count, testImages: data.test.count, trainFiles: data.trainFiles },
    rangeTest,
    runs,
  };
  await writeOutputs(result, o.out);
  return result;
}

/** results.json, report.md, accuracy.svg, schedules.svg. */
export async function writeOutputs(r: ExperimentResult, out: string): Promise<void> {
  writeFileSync(path.join(out, 'results.json'), JSON.stringify(r, null, 1));
  const fixed = r.runs.find((x) => x.name === 'fixed');
  const target = fixed?.bestAccuracy;
  const targetAt = fixed ? iterationsToReach(fixed, fixed.bestAccuracy) : null;
  writeFileSync(
    path.join(out, 'accuracy.svg'),
    await toSVG(
      accuracyCurvesChart(
        r.runs.map((x) => ({ name: x.name, iteration: x.evals.iteration, accuracy: x.evals.accuracy })),
        { title: `CIFAR-10 (${r.settings.net} net): test accuracy`, target: target !== undefined ? { accuracy: target, label: `fixed's best ${(target * 100).toFixed(2)} %` } : undefined },
      ),
    ),
  );
  const every = Math.max(1, Math.floor(r.settings.iterations / 400));
  writeFileSync(
    path.join(out, 'schedules.svg'),
    await toSVG(
      accuracyCurvesChart(
        r.runs.map((x) => {
          const it = x.lr.map((_, k) => k).filter((k) => k % every === 0);
          return { name: x.name, iteration: it, accuracy: it.map((k) => x.lr[k]) };
        }),
        { title: 'Learning-rate schedules', yTitle: 'learning rate', points: false },
      ),
    ),
  );
  const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
  const rows = r.runs.map((x) => {
    const reach = target !== undefined ? iterationsToReach(x, target) : null;
    const ratio = reach !== null && targetAt ? (reach / targetAt).toFixed(2) : '–';
    return `| ${x.name} | ${r.settings.iterations} | ${pct(x.bestAccuracy)} (at ${x.bestAt}) | ${pct(x.finalAccuracy)} | ${reach ?? 'not reached'} | ${ratio} | ${x.trainSeconds.toFixed(0)} s | ${x.imagesPerSecond.toFixed(0)} |`;
  });
  const s = r.settings;
  const md = [
    `# CIFAR-10: CLR against fixed-LR baselines`,
    '',
    `Command: \`${r.command}\`  `,
    `Date: ${r.date}; backend: ${r.backend.name} (${r.backend.why}).  `,
    `Data: ${s.trainImages} training images (${s.trainFiles.join(', ')}), ${s.testImages} test images; net \`${s.net}\`; batch ${s.batchSize}; Momentum SGD (${s.momentum}); seed ${s.seed}.  `,
    `Bounds: baseLR ${s.baseLR}, maxLR ${s.maxLR}${r.rangeTest ? ' (from the range test unless given as flags)' : ''}; stepSize ${s.stepSize}; fixed LR ${s.fixedLR}; budget ${s.iterations} iterations, test accuracy every ${s.evalEvery}.`,
    '',
    `"to reach fixed's best" is the first evaluation at or above the \`fixed\` policy's best test accuracy${target !== undefined ? ` (${pct(target)}, first reached at iteration ${targetAt})` : ''}; the ratio divides it by the iterations \`fixed\` needed (the paper: 25,000 / 70,000 = 0.36).`,
    '',
    `| policy | iterations | best test accuracy | final | iterations to reach fixed's best | ratio | training time | images/s |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...rows,
    '',
    ...r.runs.map((x) => `- **${x.name}**: ${x.describe}`),
    '',
    '![test accuracy](accuracy.svg)',
    '',
    '![schedules](schedules.svg)',
    ...(r.rangeTest
      ? ['', `Range test: suggested baseLR ${r.rangeTest.suggestion.baseLR}, maxLR ${r.rangeTest.suggestion.maxLR} (${r.rangeTest.suggestion.maxLRReason}, confidence ${r.rangeTest.suggestion.confidence}).`, '', '![range test](range-test.svg)']
      : []),
    '',
  ].join('\n');
  writeFileSync(path.join(out, 'report.md'), md);
}
