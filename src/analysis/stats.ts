/**
 * Small robust statistics for curve analysis: zero-phase smoothing, medians, noise estimates.
 * @packageDocumentation
 */

/** Median of finite values (NaN for an empty list). */
export function median(values: readonly number[]): number {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Robust standard deviation: 1.4826 × the median absolute deviation (σ for Gaussian noise). */
export function robustSigma(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

/**
 * Zero-phase smoothing: a centred moving average of half-width `h`, applied twice (a triangular kernel
 * of half-width 2h), so no feature is shifted towards larger or smaller LRs (an exponential moving
 * average lags). Within `2h` of either end the window is clipped to the points that exist.
 */
export function smoothZeroPhase(values: readonly number[], h: number): number[] {
  const pass = (v: readonly number[]): number[] =>
    v.map((_, k) => {
      const lo = Math.max(0, k - h);
      const hi = Math.min(v.length - 1, k + h);
      let sum = 0;
      for (let j = lo; j <= hi; j++) sum += v[j];
      return sum / (hi - lo + 1);
    });
  return pass(pass(values));
}

/**
 * Noise σ of a sampled curve from its second differences y[k+1] − 2y[k] + y[k−1]: these cancel any
 * locally straight trend, leave 6σ² of variance for independent noise, and a kink is a single outlier
 * that the median ignores. Returns robustSigma(Δ²) / √6.
 */
export function noiseSigma(values: readonly number[]): number {
  if (values.length < 3) return 0;
  const d2: number[] = [];
  for (let k = 1; k < values.length - 1; k++) d2.push(values[k + 1] - 2 * values[k] + values[k - 1]);
  return robustSigma(d2) / Math.sqrt(6);
}

/** Slopes dy/dx by central differences (one-sided at the ends). */
export function slopes(x: readonly number[], y: readonly number[]): number[] {
  const n = y.length;
  return y.map((_, k) => {
    const a = Math.max(0, k - 1);
    const b = Math.min(n - 1, k + 1);
    return b === a ? 0 : (y[b] - y[a]) / (x[b] - x[a]);
  });
}

/** The weights of {@link smoothZeroPhase} of half-width h (its response to one 1 among zeros; centre at 4h). */
export function smootherKernel(h: number): number[] {
  return smoothZeroPhase(Array.from({ length: 8 * h + 1 }, (_, k) => (k === 4 * h ? 1 : 0)), h);
}

/**
 * Noise σ from the residuals around the smoothed curve, corrected for the part of the noise the
 * smoother follows (a residual keeps 1 − 2w₀ + Σw² of the noise variance, w the kernel's weights).
 * Reliable on sparse curves, where second differences also pick up the curve's own bend.
 */
export function residualSigma(values: readonly number[], smooth: readonly number[], h: number): number {
  const w = smootherKernel(h);
  const kept = 1 - 2 * w[4 * h] + w.reduce((a, b) => a + b * b, 0);
  return robustSigma(values.map((v, k) => v - smooth[k])) / Math.sqrt(kept);
}
