/**
 * Schedules made of schedules: joins (Optax `join_schedules`), warmup + cosine decay, and cosine
 * annealing with warm restarts (SGDR, PyTorch `CosineAnnealingWarmRestarts`).
 * @packageDocumentation
 */
import type { CyclicSchedule, Schedule } from './schedule.js';
import { cosineDecaySchedule, increasingBoundaries, linearSchedule } from './decay.js';
import { atLeast, choice, fail, fromTable, integerAtLeast, iterationArg, later, nonNegative, positive } from '../validate.js';

/**
 * Runs `schedules[0]` until `boundaries[0]`, then `schedules[k]` from `boundaries[k-1]` on, each on
 * its own count: schedule `k` sees `iteration − boundaries[k-1]` (Optax `join_schedules`).
 *
 * @example
 * ```ts
 * const warm = linearSchedule({ from: 0, to: 1, steps: 2 });
 * const decay = stepDecaySchedule({ from: 1, every: 2, factor: 0.5 });
 * const s = joinSchedules([warm, decay], [2]);
 * [0, 1, 2, 3, 4, 6].map(s); // [0, 0.5, 1, 1, 0.5, 0.25]
 * ```
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  const where = 'joinSchedules';
  if (!Array.isArray(schedules) || schedules.length === 0 || schedules.some((s) => typeof s !== 'function')) {
    fail(where, 'schedules', 'a non-empty array of schedule functions', schedules);
  }
  const b = increasingBoundaries(where, 'boundaries', boundaries);
  if (b.length !== schedules.length - 1) fail(where, 'boundaries', `an array of schedules.length − 1 = ${schedules.length - 1} iterations`, boundaries);
  return (iteration) => {
    const i = iterationArg(where, iteration);
    let k = 0;
    while (k < b.length && i >= b[k]) k++;
    return schedules[k](k === 0 ? i : i - b[k - 1]);
  };
}

/** Options of {@link warmupCosineSchedule}. */
export interface WarmupCosineOptions {
  /** Value at iteration 0 (>= 0); default 0. */
  from?: number;
  /** Value at the end of the warmup (> 0). */
  peak: number;
  /** Iterations of the linear warmup (integer >= 1). */
  warmupSteps: number;
  /** Total iterations, warmup included (integer > warmupSteps). */
  steps: number;
  /** Value at `steps` and after (in [0, peak]); default 0. */
  to?: number;
}

/**
 * A linear warmup from `from` to `peak` over `warmupSteps`, then a cosine decay to `to` at `steps`
 * (Optax `warmup_cosine_decay_schedule`; `steps` counts the warmup too).
 *
 * @example
 * ```ts
 * const s = warmupCosineSchedule({ peak: 1, warmupSteps: 2, steps: 6, to: 0.2 });
 * [0, 1, 2, 4, 6, 9].map(s); // [0, 0.5, 1, 0.6, 0.2, 0.2]
 * ```
 */
export function warmupCosineSchedule(opts: WarmupCosineOptions): Schedule {
  const where = 'warmupCosineSchedule';
  const table = {
    from: { check: nonNegative, otherwise: 0 },
    peak: { check: positive, required: true },
    warmupSteps: { check: atLeast(1), required: true },
    steps: { check: later, required: true }, // > warmupSteps: checked below
    to: { check: nonNegative, otherwise: 0 },
  } as const;
  const { from, peak, warmupSteps, steps: given, to } = fromTable(where, opts, table) as Required<WarmupCosineOptions>;
  const steps = integerAtLeast(where, 'steps', given, warmupSteps + 1);
  if (to > peak) fail(where, 'to', `<= peak (${peak})`, to);
  return joinSchedules(
    [linearSchedule({ from, to: peak, steps: warmupSteps }), cosineDecaySchedule({ from: peak, steps: steps - warmupSteps, alpha: to / peak })],
    [warmupSteps],
  );
}

/** Options of {@link cosineRestartsSchedule}. */
export interface CosineRestartsOptions {
  /** Value at the start of every period (> 0). */
  maxLR: number;
  /** Value the cosine falls to at the end of a period (in [0, maxLR]); default 0. */
  minLR?: number;
  /** Iterations of the first period (integer >= 1). */
  period: number;
  /** Each period is this many times longer than the one before (integer >= 1); default 1. */
  periodMult?: number;
}

/**
 * Cosine annealing with warm restarts (SGDR; PyTorch `CosineAnnealingWarmRestarts` with `T_0 = period`,
 * `T_mult = periodMult`): within a period of length T, `minLR + (maxLR − minLR) · ½(1 + cos(π · t/T))`,
 * back to `maxLR` at every restart. `isCycleEnd(i)` says whether batch `i` is the last of its period (for
 * `weightAveraging({ every: 'cycle' })` through an `lrScheduler`).
 *
 * @example
 * ```ts
 * const s = cosineRestartsSchedule({ maxLR: 1, minLR: 0, period: 2, periodMult: 2 });
 * [0, 1, 2, 3, 4, 5, 6].map(s); // [1, 0.5, 1, 0.8535533905932737, 0.5, 0.14644660940672627, 1]
 * [0, 1, 2, 3, 4, 5, 6].map(s.isCycleEnd); // [false, true, false, false, false, true, false]
 * ```
 */
export function cosineRestartsSchedule(opts: CosineRestartsOptions): CyclicSchedule {
  const where = 'cosineRestartsSchedule';
  const table = {
    maxLR: { check: positive, required: true },
    minLR: { check: nonNegative, otherwise: 0 },
    period: { check: atLeast(1), required: true },
    periodMult: { check: atLeast(1), otherwise: 1 },
  } as const;
  const { maxLR, minLR, period, periodMult: mult } = fromTable(where, opts, table) as Required<CosineRestartsOptions>;
  if (minLR > maxLR) fail(where, 'minLR', `<= maxLR (${maxLR})`, minLR);
  /** Position `t` within the period of length `T` that batch `iteration` is in. */
  const within = (iteration: number): { t: number; T: number } => {
    let t = iterationArg(where, iteration);
    let T = period;
    if (mult === 1) t %= T;
    else {
      while (t >= T) {
        t -= T;
        T *= mult;
      }
    }
    return { t, T };
  };
  const schedule = (iteration: number) => {
    const { t, T } = within(iteration);
    return minLR + (maxLR - minLR) * 0.5 * (1 + Math.cos((Math.PI * t) / T));
  };
  return Object.assign(schedule, {
    isCycleEnd: (iteration: number) => {
      const { t, T } = within(iteration);
      return t === T - 1;
    },
  });
}

/** How {@link warmupStableDecaySchedule} cools down. */
export type CooldownShape = 'linear' | '1-sqrt' | 'cosine';

/** Options of {@link warmupStableDecaySchedule}. */
export interface WarmupStableDecayOptions {
  /** Value during the stable phase (> 0). */
  peak: number;
  /** Iterations of the linear warmup from `from` (integer >= 0; 0: start at `peak`). */
  warmupSteps: number;
  /** Iterations of the cooldown at the end (integer >= 1). */
  decaySteps: number;
  /** Total iterations, warmup and cooldown included (integer >= warmupSteps + decaySteps). */
  steps: number;
  /** Value at iteration 0 (>= 0); default 0. */
  from?: number;
  /** Value at `steps` and after (in [0, peak]); default 0. */
  to?: number;
  /** The cooldown's shape; default `'1-sqrt'` (the paper's best): `to + (peak − to)(1 − √(t/decaySteps))`. */
  decay?: CooldownShape;
}

/**
 * Warmup–stable–decay (WSD; Hägele et al., "Scaling Laws and Compute-Optimal Training Beyond Fixed
 * Training Durations", NeurIPS 2024): a linear warmup to `peak`, `peak` held, and a short cooldown to
 * `to` over the last `decaySteps` (the paper: 10–20 % of the run; `1-sqrt` matched a cosine schedule
 * of the same length). Unlike cosine, the length need not be fixed at the start: the stable phase can
 * be stopped anywhere and cooled down from there (make a new schedule with that `steps`).
 *
 * @example
 * ```ts
 * const s = warmupStableDecaySchedule({ peak: 1, warmupSteps: 2, decaySteps: 4, steps: 10 });
 * [0, 1, 2, 5, 6, 7, 8, 10, 12].map(s); // [0, 0.5, 1, 1, 1, 0.5, 0.2928932188134524, 0, 0]
 * ```
 */
export function warmupStableDecaySchedule(opts: WarmupStableDecayOptions): Schedule {
  const where = 'warmupStableDecaySchedule';
  const table = {
    peak: { check: positive, required: true },
    warmupSteps: { check: atLeast(0), required: true },
    decaySteps: { check: atLeast(1), required: true },
    steps: { check: later, required: true }, // >= warmupSteps + decaySteps: checked below
    from: { check: nonNegative, otherwise: 0 },
    to: { check: nonNegative, otherwise: 0 },
    decay: { check: choice(['linear', '1-sqrt', 'cosine']), otherwise: '1-sqrt' },
  } as const;
  const o = fromTable(where, opts, table) as Required<WarmupStableDecayOptions>;
  const { peak, warmupSteps, decaySteps, from, to, decay } = o;
  const steps = integerAtLeast(where, 'steps', o.steps, warmupSteps + decaySteps);
  if (to > peak) fail(where, 'to', `<= peak (${peak})`, to);
  if (from > peak) fail(where, 'from', `<= peak (${peak})`, from);
  const shape: Record<CooldownShape, (t: number) => number> = {
    linear: (t) => 1 - t,
    '1-sqrt': (t) => 1 - Math.sqrt(t),
    cosine: (t) => 0.5 * (1 + Math.cos(Math.PI * t)),
  };
  const cool = shape[decay];
  const cooldown: Schedule = (i) => to + (peak - to) * cool(Math.min(i, decaySteps) / decaySteps);
  const stable: Schedule = () => peak;
  // Phases with no iterations (no warmup, or no stable part) are left out of the join.
  const phases: Array<[Schedule, number]> = [
    [linearSchedule({ from, to: peak, steps: Math.max(1, warmupSteps) }), warmupSteps],
    [stable, steps - decaySteps - warmupSteps],
  ];
  const kept = phases.filter(([, length]) => length > 0);
  const bounds = kept.map(([, length]) => length).map((_, k, all) => all.slice(0, k + 1).reduce((a, b) => a + b, 0));
  return joinSchedules([...kept.map(([s]) => s), cooldown], bounds);
}
