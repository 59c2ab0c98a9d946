/**
 * Prodigy (Mishchenko & Defazio: "Prodigy: An Expeditiously Adaptive Parameter-Free Learner",
 * ICML 2024), the Adam version, as a tfjs optimizer.
 *
 * It estimates the distance to the solution, d, and steps Adam with learning rate d · lr (lr is a
 * multiplier, 1 by default). Per step k, with g the gradient, x0 the initial weights and all sums
 * over every variable (the paper's Algorithm 3, "Prodigy (Adam version)", with the choices of the
 * authors' package `prodigyopt` 1.x):
 *
 * - dlr = d_k · lr · (useBiasCorrection ? √(1 − β2^(k+1)) / (1 − β1^(k+1)) : 1);
 * - m ← β1·m + (1 − β1)·d_k·g;  v ← β2·v + (1 − β2)·d_k²·g²;
 * - r ← β3·r + (d_k/d0)·dlr·⟨g, x0 − x⟩;  s ← β3·s + (d_k/d0)·dlr·g   (β3 = √β2 by default; the
 *   paper's (1 − β3) factor and the package's d/d0 scaling cancel in the ratio below);
 * - d̂ = dCoef · r / ‖s‖₁;  d_{k+1} = min(max(d_max, d̂), d_k · growthRate) with d_max the largest d̂ so far;
 * - x ← x − dlr·λ·x (decoupled weight decay), then x ← x − dlr · m / (√v + d_{k+1}·ε)
 *   (with β1 = 0, m = d_k·g as in the paper: x ← x − dlr · d_k · g / (√v + d_{k+1}·ε); `prodigyopt` 1.x
 *   multiplies by d_{k+1} there, which differs in the steps where d grows).
 *
 * d, its running maximum and r stay on the device: a step reads nothing back. {@link Prodigy.estimate}
 * reads d (for logging).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { bool, inRange, nonNegative, positive, satisfies, type OptionRule } from '../validate.js';
import { LRFreeOptimizer, resolveOptions, type OptionTable, type Scalars, type SlotTable, type Slots } from './base.js';

/** Options of {@link prodigy}; defaults are `prodigyopt`'s. */
export interface ProdigyOptions {
  /** Multiplier of the estimated step d (default 1; "leave it at 1 unless you encounter instability"). */
  learningRate?: number;
  /** β1 (default 0.9; 0 turns the first moment off). */
  beta1?: number;
  /** β2 (default 0.999). */
  beta2?: number;
  /** β3 of the d estimate's running sums (default √β2). */
  beta3?: number;
  /** ε, scaled by d, added to the root (default 1e-8). */
  epsilon?: number;
  /** Weight decay λ (default 0). */
  weightDecay?: number;
  /** AdamW-style decoupled weight decay (default true); false adds λ·x to the gradient. */
  decouple?: boolean;
  /** Adam's bias correction in the step (default false). */
  useBiasCorrection?: boolean;
  /** Leave lr out of the s sum, against overestimates during a warmup (default false). */
  safeguardWarmup?: boolean;
  /** The initial estimate d0 (default 1e-6). */
  d0?: number;
  /** Multiplier of the estimate d̂ (default 1; "the preferred way to tune the method"). */
  dCoef?: number;
  /** The largest factor d may grow by in one step (default Infinity). */
  growthRate?: number;
}

const beta: OptionRule['check'] = (w, o, v) => inRange(w, o, v, 0, 1, true);
/** The options, their checks and defaults (the authors' package's). */
const TABLE: OptionTable = {
  learningRate: { check: positive, otherwise: 1 },
  beta1: { check: beta, otherwise: 0.9 },
  beta2: { check: beta, otherwise: 0.999 },
  beta3: { check: beta }, // default √beta2, set in the constructor
  epsilon: { check: positive, otherwise: 1e-8 },
  weightDecay: { check: nonNegative, otherwise: 0 },
  decouple: { check: bool, otherwise: true },
  useBiasCorrection: { check: bool, otherwise: false },
  safeguardWarmup: { check: bool, otherwise: false },
  d0: { check: positive, otherwise: 1e-6 },
  dCoef: { check: positive, otherwise: 1 },
  growthRate: { check: satisfies((v) => typeof v === 'number' && v >= 1, 'a number >= 1 (Infinity for no limit)'), otherwise: Infinity },
};

/**
 * Prodigy: Adam whose learning rate is estimated as it trains.
 * @example
 * ```ts
 * import { prodigy } from 'tfjs-clr/optimizers';
 * model.compile({ optimizer: prodigy(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * ```
 */
export class Prodigy extends LRFreeOptimizer<Required<ProdigyOptions>> {
  /** @hidden The options, their checks and defaults (what a saved config may hold; fromConfig reads it). */
  static readonly optionTable = TABLE;

  /** Adam-like: each step is scaled by a running gradient statistic. */
  readonly adaptive = true;

  static get className(): string {
    return 'Prodigy';
  }

  private readonly estimates: Scalars;

  constructor(options?: ProdigyOptions) {
    const o = resolveOptions('prodigy', options, TABLE);
    o.beta3 ??= Math.sqrt(o.beta2);
    super(o);
    this.estimates = {
      d: tf.variable(tf.scalar(this.options.d0), false),
      d_max: tf.variable(tf.scalar(this.options.d0), false),
      d_numerator: tf.variable(tf.scalar(0), false),
    };
  }

  /** The current estimate d (the step is d · learningRate); reads it from the device. */
  async estimate(): Promise<number> {
    return (await this.estimates.d.data())[0];
  }

  protected scalars(): Scalars {
    return this.estimates;
  }

  protected slotTable(): SlotTable {
    return this.options.beta1 > 0 ? { p0: tf.clone, s: tf.zerosLike, m: tf.zerosLike, v: tf.zerosLike } : { p0: tf.clone, s: tf.zerosLike, v: tf.zerosLike };
  }

  protected twoPoints(): boolean {
    return false;
  }

  protected step(items: ReadonlyArray<{ variable: tf.Variable; gradient: tf.Tensor; slots: Slots }>, k: number): void {
    const { d, d_max: dMax, d_numerator: numerator } = this.estimates;
    const correction = this.options.useBiasCorrection ? Math.sqrt(1 - this.options.beta2 ** (k + 1)) / (1 - this.options.beta1 ** (k + 1)) : 1;
    const dlr = tf.mul(d, this.learningRate * correction);
    const scale = tf.mul(tf.div(d, this.options.d0), dlr); // (d/d0) · dlr
    const sScale = this.options.safeguardWarmup ? tf.mul(tf.div(d, this.options.d0), d) : scale;
    let delta: tf.Tensor = tf.scalar(0);
    let sNorm: tf.Tensor = tf.scalar(0);
    const grads = items.map(({ variable: x, gradient, slots: st }) => {
      const g = this.options.weightDecay !== 0 && !this.options.decouple ? tf.add(gradient, tf.mul(x, this.options.weightDecay)) : gradient;
      delta = tf.add(delta, tf.mul(scale, tf.sum(tf.mul(g, tf.sub(st.p0, x)))));
      if (this.options.beta1 > 0) st.m.assign(tf.add(tf.mul(st.m, this.options.beta1), tf.mul(g, tf.mul(d, 1 - this.options.beta1))));
      st.v.assign(tf.add(tf.mul(st.v, this.options.beta2), tf.mul(tf.square(g), tf.mul(tf.square(d), 1 - this.options.beta2))));
      st.s.assign(tf.add(tf.mul(st.s, this.options.beta3), tf.mul(g, sScale)));
      sNorm = tf.add(sNorm, tf.sum(tf.abs(st.s)));
      return g;
    });
    const r = tf.add(tf.mul(numerator, this.options.beta3), delta);
    // No gradient at all so far (‖s‖₁ = 0): keep d, as the package does by skipping the step.
    const dHat = tf.where(tf.greater(sNorm, 0), tf.div(tf.mul(r, this.options.dCoef), tf.maximum(sNorm, 1e-30)), d);
    const atStart = tf.equal(d, this.options.d0);
    const grown = tf.where(atStart, tf.maximum(d, dHat), d);
    const newMax = tf.maximum(dMax, dHat);
    const newD = Number.isFinite(this.options.growthRate) ? tf.minimum(newMax, tf.mul(grown, this.options.growthRate)) : newMax;
    items.forEach(({ variable: x, slots: st }, i) => {
      let value: tf.Tensor = x;
      if (this.options.weightDecay !== 0 && this.options.decouple) value = tf.sub(value, tf.mul(value, tf.mul(dlr, this.options.weightDecay)));
      const denom = tf.add(tf.sqrt(st.v), tf.mul(newD, this.options.epsilon));
      const update = this.options.beta1 > 0 ? tf.mul(tf.div(st.m, denom), dlr) : tf.mul(tf.div(grads[i], denom), tf.mul(dlr, d));
      x.assign(tf.sub(value, update));
    });
    numerator.assign(r);
    dMax.assign(newMax);
    d.assign(newD);
  }
}

tf.serialization.registerClass(Prodigy);

/** A {@link Prodigy}: `tf.train`-style factory. */
export function prodigy(options?: ProdigyOptions): Prodigy {
  return new Prodigy(options);
}
