/**
 * The benches' paired spread statistic (bench/stats.ts `pairedSdRatio`): the ratio of two recipes' σ across the same
 * seeds, pooled over tasks, with a Pitman–Morgan 95 % interval. Checked against a case worked by hand and against the
 * interval's definition, computed here directly: at each end of the interval, x/λ + y and x/λ − y are correlated at
 * exactly the 95 % critical t.
 */
import { pairedSdRatio, pooledSd, t975 } from '../bench/stats.js';

/** Student's t of the pooled within-group correlation between u and v (df = Σ(n − 1) − 1): the test statistic itself. */
function tOfCorrelation(groups: Array<{ u: number[]; v: number[] }>): { t: number; df: number } {
  let uu = 0, vv = 0, uv = 0, dof = 0;
  for (const { u, v } of groups) {
    const mu = u.reduce((a, b) => a + b, 0) / u.length;
    const mv = v.reduce((a, b) => a + b, 0) / v.length;
    for (let i = 0; i < u.length; i++) {
      uu += (u[i] - mu) ** 2;
      vv += (v[i] - mv) ** 2;
      uv += (u[i] - mu) * (v[i] - mv);
    }
    dof += u.length - 1;
  }
  const r = uv / Math.sqrt(uu * vv);
  const df = dof - 1;
  return { t: Math.abs(r) * Math.sqrt(df / (1 - r * r)), df };
}

// Two tasks of made-up accuracies (points), five and four seeds, the x recipe noisier and correlated with y by seed.
const groups = [
  { x: [86.1, 86.9, 85.7, 86.6, 87.2], y: [85.9, 86.3, 85.8, 86.1, 86.6] },
  { x: [95.9, 95.5, 96.2, 95.8], y: [95.7, 95.6, 95.9, 95.8] },
];

test('a case worked by hand: uncorrelated pairs of equal spread', () => {
  // x − mean = ±1, y − mean = ±1 with Σ xy = 0: σx = σy (ratio 1), r = 0, df = 4 − 1 − 1 = 2, t = 4.303.
  // K = 1 + 2·t²·(1 − r²)/df = 1 + 4.303² = 19.516; λ² ∈ [K − √(K² − 1), K + √(K² − 1)] = [0.02564, 39.006].
  const s = pairedSdRatio([{ x: [-1, 1, -1, 1], y: [-1, -1, 1, 1] }]);
  expect(s).not.toBeNull();
  expect(s!.ratio).toBe(1);
  expect(s!.r).toBe(0);
  expect(s!.df).toBe(2);
  expect(s!.lo).toBeCloseTo(Math.sqrt(0.025636), 4);
  expect(s!.hi).toBeCloseTo(Math.sqrt(39.006), 3);
});

test("each end of the interval is where the Pitman–Morgan correlation reaches the 95 % critical t", () => {
  const s = pairedSdRatio(groups)!;
  expect(s.lo).toBeLessThan(s.ratio);
  expect(s.hi).toBeGreaterThan(s.ratio);
  for (const lambda of [s.lo, s.hi]) {
    const { t, df } = tOfCorrelation(groups.map(({ x, y }) => ({ u: x.map((v, i) => v / lambda + y[i]), v: x.map((v, i) => v / lambda - y[i]) })));
    expect(df).toBe(s.df);
    expect(t).toBeCloseTo(t975(df), 6);
  }
  // pooledSd is Σ squares within each task over Σ(n − 1), and the ratio is the two pooled σ's.
  const pooled = (k: 'x' | 'y') => Math.sqrt(groups.reduce((acc, g) => {
    const m = g[k].reduce((a, b) => a + b, 0) / g[k].length;
    return acc + g[k].reduce((a, v) => a + (v - m) ** 2, 0);
  }, 0) / 7);
  expect(pooledSd(groups.map((g) => g.x))).toBeCloseTo(pooled('x'), 12);
  expect(pooledSd(groups.map((g) => g.y))).toBeCloseTo(pooled('y'), 12);
  expect(s.ratio).toBeCloseTo(pooled('x') / pooled('y'), 12);
});

test("a task's level is not spread: shifting one task's accuracies changes nothing; swapping the sides inverts it", () => {
  const s = pairedSdRatio(groups)!;
  const shifted = pairedSdRatio(groups.map(({ x, y }, i) => ({ x: x.map((v) => v + 10 * i), y: y.map((v) => v - 7 * i) })))!;
  expect(shifted.ratio).toBeCloseTo(s.ratio, 10);
  expect(shifted.lo).toBeCloseTo(s.lo, 10);
  const swapped = pairedSdRatio(groups.map(({ x, y }) => ({ x: y, y: x })))!;
  expect(swapped.ratio).toBeCloseTo(1 / s.ratio, 10);
  expect(swapped.lo).toBeCloseTo(1 / s.hi, 10);
});

test('no interval without a degree of freedom or without spread; unpaired groups are an error', () => {
  expect(pairedSdRatio([{ x: [1, 2], y: [3, 5] }])).toBeNull(); // one pair beyond the mean: df 0
  expect(pairedSdRatio([{ x: [1, 2, 3], y: [4, 4, 4] }])).toBeNull();
  expect(() => pairedSdRatio([{ x: [1, 2, 3], y: [1, 2] }])).toThrow('a group has 3 x and 2 y');
});
