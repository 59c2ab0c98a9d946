/**
 * bench:demo's report (bench/demo.ts `demoReport`) on three made-up seeds whose numbers are worked out
 * here by hand: each run's mean, σ, max − min and wins, and the page's comparisons paired by seed.
 */
import { demoReport, type SeedResult } from '../bench/demo.js';

const NAMES = ['fixed at baseLR', 'fixed at maxLR', 'CLR triangular2', '1cycle', 'Schedule-Free AdamW', 'range test + Schedule-Free AdamW'];
const seed = (n: number, acc: number[], ema: number): SeedResult => ({
  seed: n,
  zeroConfig: { baseLR: 0.025, maxLR: 0.1, oneCycleMaxLR: 0.1, confidence: 'high' },
  recipe: { learningRate: 0.02, warmupSteps: 50 },
  final: Object.fromEntries(NAMES.map((name, k) => [name, acc[k]])),
  ema: { 'CLR triangular2': ema },
  seconds: 20,
});
const RESULTS = [
  seed(1, [88, 90, 91, 93, 90, 92], 92),
  seed(2, [89, 88, 92, 92, 90, 94], 92),
  seed(3, [87, 89, 90, 91, 89, 93], 91),
];
const report = demoReport(RESULTS, { command: 'npm run bench:demo -- --seeds 1,2,3', date: '2026-12-07T22:00:00.000Z', backend: 'wasm', task: 'MNIST digits', iterations: 500 });
const row = (label: string) => report.split('\n').find((l) => l.startsWith(`| ${label} |`));

test("each run: mean, σ (n − 1), max − min, and on how many seeds it was best", () => {
  // CLR: 91, 92, 90 → mean 91, σ 1, range 2. 1cycle: 93, 92, 91 → best on seed 1; the recipe on seeds 2 and 3.
  expect(row('CLR triangular2')).toBe('| CLR triangular2 | 91.00 | 1.00 | 2.00 | 0 of 3 |');
  expect(row('1cycle')).toBe('| 1cycle | 92.00 | 1.00 | 2.00 | 1 of 3 |');
  expect(row('range test + Schedule-Free AdamW')).toBe('| range test + Schedule-Free AdamW | 93.00 | 1.00 | 2.00 | 2 of 3 |');
  // Schedule-Free AdamW: 90, 90, 89 → mean 89.67, σ √(1/3) = 0.577.
  expect(row('Schedule-Free AdamW')).toBe('| Schedule-Free AdamW | 89.67 | 0.58 | 1.00 | 0 of 3 |');
});

test("the page's comparisons, paired by seed with a t interval (2 df: t = 4.303)", () => {
  // CLR − the better fixed: 91 − 90, 92 − 89, 90 − 89 = 1, 3, 1: mean 5/3, sd √(4/3) = 1.1547, half-width 4.303 · 1.1547 / √3 = 2.869.
  expect(row('CLR − the better fixed LR (baseLR or maxLR)')).toBe('| CLR − the better fixed LR (baseLR or maxLR) | +1.67 [−1.20, +4.54], at or above on 3 of 3 |');
  // The recipe − Schedule-Free AdamW: 2, 4, 4: mean 10/3, sd √(4/3): [0.46, 6.20].
  expect(row("the recipe (range test + Schedule-Free AdamW) − Schedule-Free AdamW's defaults")).toBe("| the recipe (range test + Schedule-Free AdamW) − Schedule-Free AdamW's defaults | +3.33 [+0.46, +6.20], at or above on 3 of 3 |");
  // EMA − raw: 1, 0, 1.
  expect(row("an EMA of CLR's weights − its raw weights")).toBe("| an EMA of CLR's weights − its raw weights | +0.67 [−0.77, +2.10], at or above on 3 of 3 |");
});

test('one seed: σ and intervals say there is nothing to spread', () => {
  const one = demoReport(RESULTS.slice(0, 1), { command: 'c', date: 'd', backend: 'b', task: 't', iterations: 1 });
  expect(one).toContain('| CLR triangular2 | 91.00 | – | 0.00 | 0 of 1 |');
  expect(one).toContain('| 1cycle − CLR | +2.00 (one seed) |');
  expect(one).not.toContain('NaN');
});
