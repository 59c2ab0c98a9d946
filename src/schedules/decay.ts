/**
 * Decay schedules (after Optax's `schedules` and PyTorch's `lr_scheduler`): pure functions of the
 * 0-based global iteration, checked at construction, holding their final value past their end.
 * @packageDocumentation
 */
import type { Schedule } from './schedule.js';
import { atLeast, bool, fail, fromTable, integerAtLeast, iterationArg, later, nonNegative, positive, satisfies, type OptionRule } from '../validate.js';

/** Checks `opts` against its table; returns the checked options and a reader of the iteration for `where`. */
function start<T>(where: string, opts: unknown, table: Readonly<Record<string, OptionRule>>): { o: T; at: (iteration: unknown) => number } {
  return { o: fromTable(where, opts, table) as T, at: (iteration) => iterationArg(where, iteration) };
}

// Rows the decay schedules share.
const FROM: OptionRule = { check: nonNegative, required: true };
const STEPS: OptionRule = { check: atLeast(1), required: true };
const fraction = satisfies((v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number in [0, 1]');

/**
 * The same value at every iteration.
 *
 * @example
 * ```ts
 * const s = constantSchedule(0.01);
 * [0, 1000].map(s); // [0.01, 0.01]
 * ```
 */
export function constantSchedule(value: number): Schedule {
  const v = nonNegative('constantSchedule', 'value', value);
  return (iteration) => (iterationArg('constantSchedule', iteration), v);
}

/** Options of {@link linearSchedule}. */
export interface LinearScheduleOptions {
  /** Value at iteration 0 (>= 0). */
  from: number;
  /** Value from iteration `steps` on (>= 0). */
  to: number;
  /** Iterations of the ramp (integer >= 1). */
  steps: number;
}

/**
 * A straight line from `from` to `to` over `steps` iterations, then `to` (Optax `linear_schedule`).
 *
 * @example
 * ```ts
 * const s = linearSchedule({ from: 0, to: 1, steps: 4 });
 * [0, 1, 2, 4, 9].map(s); // [0, 0.25, 0.5, 1, 1]
 * ```
 */
export function linearSchedule(opts: LinearScheduleOptions): Schedule {
  return polynomial('linearSchedule', opts, { from: FROM, to: FROM, steps: STEPS });
}

/** Options of {@link polynomialDecaySchedule}. */
export interface PolynomialDecayOptions extends LinearScheduleOptions {
  /** Exponent of the remaining fraction (> 0); default 1 (a straight line). */
  power?: number;
}

/**
 * `(from − to) · (1 − i/steps)^power + to` for `i <= steps`, then `to` (Optax `polynomial_schedule`).
 *
 * @example
 * ```ts
 * const s = polynomialDecaySchedule({ from: 1, to: 0, steps: 2, power: 2 });
 * [0, 1, 2, 3].map(s); // [1, 0.25, 0, 0]
 * ```
 */
export function polynomialDecaySchedule(opts: PolynomialDecayOptions): Schedule {
  return polynomial('polynomialDecaySchedule', opts, { from: FROM, to: FROM, steps: STEPS, power: { check: positive, otherwise: 1 } });
}

function polynomial(where: string, opts: LinearScheduleOptions, table: Readonly<Record<string, OptionRule>>): Schedule {
  const { o, at } = start<Required<PolynomialDecayOptions>>(where, opts, table);
  const { from, to, steps } = o;
  const power = o.power ?? 1;
  return (iteration) => {
    const i = at(iteration);
    // Exactly `from` at 0 and `to` from `steps` on (no rounding at the ends).
    if (i === 0) return from;
    if (i >= steps) return to;
    return power === 1 ? from + (to - from) * (i / steps) : (from - to) * (1 - i / steps) ** power + to;
  };
}

/** Options of {@link cosineDecaySchedule}. */
export interface CosineDecayOptions {
  /** Value at iteration 0 (>= 0). */
  from: number;
  /** Iterations of the decay (integer >= 1). */
  steps: number;
  /** Final value as a fraction of `from`, in [0, 1]; default 0. */
  alpha?: number;
}

/**
 * Half a cosine from `from` down to `alpha · from` over `steps` iterations, then that (Optax
 * `cosine_decay_schedule`): `from · ((1 − alpha) · ½(1 + cos(π · i/steps)) + alpha)`.
 *
 * @example
 * ```ts
 * const s = cosineDecaySchedule({ from: 1, steps: 4, alpha: 0.2 });
 * [0, 2, 4, 8].map(s); // [1, 0.6, 0.2, 0.2]
 * ```
 */
export function cosineDecaySchedule(opts: CosineDecayOptions): Schedule {
  const { o, at } = start<Required<CosineDecayOptions>>('cosineDecaySchedule', opts, { from: FROM, steps: STEPS, alpha: { check: fraction, otherwise: 0 } });
  const { from, steps, alpha } = o;
  return (iteration) => {
    const t = Math.min(at(iteration), steps) / steps;
    return from * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * t)) + alpha);
  };
}

/** Options of {@link exponentialDecaySchedule}. */
export interface ExponentialDecayOptions {
  /** Value at iteration 0 (>= 0). */
  from: number;
  /** Iterations over which the value is multiplied by `rate` once (integer >= 1). */
  steps: number;
  /** Factor per `steps` iterations (> 0; < 1 decays, > 1 grows). */
  rate: number;
  /** Multiply in whole steps (`rate ** floor(i / steps)`); default false (smooth). */
  staircase?: boolean;
  /** Clip: a floor when `rate < 1`, a ceiling when `rate > 1`. */
  to?: number;
}

/**
 * `from · rate^(i / steps)` (Optax `exponential_decay`), with `to` as a floor (rate < 1) or ceiling
 * (rate > 1). Without `to` it has no end: it keeps decaying.
 *
 * @example
 * ```ts
 * const s = exponentialDecaySchedule({ from: 1, steps: 10, rate: 0.5, to: 0.2 });
 * [0, 5, 10, 20, 30].map((i) => +s(i).toFixed(4)); // [1, 0.7071, 0.5, 0.25, 0.2]
 * ```
 */
export function exponentialDecaySchedule(opts: ExponentialDecayOptions): Schedule {
  const where = 'exponentialDecaySchedule';
  const table = { from: FROM, steps: STEPS, rate: { check: positive, required: true }, staircase: { check: bool, otherwise: false }, to: { check: nonNegative } } as const;
  const { o, at } = start<ExponentialDecayOptions & { staircase: boolean }>(where, opts, table);
  const { from, steps, rate, staircase, to } = o;
  if (to !== undefined && (rate < 1 ? to > from : to < from)) {
    fail(where, 'to', `${rate < 1 ? '<=' : '>='} from (${from}) for rate ${rate}`, to);
  }
  return (iteration) => {
    const p = at(iteration) / steps;
    const v = from * rate ** (staircase ? Math.floor(p) : p);
    return to === undefined ? v : rate < 1 ? Math.max(v, to) : Math.min(v, to);
  };
}

/** Options of {@link stepDecaySchedule}. */
export interface StepDecayOptions {
  /** Value at iteration 0 (>= 0). */
  from: number;
  /** Iterations between drops (integer >= 1). */
  every: number;
  /** Factor of each drop (> 0); e.g. 0.1. */
  factor: number;
}

/**
 * `from · factor^floor(i / every)` (PyTorch `StepLR`).
 *
 * @example
 * ```ts
 * const s = stepDecaySchedule({ from: 1, every: 3, factor: 0.5 });
 * [0, 2, 3, 6, 7].map(s); // [1, 1, 0.5, 0.25, 0.25]
 * ```
 */
export function stepDecaySchedule(opts: StepDecayOptions): Schedule {
  const { o, at } = start<StepDecayOptions>('stepDecaySchedule', opts, { from: FROM, every: STEPS, factor: { check: positive, required: true } });
  const { from, every, factor } = o;
  return (iteration) => from * factor ** Math.floor(at(iteration) / every);
}

/** Options of {@link piecewiseConstantSchedule}. */
export interface PiecewiseConstantOptions {
  /** Iterations where the value changes: strictly increasing integers >= 1. */
  boundaries: number[];
  /** `values[k]` from `boundaries[k-1]` (inclusive) to `boundaries[k]` (exclusive); one more than boundaries. */
  values: number[];
}

/**
 * A step function: `values[0]` before `boundaries[0]`, `values[k]` from `boundaries[k-1]` on.
 *
 * @example
 * ```ts
 * const s = piecewiseConstantSchedule({ boundaries: [2, 5], values: [1, 0.1, 0.01] });
 * [0, 1, 2, 4, 5, 9].map(s); // [1, 1, 0.1, 0.1, 0.01, 0.01]
 * ```
 */
export function piecewiseConstantSchedule(opts: PiecewiseConstantOptions): Schedule {
  const where = 'piecewiseConstantSchedule';
  const { o, at } = start<PiecewiseConstantOptions>(where, opts, { boundaries: { check: increasingBoundaries, required: true }, values: { check: later, required: true } }); // its length depends on boundaries: checked below
  const { boundaries, values } = o;
  if (!Array.isArray(values) || values.length !== boundaries.length + 1) {
    fail(where, 'values', `an array of boundaries.length + 1 = ${boundaries.length + 1} numbers`, values);
  }
  values.forEach((v, k) => nonNegative(where, `values[${k}]`, v));
  return (iteration) => {
    const i = at(iteration);
    let k = 0;
    while (k < boundaries.length && i >= boundaries[k]) k++;
    return values[k];
  };
}

/** Strictly increasing integers >= 1 (also used by joinSchedules). */
export function increasingBoundaries(where: string, _option: string, boundaries: unknown): number[] {
  if (!Array.isArray(boundaries)) fail(where, 'boundaries', 'an array of strictly increasing integers >= 1', boundaries);
  boundaries.forEach((b, k) => {
    integerAtLeast(where, `boundaries[${k}]`, b, k === 0 ? 1 : (boundaries[k - 1] as number) + 1);
  });
  return boundaries as number[];
}
