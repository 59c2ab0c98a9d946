/**
 * bench:paired reads bench:cifar's results.json (the real format, trimmed to what it reads) from folders PREFIX<seed>,
 * pairs the two recipes by seed and reports the paired 95 % interval, at the end and at every evaluation. The targets
 * are worked by hand: differences 1, 2, 3 points → mean 2, σ 1, t(2 df) 4.303 → 2 ± 4.303/√3 = [−0.48, +4.48].
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { pairedReport, readRecipe } from '../bench/paired.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bench-paired-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A finished bench:cifar folder: one run per policy, evaluated at 500 and 1000 iterations. */
function folder(name: string, runs: Array<{ policy: string; at500: number; final: number }> | null): void {
  mkdirSync(path.join(dir, name), { recursive: true });
  if (runs === null) return; // still training: checkpoints only, no results.json
  const result = {
    command: 'npm run bench:cifar -- …',
    settings: { iterations: 1000 },
    runs: runs.map((r) => ({ name: r.policy, evals: { iteration: [0, 500, 1000], accuracy: [0.1, r.at500, r.final], loss: [2.3, 1, 0.8] }, finalAccuracy: r.final })),
  };
  writeFileSync(path.join(dir, name, 'results.json'), JSON.stringify(result));
}

test('pairs the seeds both recipes finished, with the interval worked by hand, along the run too', () => {
  folder('a-seed1', [{ policy: 'constant', at500: 0.6, final: 0.8 }]);
  folder('a-seed2', [{ policy: 'constant', at500: 0.6, final: 0.82 }]);
  folder('a-seed3', [{ policy: 'constant', at500: 0.6, final: 0.84 }]);
  folder('a-seed4', [{ policy: 'constant', at500: 0.6, final: 0.99 }]); // no partner: left out
  folder('a-seedx', [{ policy: 'constant', at500: 0.6, final: 0.99 }]); // not a seed: ignored
  folder('b-seed1', [{ policy: 'constant', at500: 0.62, final: 0.79 }]);
  folder('b-seed2', [{ policy: 'constant', at500: 0.62, final: 0.8 }]);
  folder('b-seed3', [{ policy: 'constant', at500: 0.62, final: 0.81 }]);
  folder('b-seed5', null);
  const text = pairedReport(readRecipe(path.join(dir, 'a-seed')), readRecipe(path.join(dir, 'b-seed')), { a: 'recipe', b: 'defaults' }).text;
  expect(text).toContain('Seeds 1, 2, 3 (3), finished in both.');
  expect(text).toContain('Only recipe has seed 4 (left out).');
  expect(text).toContain('defaults: seed 5 still training');
  expect(text).toContain('| 2 | **82.00** | 80.00 | +2.00 |');
  expect(text).toContain('| mean | **82.00** | 80.00 | +2.00 |');
  expect(text).toContain('| σ | 2.00 | 1.00 | 1.00 |');
  expect(text).toContain('paired by seed: +2.00, 95 % interval [−0.48, +4.48]** (t at 2 df); at or above on 3 of 3 seeds.');
  // The spread: recipe = 2 × defaults − 78 on every seed, perfectly correlated, so σ is exactly 2× with no doubt (r = 1).
  expect(text).toContain('the σ of recipe is 2.00× that of defaults, 95 % interval [2.00, 2.00]');
  // At 500 iterations every seed is 2 points behind: σ 0, so the interval is the point itself.
  expect(text).toContain('| 500 | 60.00 (σ 0.00) | 62.00 (σ 0.00) | −2.00 [−2.00, −2.00] | 0/3 |');
  expect(text).toContain('| 1000 | 82.00 (σ 2.00) | 80.00 (σ 1.00) | +2.00 [−0.48, +4.48] | 3/3 |');
});

test('a folder with two policies needs --policy; a missing folder and too few seeds are errors that say why', () => {
  folder('two-seed1', [{ policy: 'fixed', at500: 0.5, final: 0.7 }, { policy: 'triangular2', at500: 0.55, final: 0.75 }]);
  expect(() => readRecipe(path.join(dir, 'two-seed'))).toThrow(/2 runs of a single policy \(it has: fixed, triangular2\); pick one with --policy/);
  expect(readRecipe(path.join(dir, 'two-seed'), 'triangular2').runs.get(1)?.finalAccuracy).toBe(0.75);
  expect(() => readRecipe(path.join(dir, 'nowhere', 'x-seed'), undefined, '--b')).toThrow(/^--b: no folder .*nowhere/);
  expect(() => readRecipe(path.join(dir, 'x-seed'))).toThrow(/^--a: no folder x-seed<seed> in /);
  const one = readRecipe(path.join(dir, 'two-seed'), 'fixed');
  expect(() => pairedReport(one, one, { a: 'A', b: 'B' })).toThrow(/fewer than 2 seeds finished in both \(1\)/);
});
