/**
 * The Schedule-Free optimizers' settings from a range test. Schedule-Free SGD (a test run with Momentum
 * SGD): 15 × the suggested maxLR (20× from 1,500 training steps; 10× where the test found the model near
 * its edge, {@link trainingEdge}) with a warmup over 10 % of training ({@link scheduleFreeSGDSettings}).
 * Schedule-Free AdamW's learning rate from a range test run with Adam: the optimizer's default, unless
 * the range test says the model's right LR is far from it — and then never more than 8× away. The range
 * test's answer moves up to ~2× between seeds (bench:probes), and where the default is already near the
 * right LR, a convnet trained to convergence did better at the default than at the range test's LR
 * (bench:cifar, 16 epochs, 6 seeds); where it is far (an MLP's 0.02, a bag-of-n-grams model's 0.1), the
 * range test's LR won by 1–1.5 points in runs of 600 iterations, but trained 5× longer 45–53× the default
 * lost 1.2 on the bag-of-n-grams model. Held to 8× the default, the recipe is above the defaults on the
 * mean over bench:suggest's 4 tasks at both budgets (+0.91 at 300–600 iterations, +0.05 at 5×; −0.20 on
 * the bag-of-n-grams model at 5×). Given the training length, both warm up over its first 10 %.
 * @packageDocumentation
 */
import { fail, fromTable, integerAtLeast, positive, satisfies, type TableOf } from '../validate.js';
import type { RangeCurve } from './curve.js';

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
/**
 * The farthest (a ratio, either way) the range test may move Schedule-Free AdamW's LR from the default:
 * the largest multiple of the default (of 2, 4, 8, 16×) that trained on all of bench:suggest's MLP tasks
 * at both budgets measured (16× diverged on Fashion-MNIST on every seed and lost 0.6 on MNIST at 600
 * iterations); on the bag-of-n-grams model, where the range test reads 45–53×, 8× kept 1.7 of the 1.8
 * points gained at 600 iterations and lost 0.2 (instead of 1.2) at 3,000. Held to 4× instead on 7 held-out
 * tasks at 3,000 steps (warmed up, 70 runs): 0.05 points lower [−0.12, +0.02] for a spread across seeds
 * only a little narrower (σ pooled over the tasks 0.31 against 0.33; the defaults' 0.31, which the 8× recipe's
 * σ does not measurably exceed: 1.09× [0.86, 1.38]).
 */
export const SCHEDULE_FREE_MAX_RATIO = 8;

/**
 * The fraction of training Schedule-Free AdamW warms its LR up over in `rangeTest`'s `scheduleFreeAdamWOptions`
 * (given `trainingSteps`), as Schedule-Free SGD's ({@link SCHEDULE_FREE_SGD_WARMUP}); the optimizer's own default
 * is no warmup, while its authors warm it up in every experiment. On bench:suggest's 4 tasks × 10 seeds (300–600
 * iterations) the recipe scored 80.73 % with it against 80.43 without (the CIFAR-10 convnet 54.28 against 53.17,
 * above on every seed), and 78.02 against 77.67 % at 16 epochs of CIFAR-10 (seeds 4–6). At 16 epochs 5 % and 20 % both
 * ended below it (paired over seeds 4–11: −0.38 [−0.63, −0.12] and −0.21 [−0.43, +0.02]) and no higher than no
 * warmup; 5 % lags the defaults less early on (−0.5 points at 500 of 8,000 iterations instead of −3.7). At 300–3,000
 * steps (bench:suggest's 4 tasks, 1×, 2× and 5× the budget) the fraction hardly matters: 5 %, 10 % and 20 % end within
 * 0.15 points of each other on the mean, every paired interval against 10 % spanning zero.
 */
export const SCHEDULE_FREE_ADAMW_WARMUP = 0.1;

/** Warmup steps over the fraction `warmup` of `trainingSteps`, rounded: both Schedule-Free recipes' (internal; not exported from the package). */
export const warmupStepsOf = (warmup: number, trainingSteps: number): number => Math.round(warmup * trainingSteps);

/** Options for `scheduleFreeAdamW(...)` that `rangeTest` returns as `scheduleFreeAdamWOptions`. */
export interface ScheduleFreeAdamWSettings {
  /** From {@link scheduleFreeLR}. */
  learningRate: number;
  /** {@link SCHEDULE_FREE_ADAMW_WARMUP} of the training steps, rounded; absent when `trainingSteps` was not given. */
  warmupSteps?: number;
}

/** Options of {@link scheduleFreeLR}. */
export interface ScheduleFreeLROptions {
  /** Multiple of the suggested maxLR; default {@link SCHEDULE_FREE_LR_FACTOR} (2). */
  factor?: number;
  /** The LR kept when the range test's is near it; default {@link SCHEDULE_FREE_ADAMW_DEFAULT_LR} (0.0025). */
  defaultLR?: number;
  /** How many times away (≥ 1) the range test's LR must be to replace the default; default {@link SCHEDULE_FREE_TRUST_RATIO} (2); 1 always takes the range test's. */
  trustRatio?: number;
  /** The farthest (≥ `trustRatio`) the LR may go from the default, either way; default {@link SCHEDULE_FREE_MAX_RATIO} (8); `Infinity` for no ceiling. */
  maxRatio?: number;
}

/** What {@link scheduleFreeLR} chose and why. */
export interface ScheduleFreeLRChoice {
  /** The learning rate to give `scheduleFreeAdamW`. */
  learningRate: number;
  /**
   * `'range test'` when `factor × maxLR` is more than `trustRatio` times away from `defaultLR`;
   * `'ceiling'` when it is also more than `maxRatio` times away (then `defaultLR × maxRatio`, or ÷);
   * else `'default'`.
   */
  from: 'range test' | 'ceiling' | 'default';
  /** `factor × maxLR ÷ defaultLR`. */
  ratio: number;
  /** The choice in a sentence (`rangeTest` adds it to the suggestion's notes). */
  why: string;
}

const TABLE: TableOf<Required<ScheduleFreeLROptions>> = {
  factor: { check: positive, otherwise: SCHEDULE_FREE_LR_FACTOR },
  defaultLR: { check: positive, otherwise: SCHEDULE_FREE_ADAMW_DEFAULT_LR },
  trustRatio: { check: satisfies<number>((v) => typeof v === 'number' && Number.isFinite(v) && v >= 1, 'a finite number >= 1'), otherwise: SCHEDULE_FREE_TRUST_RATIO },
  maxRatio: { check: satisfies<number>((v) => typeof v === 'number' && v >= 1, 'a number >= 1 (Infinity: no ceiling)'), otherwise: SCHEDULE_FREE_MAX_RATIO },
};

/**
 * Schedule-Free AdamW's learning rate for a range test's maxLR (a test run with Adam).
 *
 * @example
 * scheduleFreeLR(0.0085); // learningRate 0.017, from 'range test' (ratio 6.8): an MLP, far from 0.0025
 * scheduleFreeLR(0.0016); // learningRate 0.0025, from 'default' (ratio 1.28): a convnet, near it
 * scheduleFreeLR(0.055);  // learningRate 0.02, from 'ceiling' (ratio 44): a bag-of-n-grams model, held to 8× the default
 * scheduleFreeLR(0.0016, { trustRatio: 1 }); // learningRate 0.0032, from 'range test': always the range test's
 */
export function scheduleFreeLR(maxLR: number, options: ScheduleFreeLROptions = {}): ScheduleFreeLRChoice {
  positive('scheduleFreeLR', 'maxLR', maxLR);
  const { factor, defaultLR, trustRatio, maxRatio } = fromTable('scheduleFreeLR', options, TABLE);
  if (maxRatio < trustRatio) fail('scheduleFreeLR', 'maxRatio', `>= trustRatio (${trustRatio})`, maxRatio);
  const lr = factor * maxLR;
  const ratio = lr / defaultLR;
  const within = (r: number) => ratio <= r && ratio >= 1 / r;
  const times = (r: number) => (r >= 1 ? `${r.toFixed(2)}×` : `1/${(1 / r).toFixed(2)} of`);
  const away = `${factor} × maxLR = ${lr.toPrecision(3)} is ${times(ratio)} the default ${defaultLR}`;
  if (within(trustRatio)) {
    const why = `Schedule-Free AdamW at its default ${defaultLR}: ${away}, within ${trustRatio}× of it (closer than the range test resolves)`;
    return { learningRate: defaultLR, from: 'default', ratio, why };
  }
  if (within(maxRatio)) {
    return { learningRate: lr, from: 'range test', ratio, why: `Schedule-Free AdamW at ${lr.toPrecision(3)}: ${away}, further than ${trustRatio}× from it` };
  }
  const held = ratio > 1 ? defaultLR * maxRatio : defaultLR / maxRatio;
  const why = `Schedule-Free AdamW at ${held.toPrecision(3)}: ${away}, held to ${maxRatio}× ${ratio > 1 ? 'above' : 'below'} it (a larger move cost accuracy in longer runs)`;
  return { learningRate: held, from: 'ceiling', ratio, why };
}

/**
 * The multiple of Momentum SGD's (momentum 0.9) suggested maxLR that Schedule-Free SGD trains at in runs shorter
 * than {@link SCHEDULE_FREE_SGD_LONG_RUN} steps, unless the range test found the model near its edge
 * ({@link trainingEdge}): its steps have no momentum's 1 / (1 − 0.9) = 10× gain, and its authors advise "10x-50x
 * larger than classical rates". On bench:suggest's study (4 tasks × 5 seeds, 300–600 steps) 15× had the best
 * mean of 5 / 10 / 15 / 20× (79.64 % against 10×'s 79.45); where it lost most, the test had found the edge
 * (held-out word lists: 15× fell to 19.6–80.7 % on 3 of 5 seeds, 10× kept 86.0 on every one).
 */
export const SCHEDULE_FREE_SGD_LR_FACTOR = 15;
/**
 * The multiple for runs of {@link SCHEDULE_FREE_SGD_LONG_RUN} steps or more, away from the edge: the best
 * multiple grows with the training length (the warmup, 10 % of it, lasts more steps). At 1,500–3,000 steps 20×
 * had bench:suggest's best Momentum mean (83.77 %; 10× 83.32), and 16 epochs of CIFAR-10 (8,000 steps, seeds 4–6)
 * reached 77.95 % against 10×'s 76.92.
 */
export const SCHEDULE_FREE_SGD_LONG_RUN_FACTOR = 20;
/** The training length (steps) from which Schedule-Free SGD takes {@link SCHEDULE_FREE_SGD_LONG_RUN_FACTOR}. */
export const SCHEDULE_FREE_SGD_LONG_RUN = 1500;
/**
 * The multiple where the range test found the model near its edge ({@link trainingEdge}), whatever the length:
 * momentum's own gain, 1 / (1 − 0.9). On the word-list models of bench:suggest, where the test broke close above
 * maxLR, 15× or 20× diverged on some seeds at 600 steps; at 3,000 steps 10× was ahead on the edge seeds of 5 of 7
 * tasks (the study's word lists 87.78 % against 20×'s 87.14; the largest loss a held-out word-list MLP's, 90.59
 * against 90.97). 10× of the library's reading never diverged on any task, but it can sit near a cliff: on a held-out
 * word-list seed at 600 steps Schedule-Free SGD trains at 6.14 and diverged at 5.09 and 7.64 (from another reading of
 * the same test). 7× gives no more margin for free: over the 32 near-edge seeds of 7 tasks at 600 steps it trained
 * as well on the mean (90.80 % against 10×'s 90.82) but moved accuracy from the image models (MNIST and
 * Fashion-MNIST MLPs −0.6 / −0.5, Fashion-MNIST convnet −0.9, MNIST convnet −0.07) to the text ones (word lists
 * +0.05, character convnet +0.33).
 */
export const SCHEDULE_FREE_SGD_NEAR_EDGE_FACTOR = 10;
/**
 * Near the edge when the zero-config test's probes (their mean curve) broke below this multiple of maxLR: they
 * broke at 3–7× on the word-list models, where larger multiples lost or diverged, and at 8–34× on the study's image
 * models (20× or more on 9 of 15 seeds), where they gained. Any threshold from 5 to 15 gave the same means within
 * 0.1 on the study and the held-out tasks; 8 is their middle. It also fires on a cliff: on a LeNet-style convnet on
 * MNIST the probes' loss fell steeply up to 1.5–3.1 × maxLR and then blew up within a step (no floor before it), yet
 * the warmed-up Schedule-Free SGD trained at 15× and 20×, and 10× cost 0.36 there at 600 steps. The sweep's condition
 * alone would have taken 15× there, but diverged on a held-out word-list seed whose sweep never broke (89.15 % over
 * those tasks against 90.03).
 */
export const SCHEDULE_FREE_SGD_PROBE_EDGE = 8;
/**
 * Near the edge when the linear sweep broke below this multiple of maxLR (the suggestion then caps maxLR at half
 * that LR): it broke at 2× on 14 of the 20 seeds of four word-list MLPs (the other six never broke), at 3.7–16× on
 * the image models where it broke.
 */
export const SCHEDULE_FREE_SGD_SWEEP_EDGE = 3;

/** What {@link trainingEdge} read from a range test. */
export interface TrainingEdge {
  /** Where the zero-config test's probes (their mean curve) broke, over maxLR; `Infinity` if they never did or there were none. */
  probe: number;
  /** Where the linear sweep (the curve itself) broke, over maxLR; `Infinity` if it never did. */
  sweep: number;
  /** `probe` below {@link SCHEDULE_FREE_SGD_PROBE_EDGE} (8) or `sweep` below {@link SCHEDULE_FREE_SGD_SWEEP_EDGE} (3). */
  nearEdge: boolean;
}

/** The LR of a curve at `stoppedAt` (where it diverged or met a non-finite loss), over maxLR; Infinity if it never broke. */
function brokeAt(curve: RangeCurve, maxLR: number): number {
  const at = curve.stoppedAt;
  if (at == null || curve.lr.length === 0) return Infinity;
  return curve.lr[Math.min(at, curve.lr.length - 1)] / maxLR;
}

/**
 * How close above `maxLR` a range test's training broke (diverged or met a non-finite loss): in the zero-config
 * test's probes and in its linear sweep (an explicit sweep has only the latter), as multiples of maxLR.
 *
 * @example
 * trainingEdge({ lr: [0.02, 0.04], stoppedAt: null, probe: { lr: [0.001, 0.01, 0.1, 1, 10], stoppedAt: 3 } }, 0.05);
 * // { probe: 20, sweep: Infinity, nearEdge: false }: the probes broke at LR 1
 * trainingEdge({ lr: [0.05, 0.1, 0.15], stoppedAt: 2, probe: { lr: [0.001, 0.01, 0.1, 1, 10], stoppedAt: 4 } }, 0.075);
 * // { probe: 133.3…, sweep: 2, nearEdge: true }: the sweep broke at LR 0.15
 */
export function trainingEdge(curve: RangeCurve, maxLR: number): TrainingEdge {
  positive('trainingEdge', 'maxLR', maxLR);
  const probe = curve.probe ? brokeAt(curve.probe, maxLR) : Infinity;
  const sweep = brokeAt(curve, maxLR);
  return { probe, sweep, nearEdge: probe < SCHEDULE_FREE_SGD_PROBE_EDGE || sweep < SCHEDULE_FREE_SGD_SWEEP_EDGE };
}

/**
 * Schedule-Free SGD's multiple of Momentum SGD's suggested maxLR for a run of `trainingSteps` steps:
 * {@link SCHEDULE_FREE_SGD_NEAR_EDGE_FACTOR} (10) when the range test found the model `nearEdge`
 * ({@link trainingEdge}); else {@link SCHEDULE_FREE_SGD_LR_FACTOR} (15) below {@link SCHEDULE_FREE_SGD_LONG_RUN}
 * (1,500) steps and {@link SCHEDULE_FREE_SGD_LONG_RUN_FACTOR} (20) from there.
 *
 * @example
 * scheduleFreeSGDFactor(600, false);  // 15: an MLP trained for 600 batches
 * scheduleFreeSGDFactor(8000, false); // 20: the CIFAR-10 convnet, 16 epochs of 500 batches
 * scheduleFreeSGDFactor(3000, true);  // 10: a bag-of-n-grams model whose range test broke close above maxLR
 */
export function scheduleFreeSGDFactor(trainingSteps: number, nearEdge: boolean): number {
  integerAtLeast('scheduleFreeSGDFactor', 'trainingSteps', trainingSteps, 1);
  if (typeof nearEdge !== 'boolean') fail('scheduleFreeSGDFactor', 'nearEdge', 'a boolean (trainingEdge(result, maxLR).nearEdge)', nearEdge);
  if (nearEdge) return SCHEDULE_FREE_SGD_NEAR_EDGE_FACTOR;
  return trainingSteps < SCHEDULE_FREE_SGD_LONG_RUN ? SCHEDULE_FREE_SGD_LR_FACTOR : SCHEDULE_FREE_SGD_LONG_RUN_FACTOR;
}

/**
 * Schedule-Free SGD's linear warmup, as a fraction of the training steps: at 5 % one held-out seed
 * diverged (19.80 %, its range test read 1.7× the other seeds'); at 10 % it trained (86.18 %) and the
 * study's mean was unchanged (79.45 against 79.42 %).
 */
export const SCHEDULE_FREE_SGD_WARMUP = 0.1;

/** Options of {@link scheduleFreeSGDSettings}. */
export interface ScheduleFreeSGDSettingsOptions {
  /** Multiple of the suggested maxLR; default {@link scheduleFreeSGDFactor} of `trainingSteps` and `nearEdge` (10, 15 or 20). */
  factor?: number;
  /**
   * Whether the range test found the model near its edge ({@link trainingEdge}`(result, maxLR).nearEdge`;
   * `rangeTest` passes it); true takes 10 ×. Required unless `factor` is given: the larger multiples diverged
   * on models whose test broke close above maxLR.
   */
  nearEdge?: boolean;
  /** Warmup as a fraction of `trainingSteps`, in [0, 1); default {@link SCHEDULE_FREE_SGD_WARMUP} (0.1). */
  warmup?: number;
}

/** Options for `scheduleFreeSGD(...)` (`tfjs-clr/optimizers`). */
export interface ScheduleFreeSGDSettings {
  learningRate: number;
  warmupSteps: number;
}

const SGD_TABLE: TableOf<{ factor: number | undefined; warmup: number; nearEdge: boolean | undefined }> = {
  factor: { check: positive },
  nearEdge: { check: satisfies<boolean>((v) => typeof v === 'boolean', 'a boolean (trainingEdge(result, maxLR).nearEdge)') },
  warmup: { check: satisfies<number>((v) => typeof v === 'number' && v >= 0 && v < 1, 'a fraction in [0, 1)'), otherwise: SCHEDULE_FREE_SGD_WARMUP },
};

/**
 * Schedule-Free SGD's learning rate and warmup from a range test run with Momentum SGD (momentum 0.9):
 * `factor × maxLR` ({@link scheduleFreeSGDFactor} of the run's length and `nearEdge` unless given), warmed up
 * linearly over `warmup` of the `trainingSteps` you will train for (batches, all epochs together).
 *
 * @example
 * scheduleFreeSGDSettings(0.0148, 8000, { nearEdge: false }); // { learningRate: 0.296, warmupSteps: 800 }: the CIFAR-10 convnet, 16 epochs of 500 batches (20×)
 * scheduleFreeSGDSettings(0.115, 600, { nearEdge: false });   // { learningRate: 1.725, warmupSteps: 60 }: an MLP, 600 batches (15×)
 * scheduleFreeSGDSettings(0.77, 600, { nearEdge: true });     // { learningRate: 7.7, warmupSteps: 60 }: a bag-of-n-grams model near its edge (10×)
 * scheduleFreeSGDSettings(0.115, 600, { factor: 5, warmup: 0.05 }); // { learningRate: 0.575, warmupSteps: 30 }
 */
export function scheduleFreeSGDSettings(maxLR: number, trainingSteps: number, options: ScheduleFreeSGDSettingsOptions = {}): ScheduleFreeSGDSettings {
  positive('scheduleFreeSGDSettings', 'maxLR', maxLR);
  integerAtLeast('scheduleFreeSGDSettings', 'trainingSteps', trainingSteps, 1);
  const { factor, warmup, nearEdge } = fromTable('scheduleFreeSGDSettings', options, SGD_TABLE);
  if (factor === undefined && nearEdge === undefined) fail('scheduleFreeSGDSettings', 'nearEdge', 'given (trainingEdge(result, maxLR).nearEdge) unless factor is', nearEdge);
  return { learningRate: (factor ?? scheduleFreeSGDFactor(trainingSteps, nearEdge as boolean)) * maxLR, warmupSteps: warmupStepsOf(warmup, trainingSteps) };
}
