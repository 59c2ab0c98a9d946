/**
 * Cyclical schedules (Smith, WACV 2017): pure functions of the 0-based global iteration.
 * @packageDocumentation
 */
import { choice, fail, fromTable, inRange, iterationArg, later, positive, satisfies, show, type OptionRule, type TableOf } from '../validate.js';

import type { Schedule } from './schedule.js';


/** Amplitude policies of the paper. */
export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';
/** Window shapes of the paper's section on windows; all are 1 at the peak and 0 at a cycle's ends. */
export type CyclicWindow = 'triangular' | 'welch' | 'hann';
/** What a custom `scaleFn` receives: the 1-based cycle number, or the global iteration. */
export type ScaleMode = 'cycle' | 'iterations';

export const CYCLIC_MODES: readonly CyclicMode[] = ['triangular', 'triangular2', 'exp_range'];
export const CYCLIC_WINDOWS: readonly CyclicWindow[] = ['triangular', 'welch', 'hann'];
const SCALE_MODES: readonly ScaleMode[] = ['cycle', 'iterations'];

/** The shape of a cycle, shared by the learning-rate and the momentum schedule. */
export interface CycleShapeOptions {
  /** Iterations in the rising half of a cycle (finite, > 0). The paper advises 2–10 epochs. */
  stepSize: number;
  /** Iterations in the falling half; defaults to `stepSize` (a symmetric cycle). */
  stepSizeDown?: number;
  /** Amplitude policy; default `'triangular'`. Ignored when `scaleFn` is given. */
  mode?: CyclicMode;
  /** `exp_range` only: amplitude is scaled by `gamma ** iteration` (global iteration); in (0, 1], default 1. */
  gamma?: number;
  /** Custom amplitude scale (overrides `mode`); receives the cycle or the iteration, see `scaleMode`. */
  scaleFn?: (x: number) => number;
  /** What `scaleFn` receives: `'cycle'` (1-based, default) or `'iterations'` (global iteration). */
  scaleMode?: ScaleMode;
  /** Window shape; default `'triangular'`. */
  window?: CyclicWindow;
}

/** Options of {@link cyclicLearningRate}. */
export interface CyclicLROptions extends CycleShapeOptions {
  /** Lower bound, the LR at the start and end of every cycle (finite, > 0). */
  baseLR: number;
  /** Upper bound, reached at the first peak (finite, >= baseLR). */
  maxLR: number;
}

/** Options of {@link cyclicMomentum}. `baseLR`/`maxLR` may be present (they are ignored). */
export interface CyclicMomentumOptions extends CycleShapeOptions {
  /** Momentum at the LR's peak (the lowest momentum); in [0, 1). */
  baseMomentum: number;
  /** Momentum at the LR's trough (the highest momentum); in [baseMomentum, 1). */
  maxMomentum: number;
  baseLR?: number;
  maxLR?: number;
}

/** A cycle's shape options: their checks and defaults (`stepSize` is checked when the schedule is built for it). */
const SHAPE_ROWS: TableOf<CycleShapeOptions & CheckedShape> = {
  stepSize: { check: later },
  stepSizeDown: { check: positive },
  mode: { check: choice(CYCLIC_MODES), otherwise: 'triangular' },
  gamma: { check: satisfies((v) => typeof v === 'number' && v > 0 && v <= 1, 'a number in (0, 1]'), otherwise: 1 },
  scaleFn: { check: satisfies((v) => typeof v === 'function', 'a function') },
  scaleMode: { check: choice(SCALE_MODES) },
  window: { check: choice(CYCLIC_WINDOWS), otherwise: 'triangular' },
};
const LR_TABLE: TableOf<CyclicLROptions & CheckedShape> = {
  baseLR: { check: positive, required: true },
  maxLR: { check: positive, required: true },
  ...SHAPE_ROWS,
};
const momentum: OptionRule<number> = { check: (w, o, v) => inRange(w, o, v, 0, 1, true), required: true };
const MOMENTUM_TABLE: TableOf<CyclicMomentumOptions & CheckedShape & { baseLR?: number; maxLR?: number }> = {
  baseLR: { check: later }, // allowed, ignored
  maxLR: { check: later },
  ...SHAPE_ROWS,
  baseMomentum: momentum,
  maxMomentum: momentum,
};
export const CYCLIC_LR_KEYS: readonly string[] = Object.keys(LR_TABLE);

/** Shape options after their table: defaults filled in. */
type CheckedShape = Required<Pick<CycleShapeOptions, 'mode' | 'gamma' | 'window'>> & Pick<CycleShapeOptions, 'stepSizeDown' | 'scaleFn' | 'scaleMode'>;

/**
 * A cycle's profile at an iteration: `cycle` (1-based) and `amplitude` = window(h) · scale in [0, 1]
 * (times whatever a custom `scaleFn` returns), where h is 0 at a cycle's ends and 1 at its peak.
 */
export type CycleProfile = (iteration: number) => { cycle: number; amplitude: number };

/**
 * The profile for a step size (validated then) from shape options already checked by their table: the
 * callbacks check everything at construction and give `stepSizeEpochs` its length at the first fit.
 */
function cycleShape(where: string, o: CheckedShape): (stepSize: number) => CycleProfile {
  if (o.scaleMode !== undefined && o.scaleFn === undefined) {
    fail(where, 'scaleMode', 'given only together with scaleFn (built-in modes fix their own)', o.scaleMode);
  }
  const windowFn = WINDOWS[o.window];
  const scale = scaleFunction(where, o.mode, o.gamma, o.scaleFn, o.scaleMode ?? 'cycle');
  return (stepSize) => {
    const up = positive(where, 'stepSize', stepSize);
    const total = up + (o.stepSizeDown ?? up);
    const ratio = up / total;
    return (iteration: number) => {
      const i = iterationArg(where, iteration);
      const cycle = Math.floor(1 + i / total);
      const p = i / total - (cycle - 1); // position in the cycle, 0 <= p < 1
      const h = p <= ratio ? p / ratio : (1 - p) / (1 - ratio);
      return { cycle, amplitude: windowFn(h) * scale(cycle, i) };
    };
  };
}

/** Window functions of h (0 at the ends, 1 at the peak), written on the distance d = 1 − h from the peak. */
const WINDOWS: Record<CyclicWindow, (h: number) => number> = {
  triangular: (h) => Math.max(0, h),
  welch: (h) => 1 - (1 - h) * (1 - h),
  hann: (h) => (1 + Math.cos(Math.PI * (1 - h))) / 2,
};

function scaleFunction(
  where: string,
  mode: CyclicMode,
  gamma: number,
  scaleFn: ((x: number) => number) | undefined,
  scaleMode: ScaleMode,
): (cycle: number, iteration: number) => number {
  if (scaleFn !== undefined) {
    const checked = (x: number): number => {
      const s = scaleFn(x);
      if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
        throw new Error(`${where}: scaleFn(${x}) must return a finite number >= 0, got ${show(s)}`);
      }
      return s;
    };
    checked(scaleMode === 'cycle' ? 1 : 0); // fail now, not at the first batch
    return scaleMode === 'cycle' ? (cycle) => checked(cycle) : (_cycle, i) => checked(i);
  }
  switch (mode) {
    case 'triangular':
      return () => 1;
    case 'triangular2':
      return (cycle) => 1 / 2 ** (cycle - 1);
    case 'exp_range':
      return (_cycle, i) => gamma ** i;
  }
}

/**
 * The cyclical learning rate of Smith (2017): it moves between `baseLR` and `maxLR` and back, every
 * `stepSize + stepSizeDown` iterations, with the amplitude of `mode` (or a custom `scaleFn`).
 *
 * Follows the conventions of the Keras CLR callback and PyTorch's `CyclicLR`: `iteration` is the
 * 0-based global batch index and `lr(0) = baseLR`; `exp_range` scales by `gamma ** iteration`.
 *
 * @example
 * ```ts
 * const lr = cyclicLearningRate({ baseLR: 1, maxLR: 5, stepSize: 4 });
 * [0, 1, 2, 4, 6, 8].map(lr); // [1, 2, 3, 5, 3, 1]
 * const lr2 = cyclicLearningRate({ baseLR: 1, maxLR: 5, stepSize: 4, mode: 'triangular2' });
 * [4, 12, 20].map(lr2);       // [5, 3, 2]: peaks 1 + 4, 1 + 2, 1 + 1
 * ```
 */
export function cyclicLearningRate(opts: CyclicLROptions): Schedule {
  return cyclicLRForStepSize('cyclicLearningRate', opts)(opts?.stepSize);
}

/**
 * {@link cyclicLearningRate} by step size: validates every option but `stepSize` (ignored if present),
 * with errors attributed to `where` (the callbacks use their own name).
 */
export function cyclicLRForStepSize(where: string, opts: Omit<CyclicLROptions, 'stepSize'>): (stepSize: number) => Schedule {
  const o = fromTable(where, opts, LR_TABLE);
  const [base, max] = lrBounds(where, o.baseLR, o.maxLR);
  // At the peak, maxLR itself: base + (max − base) can miss it by an ulp (0.001 + 0.009 = 0.010000000000000002).
  return cycleOf(where, o, (amplitude) => (amplitude === 1 ? max : base + (max - base) * amplitude));
}

/** The schedule at a step size both cyclical schedules share: `value(amplitude)` along the cycle's profile. */
function cycleOf(where: string, o: CheckedShape, value: (amplitude: number) => number): (stepSize: number) => Schedule {
  const shape = cycleShape(where, o);
  return (stepSize) => {
    const profile = shape(stepSize);
    return (iteration) => value(profile(iteration).amplitude);
  };
}

/**
 * Momentum cycled opposite to the learning rate (PyTorch's `CyclicLR` semantics): `maxMomentum` at the
 * LR's trough, `baseMomentum` at its peak, damped by the same amplitude policy as the LR.
 *
 * @example
 * ```ts
 * const m = cyclicMomentum({ stepSize: 4, baseMomentum: 0.8, maxMomentum: 0.9 });
 * [0, 2, 4, 8].map(m); // [0.9, 0.85, 0.8, 0.9]
 * ```
 */
export function cyclicMomentum(opts: CyclicMomentumOptions): Schedule {
  return cyclicMomentumForStepSize('cyclicMomentum', opts)(opts?.stepSize);
}

/** {@link cyclicMomentum} by step size, as {@link cyclicLRForStepSize}. */
export function cyclicMomentumForStepSize(where: string, opts: Omit<CyclicMomentumOptions, 'stepSize'>): (stepSize: number) => Schedule {
  const o = fromTable(where, opts, MOMENTUM_TABLE);
  const [base, max] = momentumBounds(where, o.baseMomentum, o.maxMomentum);
  return cycleOf(where, o, (amplitude) => (amplitude === 1 ? base : max - (max - base) * amplitude)); // exactly baseMomentum at the LR's peak
}

/** Checks 0 < baseLR <= maxLR, both finite. */
export function lrBounds(where: string, baseLR: unknown, maxLR: unknown): [number, number] {
  const base = positive(where, 'baseLR', baseLR);
  const max = positive(where, 'maxLR', maxLR);
  if (max < base) fail(where, 'maxLR', `>= baseLR (${base})`, max);
  return [base, max];
}

/** Checks 0 <= baseMomentum <= maxMomentum < 1. */
export function momentumBounds(where: string, baseMomentum: unknown, maxMomentum: unknown): [number, number] {
  const base = inRange(where, 'baseMomentum', baseMomentum, 0, 1, true);
  const max = inRange(where, 'maxMomentum', maxMomentum, 0, 1, true);
  if (max < base) fail(where, 'maxMomentum', `>= baseMomentum (${base})`, max);
  return [base, max];
}
