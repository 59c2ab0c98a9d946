/**
 * The CIFAR-10 bench's learning-rate-free runs: a warmup reaches the Schedule-Free optimizers and is
 * refused by name elsewhere; bench:cifar's --lr-free-scale / --lr-free-warmup refuse what they cannot mean.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { ScheduleFreeSGD } from '../src/optimizers/index';
import { makeOptimizer } from '../examples/cifar/optimizers';
import { useCpu } from './helpers';

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
