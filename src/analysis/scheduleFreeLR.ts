/**
 * Schedule-Free AdamW's learning rate from a range test run with Adam: the optimizer's default, unless
 * the range test says the model's right LR is far from it. The range test's answer moves up to ~2×
 * between seeds (bench:probes), and where the default is already near the right LR, a convnet trained to
 * convergence did better at the default than at the range test's LR (bench:cifar, 16 epochs, 6 seeds);
 * where it is far (an MLP's 0.02, a bag-of-n-grams model's 0.1), the range test's LR won by 1–1.5 points
 * in runs of 600 iterations — but trained 5× longer it lost 1.2 on the bag-of-n-grams model (bench:suggest
 * `--iterations-scale 5`): a recipe for short runs; for long ones keep the defaults.
 * @packageDocumentation
 */
import { fromTable, positive, satisfies, type TableOf } from '../validate.js';

/** Schedule-Free AdamW's default learning rate (the reference package's; `scheduleFreeAdamW` uses it). */
export const SCHEDULE_FREE_ADAMW_DEFAULT_LR = 0.0025;
/** The multiple of Adam's suggested maxLR that Schedule-Free AdamW trains at when the range test is taken (of 1× and 2×, on bench:suggest's 20 runs). */
export const SCHEDULE_FREE_LR_FACTOR = 2;
/**
 * How far (a ratio, either way) `factor × maxLR` must be from the default before it replaces it: the
 * range test's own spread across seeds (1.0–2.1× on bench:probes' tasks), so a difference the test
 * cannot resolve leaves the default alone.
 */
export const SCHEDULE_FREE_TRUST_RATIO = 2;

/** Options of {@link scheduleFreeLR}. */
export interface ScheduleFreeLROptions {
  /** Multiple of the suggested maxLR; default {@link SCHEDULE_FREE_LR_FACTOR} (2). */
  factor?: number;
  /** The LR kept when the range test's is near it; default {@link SCHEDULE_FREE_ADAMW_DEFAULT_LR} (0.0025). */
  defaultLR?: number;
  /** How many times away (≥ 1) the range test's LR must be to replace the default; default {@link SCHEDULE_FREE_TRUST_RATIO} (2); 1 always takes the range test's. */
  trustRatio?: number;
}

/** What {@link scheduleFreeLR} chose and why. */
export interface ScheduleFreeLRChoice {
  /** The learning rate to give `scheduleFreeAdamW`. */
  learningRate: number;
  /** `'range test'` when `factor × maxLR` is more than `trustRatio` times away from `defaultLR`, else `'default'`. */
  from: 'range test' | 'default';
  /** `factor × maxLR ÷ defaultLR`. */
  ratio: number;
  /** The choice in a sentence (`rangeTest` adds it to the suggestion's notes). */
  why: string;
}

const TABLE: TableOf<Required<ScheduleFreeLROptions>> = {
  factor: { check: positive, otherwise: SCHEDULE_FREE_LR_FACTOR },
  defaultLR: { check: positive, otherwise: SCHEDULE_FREE_ADAMW_DEFAULT_LR },
  trustRatio: { check: satisfies<number>((v) => typeof v === 'number' && Number.isFinite(v) && v >= 1, 'a finite number >= 1'), otherwise: SCHEDULE_FREE_TRUST_RATIO },
};

/**
 * Schedule-Free AdamW's learning rate for a range test's maxLR (a test run with Adam).
 *
 * @example
 * scheduleFreeLR(0.0102); // learningRate 0.0204, from 'range test' (ratio 8.16): an MLP, far from 0.0025
 * scheduleFreeLR(0.0016); // learningRate 0.0025, from 'default' (ratio 1.28): a convnet, near it
 * scheduleFreeLR(0.0016, { trustRatio: 1 }); // learningRate 0.0032, from 'range test': always the range test's
 */
export function scheduleFreeLR(maxLR: number, options: ScheduleFreeLROptions = {}): ScheduleFreeLRChoice {
  positive('scheduleFreeLR', 'maxLR', maxLR);
  const { factor, defaultLR, trustRatio } = fromTable('scheduleFreeLR', options, TABLE);
  const lr = factor * maxLR;
  const ratio = lr / defaultLR;
  const far = ratio > trustRatio || ratio < 1 / trustRatio;
  const away = `${factor} × maxLR = ${lr.toPrecision(3)} is ${ratio >= 1 ? `${ratio.toFixed(2)}×` : `1/${(1 / ratio).toFixed(2)} of`} the default ${defaultLR}`;
  const why = far
    ? `Schedule-Free AdamW at ${lr.toPrecision(3)}: ${away}, further than ${trustRatio}× from it`
    : `Schedule-Free AdamW at its default ${defaultLR}: ${away}, within ${trustRatio}× of it (closer than the range test resolves)`;
  return { learningRate: far ? lr : defaultLR, from: far ? 'range test' : 'default', ratio, why };
}
