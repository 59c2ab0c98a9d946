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
