/**
 * The 1cycle policy (Smith 2018; PyTorch `OneCycleLR` semantics): one cycle over the whole run.
 * @packageDocumentation
 */
import { bool, choice, fail, fromTable, inRange, integerAtLeast, iterationArg, later, positive, satisfies, type OptionRule, type TableOf } from '../validate.js';
import { momentumBounds } from './cyclic.js';
import type { Schedule } from './schedule.js';
import { joinSchedules } from './compose.js';

/** How a phase moves from its start value to its end value. */
export type AnnealStrategy = 'cos' | 'linear';
const ANNEALS: readonly AnnealStrategy[] = ['cos', 'linear'];

/** Options of {@link oneCycleLearningRate}. */
export interface OneCycleOptions {
  /** Peak learning rate (finite, > 0). */
  maxLR: number;
  /** Iterations in the cycle (integer >= 2). Iterations at or past it hold the final value. */
  totalSteps: number;
  /** Fraction of the cycle spent rising; default 0.3. */
  pctStart?: number;
  /** Start LR = maxLR / divFactor; default 25. */
  divFactor?: number;
  /** Final LR = start LR / finalDivFactor; default 1e4. */
  finalDivFactor?: number;
  /** `'cos'` (default) or `'linear'`. */
  anneal?: AnnealStrategy;
  /** Three phases (up, back down to the start LR, then to the final LR) instead of two; default false. */
  threePhase?: boolean;
}

/** Options of {@link oneCycleMomentum}. LR-only options may be present (they are ignored). */
export interface OneCycleMomentumOptions extends Partial<Omit<OneCycleOptions, 'totalSteps'>> {
  totalSteps: number;
  /** Momentum at the LR's peak; default 0.85. */
  baseMomentum?: number;
  /** Momentum at the start and end; default 0.95. */
  maxMomentum?: number;
}

/** The phase options both 1cycle schedules share (`totalSteps` is checked when a schedule is built for it). */
/** The options as the schedules read them: defaults filled in (`totalSteps` comes separately). */
/** Phase options after their table: defaults filled in. */
type CheckedPhases = Required<Omit<OneCycleOptions, 'maxLR' | 'divFactor' | 'finalDivFactor'>>;
type CheckedLR = Required<OneCycleOptions>;
type CheckedMomentum = CheckedPhases & Required<Pick<OneCycleMomentumOptions, 'baseMomentum' | 'maxMomentum'>> & Pick<OneCycleMomentumOptions, 'maxLR' | 'divFactor' | 'finalDivFactor'>;
const PHASE_ROWS: TableOf<CheckedPhases> = {
  totalSteps: { check: later },
  pctStart: { check: satisfies((v) => typeof v === 'number' && v > 0 && v < 1, 'a number in (0, 1)'), otherwise: 0.3 },
  anneal: { check: choice(ANNEALS), otherwise: 'cos' },
  threePhase: { check: bool, otherwise: false },
};
const LR_TABLE: TableOf<CheckedLR> = {
  maxLR: { check: positive, required: true },
  ...PHASE_ROWS,
  divFactor: { check: positive, otherwise: 25 },
  finalDivFactor: { check: positive, otherwise: 1e4 },
};
const momentum = (otherwise: number): OptionRule<number> => ({ check: (w, o, v) => inRange(w, o, v, 0, 1, true), otherwise });
const MOMENTUM_TABLE: TableOf<CheckedMomentum> = {
  maxLR: { check: later }, // LR options are allowed here, and ignored
  divFactor: { check: later },
  finalDivFactor: { check: later },
  ...PHASE_ROWS,
  baseMomentum: momentum(0.85),
  maxMomentum: momentum(0.95),
};
export const ONE_CYCLE_KEYS = Object.keys(LR_TABLE) as ReadonlyArray<keyof OneCycleOptions>;

/** A phase: values move from `from[k]` to `to[k]` between `start` and `end` (fractional step ends). */
interface Phase {
  end: number;
  from: number; // index into the value triple [start, peak, final]
  to: number;
}

const anneals: Record<AnnealStrategy, (start: number, end: number, pct: number) => number> = {
  cos: (start, end, pct) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1),
  linear: (start, end, pct) => (end - start) * pct + start,
};

/**
 * For a length (validated then, with the phases it allows), the schedule through a value triple
 * [start, peak, final], from phase options already checked by their table, after PyTorch's
 * `OneCycleLR`: phase 1 ends at step `pctStart·N − 1`; with three phases phase 2 ends at
 * `2·pctStart·N − 2`; the last phase ends at `N − 1`, and later steps hold the final value. The phases
 * are joined with {@link joinSchedules}; each anneals over its own (fractional) span.
 */
function phasesThrough(where: string, o: CheckedPhases, values: readonly [number, number, number]): (totalSteps: unknown) => Schedule {
  const anneal = anneals[o.anneal];
  return (totalSteps) => {
    const n = integerAtLeast(where, 'totalSteps', totalSteps, 2);
    const phases = phasesOf(where, o.pctStart, n, o.threePhase);
    const parts: Schedule[] = [];
    const boundaries: number[] = [];
    let spanStart = 0;
    for (const [k, phase] of phases.entries()) {
      // Phase k holds the steps in (previous end, its end]; the first phase starts at step 0.
      const first = k === 0 ? 0 : Math.floor(spanStart) + 1;
      const last = k === phases.length - 1;
      if (last || first <= phase.end) {
        const [from, to, start, end] = [values[phase.from], values[phase.to], spanStart, phase.end];
        parts.push((t) => anneal(from, to, (Math.min(t + first, n - 1) - start) / (end - start)));
        if (k > 0) boundaries.push(first);
      }
      spanStart = phase.end;
    }
    const joined = joinSchedules(parts, boundaries);
    return (iteration) => joined(iterationArg(where, iteration));
  };
}

/** The phases of a cycle of n steps; every one must have a positive length, or its first step divides by zero. */
function phasesOf(where: string, pct: number, n: number, three: boolean): Phase[] {
  const upEnd = pct * n - 1;
  const phases: Phase[] = three
    ? [
        { end: upEnd, from: 0, to: 1 },
        { end: 2 * pct * n - 2, from: 1, to: 0 },
        { end: n - 1, from: 0, to: 2 },
      ]
    : [
        { end: upEnd, from: 0, to: 1 },
        { end: n - 1, from: 1, to: 2 },
      ];
  let start = 0;
  for (const [k, phase] of phases.entries()) {
    if (!(phase.end > start)) {
      const rule = three
        ? `such that the three phases all have > 0 steps (pctStart·totalSteps > 1 and pctStart < (totalSteps + 1) / (2·totalSteps)); phase ${k + 1} is empty with totalSteps ${n}`
        : `such that both phases have > 0 steps (1 / totalSteps < pctStart < 1); phase ${k + 1} is empty with totalSteps ${n}`;
      fail(where, 'pctStart', rule, pct);
    }
    start = phase.end;
  }
  return phases;
}

/**
 * The 1cycle learning rate: from `maxLR/divFactor` up to `maxLR` over the first `pctStart` of the run,
 * then down to `maxLR/divFactor/finalDivFactor` (or, with `threePhase`, back to the start first).
 * Matches PyTorch's `OneCycleLR` for steps 0 … totalSteps−1, and holds the final value after that.
 *
 * @example
 * ```ts
 * const lr = oneCycleLearningRate({ maxLR: 1, totalSteps: 10, pctStart: 0.5, divFactor: 10,
 *                                   finalDivFactor: 100, anneal: 'linear' });
 * [0, 2, 4, 9, 20].map(lr); // [0.1, 0.55, 1, 0.001, 0.001]
 * ```
 */
export function oneCycleLearningRate(opts: OneCycleOptions): Schedule {
  return oneCycleLRForTotal('oneCycleLearningRate', opts)(opts?.totalSteps);
}

/**
 * {@link oneCycleLearningRate} by length: validates every option but `totalSteps` (ignored if
 * present), with errors attributed to `where` (the callback uses its own name).
 */
export function oneCycleLRForTotal(where: string, opts: Omit<OneCycleOptions, 'totalSteps'>): (totalSteps: number) => Schedule {
  const o = fromTable(where, opts, LR_TABLE);
  const start = o.maxLR / o.divFactor;
  return phasesThrough(where, o, [start, o.maxLR, start / o.finalDivFactor]);
}

/**
 * The momentum that goes with {@link oneCycleLearningRate}: `maxMomentum` → `baseMomentum` while the LR
 * rises, then back to `maxMomentum` (and held there in a third phase). Defaults 0.95 → 0.85 → 0.95.
 *
 * @example
 * ```ts
 * const m = oneCycleMomentum({ totalSteps: 10, pctStart: 0.5, anneal: 'linear' });
 * [0, 4, 9].map(m); // [0.95, 0.85, 0.95]
 * ```
 */
export function oneCycleMomentum(opts: OneCycleMomentumOptions): Schedule {
  return oneCycleMomentumForTotal('oneCycleMomentum', opts)(opts?.totalSteps);
}

/** {@link oneCycleMomentum} by length, as {@link oneCycleLRForTotal}. */
export function oneCycleMomentumForTotal(where: string, opts: Omit<OneCycleMomentumOptions, 'totalSteps'>): (totalSteps: number) => Schedule {
  const o = fromTable(where, opts, MOMENTUM_TABLE);
  const [base, max] = momentumBounds(where, o.baseMomentum, o.maxMomentum);
  // [start, peak, final]: momentum is high at the start and end, low at the LR's peak.
  return phasesThrough(where, o, [max, base, max]);
}
