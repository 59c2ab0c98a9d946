/**
 * The CIFAR-10 bench's learning-rate-free runs: a warmup reaches the Schedule-Free optimizers and is
 * refused by name elsewhere; bench:cifar's --lr-free-scale / --lr-free-warmup refuse what they cannot mean;
 * --lr-free-reading recipe trains with the LR and warmup rangeTest returns, and --range-only trains nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ScheduleFreeSGD } from '../src/optimizers/index';
import { makeOptimizer } from '../examples/cifar/optimizers';
import type { ExperimentResult } from '../examples/cifar/results';
import { useCpu, writeTinyCifar } from './helpers';

beforeAll(useCpu);

test('makeOptimizer: Schedule-Free SGD ramps its LR linearly over the warmup steps given', () => {
  const opt = makeOptimizer('scheduleFreeSGD', 2, 0.9, 4) as ScheduleFreeSGD;
  // γ_k = lr · min(1, (k + 1) / warmupSteps): 2/4, 4/4, ... then 2 flat.
  expect([0, 1, 2, 3, 4, 10].map((k) => opt.scheduledLR(k))).toEqual([0.5, 1, 1.5, 2, 2, 2]);
  expect(opt.getConfig().warmupSteps).toBe(4);
  opt.dispose();
  const none = makeOptimizer('scheduleFreeSGD', 2, 0.9) as ScheduleFreeSGD;
  expect(none.scheduledLR(0)).toBe(2);
  none.dispose();
});

test('makeOptimizer: a warmup asked of an optimizer without one is refused, naming it', () => {
  expect(() => makeOptimizer('momentum', 0.1, 0.9, 4)).toThrow(/^momentum has no warmup: warmupSteps \(4\)/);
  expect(() => makeOptimizer('dog', 1, 0.9, 4)).toThrow(/^dog has no warmup/);
});

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
function cifarBench(args: string[]): Promise<string> {
  return new Promise((resolve) => execFile(tsx, ['bench/cifar.ts', ...args], { cwd: root, encoding: 'utf8' }, (_e, out, err) => resolve(`${out}${err}`)));
}

test('bench:cifar: --lr-free-scale without a reading, and a warmup that is not a fraction or not for this optimizer, are refused before any work', async () => {
  const [scale, notSF, whole] = await Promise.all([
    cifarBench(['--optimizer', 'scheduleFreeSGD', '--lr-free-scale', '10']),
    cifarBench(['--optimizer', 'momentum', '--lr-free-warmup', '0.1']),
    cifarBench(['--optimizer', 'scheduleFreeSGD', '--lr-free-warmup', '1.5']),
  ]);
  expect(scale).toMatch(/error: --lr-free-scale multiplies the range test's LR: give --lr-free-reading too/);
  expect(notSF).toMatch(/error: --lr-free-warmup is for scheduleFreeSGD and scheduleFreeAdamW; --optimizer is momentum/);
  expect(whole).toMatch(/error: --lr-free-warmup is a fraction of --iterations in \(0, 1\), got 1.5/);
  for (const out of [scale, notSF, whole]) expect(out).not.toMatch(/^backend:/m);
}, 60000);

test('bench:cifar: --lr-free-reading recipe beside a scale, a warmup or an optimizer without a recipe, an unknown reading, and --range-only without a range test, are refused before any work', async () => {
  const [warm, prodigy, nothing, unknown] = await Promise.all([
    cifarBench(['--optimizer', 'scheduleFreeAdamW', '--lr-free-reading', 'recipe', '--lr-free-warmup', '0.1']),
    cifarBench(['--optimizer', 'prodigy', '--lr-free-reading', 'recipe']),
    cifarBench(['--optimizer', 'scheduleFreeAdamW', '--range-only']),
    cifarBench(['--optimizer', 'scheduleFreeAdamW', '--lr-free-reading', 'recipes']),
  ]);
  expect(warm).toMatch(/error: --lr-free-reading recipe brings its own LR and warmup \(rangeTest's\): drop --lr-free-scale and --lr-free-warmup/);
  expect(prodigy).toMatch(/error: --lr-free-reading recipe is rangeTest's own options for scheduleFreeSGD or scheduleFreeAdamW; --optimizer has prodigy/);
  expect(nothing).toMatch(/error: --range-only: these flags run no range test/);
  expect(unknown).toMatch(/error: --lr-free-reading \(a 1cycle reading, or recipe\): unknown reading "recipes" \(known: /);
  for (const out of [warm, prodigy, nothing, unknown]) expect(out).not.toMatch(/^backend:/m);
}, 60000);

describe('bench:cifar --lr-free-reading recipe on a tiny learnable CIFAR-10 folder', () => {
  let work: string;
  let trained: ExperimentResult;
  let rangeOnly: ExperimentResult;
  const tiny = (out: string, extra: string[]) => [
    '--data-dir', path.join(work, 'cifar-10-batches-bin'), '--backend', 'wasm', '--seed', '2', '--batch-size', '20', '--iterations', '20',
    '--eval-every', '10', '--range-budget', '150', '--optimizer', 'scheduleFreeAdamW', '--policies', 'constant', '--lr-free-reading', 'recipe', '--out', path.join(work, out), ...extra,
  ];
  const results = (out: string) => JSON.parse(readFileSync(path.join(work, out, 'results.json'), 'utf8')) as ExperimentResult;
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'tfjs-clr-recipe-'));
    writeTinyCifar(work, 200, 100, true);
    await Promise.all([cifarBench(tiny('trained', [])), cifarBench(tiny('range-only', ['--range-only']))]);
    trained = results('trained');
    rangeOnly = results('range-only');
  }, 120000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test("trains Schedule-Free AdamW at the gated LR from Adam's range test, warmed up over 10 % of --iterations", () => {
    const [t] = trained.rangeTests;
    expect(t.optimizer).toBe('adam');
    const maxLR = t.suggestion.maxLR as number;
    // The rule, worked here: 2 × maxLR replaces the default 0.0025 when over 2× away from it, held within 8×.
    const ratio = (2 * maxLR) / 0.0025;
    const lr = ratio > 8 ? 0.02 : ratio < 1 / 8 ? 0.0025 / 8 : ratio > 2 || ratio < 1 / 2 ? 2 * maxLR : 0.0025;
    expect(t.scheduleFree?.scheduleFreeAdamW).toEqual({ learningRate: expect.closeTo(lr, 12), warmupSteps: 2 });
    expect(t.scheduleFree?.scheduleFreeSGD).toBeNull();
    const [run] = trained.runs;
    expect(run.lr).toHaveLength(20);
    for (const x of run.lr) expect(x).toBeCloseTo(lr, 12);
    // The description names the LR it trained at where that is not the default (it used to list the default's).
    const described = /^ScheduleFreeAdamW \(defaults but (?:learningRate ([0-9.e-]+), )?warmupSteps 2: .*learningRate ([0-9.e-]+),/.exec(run.optimizerDescription);
    expect(described).not.toBeNull();
    const [, named, listed] = described as RegExpExecArray;
    expect(Number(listed)).toBeCloseTo(lr, 12);
    if (lr === 0.0025) expect(named).toBeUndefined();
    else expect(Number(named)).toBeCloseTo(lr, 12);
    expect(run.evals.iteration).toEqual([0, 10, 20]);
  });

  test('--range-only runs the same range test and trains nothing: the range test in results.json, no runs, no accuracy chart', () => {
    expect(rangeOnly.runs).toEqual([]);
    expect(rangeOnly.rangeTests).toHaveLength(1);
    expect(rangeOnly.rangeTests[0].scheduleFree).toEqual(trained.rangeTests[0].scheduleFree);
    expect(rangeOnly.settings.perOptimizer.scheduleFreeAdamW.maxLR).toBe(trained.settings.perOptimizer.scheduleFreeAdamW.maxLR);
    expect(existsSync(path.join(work, 'range-only', 'range-test.svg'))).toBe(true);
    expect(existsSync(path.join(work, 'range-only', 'accuracy.svg'))).toBe(false);
  });
});
