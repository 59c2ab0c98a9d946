/**
 * Reading an LR range test: `suggestBounds` applies one of the interchangeable suggestion rules
 * (default: the one with the lowest regret in `npm run bench:suggest`), and `suggestStepSize` gives the
 * paper's step size.
 * @packageDocumentation
 */
import { atLeast, bool, choice, fail, fromTable, later, optionsObject, positive, satisfies, type OptionRule } from '../validate.js';
import { accuracyRule } from './accuracyRule.js';
import type { BoundsSuggestion, RangeCurve, RuleName, RuleOptions, SuggestionRule } from './curve.js';
import { minimumRule, steepRule, valleyRule } from './lossRules.js';
import { thumbRule } from './thumbRule.js';

/**
 * The built-in rules, by name: the registry `suggestBounds` looks names up in. Each is a
 * {@link SuggestionRule}, `(curve, options) => BoundsSuggestion`, reading the options it uses; a new
 * rule is its own file and one line here.
 * - `thumb` (default): the paper's rule of thumb: maxLR = the largest LR that still converges (the
 *   probe's smoothed loss: the center of its floor for SGD/Momentum's zero-config probe, where it
 *   bottoms out for adaptive optimizers and single sweeps), baseLR = maxLR/4 (see {@link thumbRule}).
 * - `accuracy`: the paper's reading of the accuracy curve (see {@link accuracyRule}).
 * - `valley`, `steep`, `minimum`: fastai's loss rules (and Lightning's steepest gradient) on the
 *   probe's loss; bounds [lr/4, lr].
 */
export const suggestionRules: Readonly<Record<RuleName, SuggestionRule>> = {
  accuracy: accuracyRule,
  thumb: thumbRule,
  valley: valleyRule,
  steep: steepRule,
  minimum: minimumRule,
};

/** Loss rules' options. */
const LOSS_OPTIONS = ['skipBegin', 'skipEnd', 'baseDivisor'] as const;
/** The accuracy rule's (also what `thumb` passes to its cross-check). */
const ACCURACY_OPTIONS = ['source', 'smoothing', 'riseNoise', 'slowFraction', 'raggedFactor'] as const;

/**
 * The options each built-in rule reads: `suggestBounds` passes them all, and refuses one the chosen
 * rule would not read (it would silently do nothing). Your own rule gets every option given.
 */
export const RULE_OPTIONS: Readonly<Record<RuleName, readonly (keyof RuleOptions)[]>> = {
  accuracy: [...ACCURACY_OPTIONS, 'baseDivisor'],
  thumb: [...LOSS_OPTIONS, 'reading', 'acrossBumps', ...ACCURACY_OPTIONS],
  valley: LOSS_OPTIONS,
  steep: LOSS_OPTIONS,
  minimum: [...LOSS_OPTIONS, 'divisor'],
};

/** The rule `suggestBounds` uses unless told otherwise: the lowest mean regret in the study (bench/RESULTS.md). */
export const DEFAULT_RULE: RuleName = 'thumb';

/** Options of {@link suggestBounds}: which rule, and the settings passed to it. */
export interface SuggestBoundsOptions extends RuleOptions {
  /** A built-in rule's name or your own {@link SuggestionRule}; default {@link DEFAULT_RULE}. */
  rule?: RuleName | SuggestionRule;
}

/** suggestBounds' options and their checks (no defaults here: each rule fills in its own). */
const TABLE: Record<keyof SuggestBoundsOptions, OptionRule> = {
  rule: { check: later }, // a name or a function: resolved below
  source: { check: choice(['auto', 'validation', 'training']) },
  smoothing: { check: atLeast(1) },
  riseNoise: { check: positive },
  slowFraction: { check: positive },
  raggedFactor: { check: positive },
  baseDivisor: { check: positive },
  skipBegin: { check: satisfies((v) => typeof v === 'number' && v >= 0 && v < 1, 'a number in [0, 1) (a fraction of the points)') },
  skipEnd: { check: satisfies((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0, 'an integer >= 0 (points)') },
  reading: { check: choice(['auto', 'minimum', 'bottom', 'center']) },
  acrossBumps: { check: bool },
  divisor: { check: positive },
};

/** suggestStepSize's options: checks and the paper's defaults. */
const STEP_SIZE_TABLE: Record<keyof StepSizeOptions, OptionRule> = {
  samples: { check: atLeast(1), required: true },
  batchSize: { check: atLeast(1), required: true },
  epochsPerHalfCycle: { check: satisfies((v) => typeof v === 'number' && v >= 2 && v <= 10, 'a number in [2, 10] (the paper: 2–10 epochs per half cycle)'), otherwise: 4 },
  cycles: { check: atLeast(3), otherwise: 3 },
};

/**
 * Suggests CLR bounds from an LR range test with one rule (default {@link DEFAULT_RULE}). Never
 * returns a non-finite bound: where the curve does not support a suggestion, both are null,
 * `confidence` is `'none'`, and `notes` say why and what to change.
 *
 * @example
 * ```ts
 * const s = suggestBounds(finder.result);                      // the default rule
 * const v = suggestBounds(finder.result, { rule: 'valley' });  // fastai's
 * if (s.confidence !== 'none') cyclicLR({ baseLR: s.baseLR!, maxLR: s.maxLR!, stepSize: 2000 });
 * ```
 */
export function suggestBounds(curve: RangeCurve, opts: SuggestBoundsOptions = {}): BoundsSuggestion {
  const where = 'suggestBounds';
  optionsObject(where, curve);
  fromTable(where, opts, TABLE);
  if (!Array.isArray(curve.lr)) fail(where, 'curve.lr', 'an array of learning rates', curve.lr);
  if (!curve.accuracy && !curve.loss && !curve.validation?.accuracy) fail(where, 'curve', 'a result with accuracy or loss', curve.accuracy ?? null);
  const { rule = DEFAULT_RULE, ...ruleOpts } = opts;
  const apply: SuggestionRule | undefined =
    typeof rule === 'function' ? rule : typeof rule === 'string' && Object.prototype.hasOwnProperty.call(suggestionRules, rule) ? suggestionRules[rule] : undefined;
  if (apply === undefined) return fail(where, 'rule', `a rule function or one of ${Object.keys(suggestionRules).map((k) => `"${k}"`).join(', ')}`, rule);
  if (typeof rule === 'string') {
    const reads: readonly string[] = RULE_OPTIONS[rule];
    const unread = Object.keys(ruleOpts).find((k) => (ruleOpts as Record<string, unknown>)[k] !== undefined && !reads.includes(k));
    if (unread !== undefined) {
      throw new Error(`${where}: option ${JSON.stringify(unread)} is not read by rule "${rule}" (it reads ${reads.join(', ')}); leave it out, or choose a rule that reads it`);
    }
  }
  const s = apply(curve, ruleOpts);
  const ok = (v: number | null) => v === null || (Number.isFinite(v) && v > 0);
  if (!ok(s.baseLR) || !ok(s.maxLR) || (s.baseLR === null) !== (s.maxLR === null)) {
    throw new Error(`suggestBounds: rule "${s.rule}" returned baseLR ${s.baseLR} and maxLR ${s.maxLR}; a rule must return two finite LRs > 0, or two nulls`);
  }
  return s;
}

/** Options of {@link suggestStepSize}. */
export interface StepSizeOptions {
  /** Training samples per epoch. */
  samples: number;
  /** Batch size. */
  batchSize: number;
  /** Epochs per half cycle; the paper advises 2–10; default 4. */
  epochsPerHalfCycle?: number;
  /** Whole cycles to train (at least 3, as the paper advises); default 3. */
  cycles?: number;
}

/** A step size and a training plan that ends at a cycle's end. */
export interface TrainingPlan {
  iterationsPerEpoch: number;
  stepSize: number;
  cycleLength: number;
  cycles: number;
  totalIterations: number;
  /** Epochs the plan takes (may be fractional when an epoch does not divide the cycle). */
  epochs: number;
}

/**
 * The paper's step-size rule: 2–10 epochs per half cycle (default 4), in iterations, and a plan of
 * whole cycles (at least 3) so training stops at a cycle's end, where the LR is lowest.
 *
 * @example
 * ```ts
 * suggestStepSize({ samples: 50000, batchSize: 100 });
 * // { iterationsPerEpoch: 500, stepSize: 2000, cycleLength: 4000, cycles: 3, totalIterations: 12000, epochs: 24 }
 * ```
 */
export function suggestStepSize(opts: StepSizeOptions): TrainingPlan {
  const o = fromTable('suggestStepSize', opts, STEP_SIZE_TABLE) as Required<StepSizeOptions>;
  const { samples, batchSize, epochsPerHalfCycle: epochs, cycles } = o;
  const iterationsPerEpoch = Math.ceil(samples / batchSize);
  const stepSize = Math.round(epochs * iterationsPerEpoch);
  const totalIterations = cycles * 2 * stepSize;
  return {
    iterationsPerEpoch,
    stepSize,
    cycleLength: 2 * stepSize,
    cycles,
    totalIterations,
    epochs: totalIterations / iterationsPerEpoch,
  };
}
