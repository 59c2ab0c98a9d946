/**
 * Keras's reading of a monitored metric, shared by CycleEndStopping and ReduceLROnPlateau: which
 * direction is better, and what counts as an improvement.
 * @packageDocumentation
 */

/** `'min'`, `'max'`, or `'auto'`: max for accuracy-like keys (containing "acc" in any case), else min. */
export type MonitorMode = 'auto' | 'min' | 'max';

/** Whether `current` improves on `best` (null: nothing yet, so it does) by more than `minDelta`. */
export function improvementTest(monitor: string, mode: MonitorMode, minDelta: number): (current: number, best: number | null) => boolean {
  const maximize = mode === 'max' || (mode === 'auto' && /acc/i.test(monitor));
  return (current, best) => best === null || (maximize ? current > best + minDelta : current < best - minDelta);
}
