/**
 * The statistics the benches report over seeds: mean, sample σ, and a paired 95 % interval (Student's t).
 * Pure functions of plain numbers; the benches decide what is paired with what.
 */

export const mean = (v: readonly number[]): number => v.reduce((x, y) => x + y, 0) / v.length;

/** Sample standard deviation (n − 1). */
export function sdOf(v: readonly number[]): number {
  const m = mean(v);
  return Math.sqrt(v.reduce((x, y) => x + (y - m) ** 2, 0) / (v.length - 1));
}

/** Student's t at 0.975 for 1–30 degrees of freedom (a two-sided 95 % interval); 1.96 beyond. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
export const t975 = (df: number): number => (df >= 1 && df <= 30 ? T975[Math.floor(df) - 1] : 1.96);

/** How many differences are at or above zero (a tie, the very same run, counts; float noise aside). */
export const atOrAbove = (d: readonly number[]): number => d.filter((v) => v >= -1e-6).length;

/** A difference with its sign always shown, the minus a real one: +0.18, −0.06. */
export const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;

/** The mean of per-seed differences and its 95 % interval (t at n − 1 degrees of freedom); needs two or more. */
export function pairedInterval(d: readonly number[]): { m: number; lo: number; hi: number; sd: number; df: number } {
  if (d.length < 2) throw new Error(`a paired interval needs 2 or more differences, got ${d.length}`);
  const m = mean(d);
  const sd = sdOf(d);
  const half = (t975(d.length - 1) * sd) / Math.sqrt(d.length);
  return { m, lo: m - half, hi: m + half, sd, df: d.length - 1 };
}

/** σ pooled over groups (tasks): the root of the groups' variances weighted by their n − 1. */
export function pooledSd(groups: ReadonlyArray<readonly number[]>): number {
  const withDof = groups.filter((g) => g.length >= 2);
  return Math.sqrt(withDof.reduce((x, g) => x + sdOf(g) ** 2 * (g.length - 1), 0) / withDof.reduce((x, g) => x + g.length - 1, 0));
}

/**
 * How much wider one recipe's spread across seeds is than another's, run on the same seeds: the ratio of their σ,
 * pooled over groups (tasks), with a 95 % interval (Pitman–Morgan: two paired samples have equal variances exactly
 * when x + y and x − y are uncorrelated, so the interval is the ratios λ of the σ at which (x/λ + y, x/λ − y) is not
 * significantly correlated; a paired test, since one seed's runs of two recipes are alike). Each group is centred on
 * its own means (a task's level is not spread), and its pairs are seed by seed; degrees of freedom Σ(n − 1) − 1.
 * Null where that leaves no degree of freedom or one side has no spread at all (the ratio is then 0 or undefined).
 */
export function pairedSdRatio(groups: ReadonlyArray<{ x: readonly number[]; y: readonly number[] }>): { ratio: number; lo: number; hi: number; r: number; df: number } | null {
  let sxx = 0, syy = 0, sxy = 0, dof = 0;
  for (const { x, y } of groups) {
    if (x.length !== y.length) throw new Error(`pairedSdRatio: a group has ${x.length} x and ${y.length} y (pairs needed)`);
    if (x.length < 2) continue;
    const [mx, my] = [mean(x), mean(y)];
    x.forEach((v, i) => {
      sxx += (v - mx) ** 2;
      syy += (y[i] - my) ** 2;
      sxy += (v - mx) * (y[i] - my);
    });
    dof += x.length - 1;
  }
  const df = dof - 1;
  if (df < 1 || sxx === 0 || syy === 0) return null;
  const F = sxx / syy;
  const r = sxy / Math.sqrt(sxx * syy);
  const t = t975(df);
  // Perfectly correlated pairs (r = ±1, one a linear map of the other) leave no doubt: rounding must not make K < 1.
  const K = 1 + (2 * t * t * Math.max(0, 1 - r * r)) / df;
  const w = Math.sqrt(Math.max(0, K * K - 1));
  return { ratio: Math.sqrt(F), lo: Math.sqrt(F * (K - w)), hi: Math.sqrt(F * (K + w)), r, df };
}
