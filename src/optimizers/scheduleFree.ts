/**
 * Schedule-Free SGD and AdamW (Defazio, Yang, Mehta, Mishchenko, Khaled, Cutkosky: "The Road Less
 * Scheduled", NeurIPS 2024), as tfjs optimizers.
 *
 * The method keeps three sequences: `z` (the base optimizer's iterates), `x` (their weighted average,
 * where the model is evaluated) and `y = β·x + (1 − β)·z` (where gradients are taken). Per step t
 * (the paper's Algorithm 1, eqs. 1–3, with the choices of the authors' reference implementation
 * `schedulefree` 1.x, which users switching from PyTorch get):
 *
 * - γ_t = lr · min(1, (t + 1) / warmupSteps) (linear warmup; no warmup by default);
 * - SGD: z ← z − γ_t · (g + λ·y); AdamW: v ← β2·v + (1 − β2)·g², z ← z − γ_t · (g / (√(v / (1 − β2^(t+1))) + ε) + λ·y)
 *   (the bias correction inside the root, ε outside, decoupled weight decay λ taken at y);
 * - c_{t+1} = w_t / Σ_{i≤t} w_i with w_t = (t + 1)^r · (max_{i≤t} γ_i)^weightLRPower, and x ← (1 − c)·x + c·z.
 *
 * The model's variables hold `x` between steps and `y` while gradients are taken (see base.ts), so
 * `predict`, `evaluate`, `fit`'s validation and `save` use `x` with no `eval()` call; `train()`/`eval()`
 * exist for code written against PyTorch's API.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { atLeast, inRange, nonNegative, positive, type OptionRule } from '../validate.js';
import { SCHEDULE_FREE_ADAMW_DEFAULT_LR } from '../analysis/scheduleFreeLR.js';
import { LRFreeOptimizer, resolveOptions, type NamedTensor, type OptionTable, type Scalars, type SlotTable, type Slots } from './base.js';

/** Options of {@link scheduleFreeSGD}. */
export interface ScheduleFreeSGDOptions {
  /** Learning rate (default 1.0, the reference package's; its README: 10–50× a classical SGD LR). */
  learningRate?: number;
  /** β, the interpolation between x and z for the gradient point (default 0.9). */
  momentum?: number;
  /** Decoupled weight decay λ, taken at y (default 0). */
  weightDecay?: number;
  /** Steps of linear warmup of the learning rate (default 0). */
  warmupSteps?: number;
  /** Polynomial weighting power r of the average (default 0). */
  r?: number;
  /** Power of the (max so far) LR in the average's weights (default 2). */
  weightLRPower?: number;
}

/** Options of {@link scheduleFreeAdamW}. */
export interface ScheduleFreeAdamWOptions {
  /** Learning rate (default 0.0025, the reference package's). */
  learningRate?: number;
  /** β1, the interpolation between x and z for the gradient point (default 0.9). */
  beta1?: number;
  /** β2 of the second-moment average (default 0.999). */
  beta2?: number;
  /** ε added outside the root (default 1e-8). */
  epsilon?: number;
  /** Decoupled weight decay λ, taken at y (default 0). */
  weightDecay?: number;
  /** Steps of linear warmup of the learning rate (default 0). */
  warmupSteps?: number;
  /** Polynomial weighting power r of the average (default 0). */
  r?: number;
  /** Power of the (max so far) LR in the average's weights (default 2). */
  weightLRPower?: number;
}

/** β, the interpolation between x and z for the gradient point: in (0, 1), default 0.9. */
const beta: OptionRule = { check: (w, o, v) => inRange(w, o, v, 0, 1), otherwise: 0.9 };

/** The options, their checks and defaults (the reference package's): the shared ones around each one's own `own`. */
function table(learningRate: number, own: OptionTable): OptionTable {
  return {
    learningRate: { check: positive, otherwise: learningRate },
    ...own,
    weightDecay: { check: nonNegative, otherwise: 0 },
    warmupSteps: { check: atLeast(0), otherwise: 0 },
    r: { check: nonNegative, otherwise: 0 },
    weightLRPower: { check: nonNegative, otherwise: 2 },
  };
}

const SGD_TABLE = table(1.0, { momentum: beta });
const ADAMW_TABLE = table(SCHEDULE_FREE_ADAMW_DEFAULT_LR, {
  beta1: beta,
  beta2: { check: (w, o, v) => inRange(w, o, v, 0, 1), otherwise: 0.999 },
  epsilon: { check: positive, otherwise: 1e-8 },
});

/** What Schedule-Free SGD and AdamW share: the three sequences and the weighted average. */
abstract class ScheduleFree<R extends Required<ScheduleFreeSGDOptions> | Required<ScheduleFreeAdamWOptions>> extends LRFreeOptimizer<R> {
  /** β, the interpolation between x and z (SGD's `momentum`, AdamW's `beta1`). */
  protected readonly beta: number;
  /** Σ w_i and max γ_i so far, as tensors for getWeights/setWeights (written only when saving). */
  private readonly sums: Scalars;
  /** The same two numbers, on the CPU: what a step uses (no tensor work, no read-back). */
  private weightSum = 0;
  private lrMax = -1;

  protected constructor(options: R, beta: number) {
    super(options);
    this.beta = beta;
    this.sums = { weight_sum: tf.variable(tf.scalar(0), false), lr_max: tf.variable(tf.scalar(-1), false) };
  }

  protected scalars(): Scalars {
    return this.sums;
  }

  protected override hostState(): Record<string, number> {
    return { weightSum: this.weightSum, lrMax: this.lrMax };
  }

  protected override setHostState(state: Record<string, number>): void {
    this.weightSum = state.weightSum;
    this.lrMax = state.lrMax;
  }

  protected twoPoints(): boolean {
    return true;
  }

  protected override gradientPoint(s: Slots): tf.Tensor {
    return tf.add(tf.mul(s.x, this.beta), tf.mul(s.z, 1 - this.beta));
  }

  protected override evaluationPoint(s: Slots): tf.Tensor {
    return s.x;
  }

  /** The step direction before weight decay (SGD: the gradient; AdamW: the normalized gradient). */
  protected abstract direction(gradient: tf.Tensor, s: Slots, step: number): tf.Tensor;

  /** The learning rate γ_t of step `k` (with warmup). */
  scheduledLR(k: number = this.iterations): number {
    return this.learningRate * (k < this.options.warmupSteps ? (k + 1) / this.options.warmupSteps : 1);
  }

  protected step(items: ReadonlyArray<{ variable: tf.Variable; gradient: tf.Tensor; slots: Slots }>, k: number): void {
    const lr = this.scheduledLR(k);
    this.lrMax = Math.max(this.lrMax, lr);
    const weight = (k + 1) ** this.options.r * this.lrMax ** this.options.weightLRPower;
    this.weightSum += weight;
    const c = this.weightSum > 0 ? weight / this.weightSum : 0;
    for (const { variable: y, gradient, slots: s } of items) {
      let d = this.direction(gradient, s, k);
      if (this.options.weightDecay !== 0) d = tf.add(d, tf.mul(y, this.options.weightDecay));
      s.z.assign(tf.sub(s.z, tf.mul(d, lr)));
      s.x.assign(tf.add(tf.mul(s.x, 1 - c), tf.mul(s.z, c)));
      y.assign(s.x);
    }
  }

  /** The state to save, with the average's running sums (kept on the CPU while training, written here). */
  override async getWeights(): Promise<NamedTensor[]> {
    tf.tidy(() => {
      this.sums.weight_sum.assign(tf.scalar(this.weightSum));
      this.sums.lr_max.assign(tf.scalar(this.lrMax));
    });
    return super.getWeights();
  }

  /** Restores a {@link getWeights} result, with the average's running sums. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    await super.setWeights(weightValues);
    this.weightSum = (await this.sums.weight_sum.data())[0];
    this.lrMax = (await this.sums.lr_max.data())[0];
  }
}

/**
 * Schedule-Free SGD (momentum form): no LR schedule, the model evaluated at the average `x`.
 * @example
 * ```ts
 * import { scheduleFreeSGD } from 'tfjs-clr/optimizers';
 * model.compile({ optimizer: scheduleFreeSGD({ learningRate: 0.5 }), loss: 'categoricalCrossentropy' });
 * ```
 */
export class ScheduleFreeSGD extends ScheduleFree<Required<ScheduleFreeSGDOptions>> {
  /** @hidden The options, their checks and defaults (what a saved config may hold; fromConfig reads it). */
  static readonly optionTable = SGD_TABLE;

  /** SGD-like: one step size for all, no per-coordinate scaling. */
  readonly adaptive = false;

  static get className(): string {
    return 'ScheduleFreeSGD';
  }

  constructor(options?: ScheduleFreeSGDOptions) {
    const o = resolveOptions('scheduleFreeSGD', options, SGD_TABLE);
    super(o, o.momentum);
  }

  protected slotTable(): SlotTable {
    return { z: tf.clone, x: tf.clone };
  }

  protected direction(gradient: tf.Tensor): tf.Tensor {
    return gradient;
  }
}

/**
 * Schedule-Free AdamW: Adam's normalization of the gradient, no LR schedule, the model evaluated at
 * the average `x`. Defaults are the reference package's (lr 0.0025, β 0.9/0.999, ε 1e-8).
 * @example
 * ```ts
 * import { scheduleFreeAdamW } from 'tfjs-clr/optimizers';
 * model.compile({ optimizer: scheduleFreeAdamW({ warmupSteps: 100 }), loss: 'categoricalCrossentropy' });
 * ```
 */
export class ScheduleFreeAdamW extends ScheduleFree<Required<ScheduleFreeAdamWOptions>> {
  /** @hidden The options, their checks and defaults (what a saved config may hold; fromConfig reads it). */
  static readonly optionTable = ADAMW_TABLE;

  /** Adam-like: each step is scaled by a running gradient statistic. */
  readonly adaptive = true;

  static get className(): string {
    return 'ScheduleFreeAdamW';
  }

  constructor(options?: ScheduleFreeAdamWOptions) {
    const o = resolveOptions('scheduleFreeAdamW', options, ADAMW_TABLE);
    super(o, o.beta1);
  }

  protected slotTable(): SlotTable {
    return { z: tf.clone, x: tf.clone, v: tf.zerosLike };
  }

  protected direction(gradient: tf.Tensor, s: Slots, k: number): tf.Tensor {
    const v = tf.add(tf.mul(s.v, this.options.beta2), tf.mul(tf.square(gradient), 1 - this.options.beta2));
    s.v.assign(v);
    const corrected = tf.div(v, 1 - this.options.beta2 ** (k + 1));
    return tf.div(gradient, tf.add(tf.sqrt(corrected), this.options.epsilon));
  }
}

tf.serialization.registerClass(ScheduleFreeSGD);
tf.serialization.registerClass(ScheduleFreeAdamW);

/** A {@link ScheduleFreeSGD}: `tf.train`-style factory. */
export function scheduleFreeSGD(options?: ScheduleFreeSGDOptions): ScheduleFreeSGD {
  return new ScheduleFreeSGD(options);
}

/** A {@link ScheduleFreeAdamW}: `tf.train`-style factory. */
export function scheduleFreeAdamW(options?: ScheduleFreeAdamWOptions): ScheduleFreeAdamW {
  return new ScheduleFreeAdamW(options);
}
