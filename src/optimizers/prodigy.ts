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
import { bool, inRange, nonNegative, positive } from '../validate.js';
import { checkOptions, LRFreeOptimizer, type Scalars, type Slots } from './base.js';

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

const KNOWN = ['learningRate', 'beta1', 'beta2', 'beta3', 'epsilon', 'weightDecay', 'decouple', 'useBiasCorrection', 'safeguardWarmup', 'd0', 'dCoef', 'growthRate'];

/**
 * Prodigy: Adam whose learning rate is estimated as it trains.
 * @example
 * ```ts
 * import { prodigy } from 'tfjs-clr/optimizers';
 * model.compile({ optimizer: prodigy(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * ```
 */
export class Prodigy extends LRFreeOptimizer {
  /** The options a saved config may hold. */
  static readonly optionKeys = KNOWN;

  static get className(): string {
    return 'Prodigy';
  }

  private readonly beta1: number;
  private readonly beta2: number;
  private readonly beta3: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private readonly decouple: boolean;
  private readonly useBiasCorrection: boolean;
  private readonly safeguardWarmup: boolean;
  private readonly d0: number;
  private readonly dCoef: number;
  private readonly growthRate: number;
  private readonly estimates: Scalars;

  constructor(options?: ProdigyOptions) {
    const where = 'prodigy';
    const o = checkOptions(where, options, KNOWN);
    super(positive(where, 'learningRate', o.learningRate ?? 1));
    this.beta1 = inRange(where, 'beta1', o.beta1 ?? 0.9, 0, 1, true);
    this.beta2 = inRange(where, 'beta2', o.beta2 ?? 0.999, 0, 1, true);
    this.beta3 = inRange(where, 'beta3', o.beta3 ?? Math.sqrt(this.beta2), 0, 1, true);
    this.epsilon = positive(where, 'epsilon', o.epsilon ?? 1e-8);
    this.weightDecay = nonNegative(where, 'weightDecay', o.weightDecay ?? 0);
    this.decouple = bool(where, 'decouple', o.decouple ?? true);
    this.useBiasCorrection = bool(where, 'useBiasCorrection', o.useBiasCorrection ?? false);
    this.safeguardWarmup = bool(where, 'safeguardWarmup', o.safeguardWarmup ?? false);
    this.d0 = positive(where, 'd0', o.d0 ?? 1e-6);
    this.dCoef = positive(where, 'dCoef', o.dCoef ?? 1);
    const growth = o.growthRate ?? Infinity;
    if (typeof growth !== 'number' || !(growth >= 1)) throw new Error(`${where}: growthRate must be a number >= 1 (Infinity for no limit), got ${String(growth)}`);
    this.growthRate = growth;
    this.estimates = {
      d: tf.variable(tf.scalar(this.d0), false),
      d_max: tf.variable(tf.scalar(this.d0), false),
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

  protected slotNames(): readonly string[] {
    return this.beta1 > 0 ? ['p0', 's', 'm', 'v'] : ['p0', 's', 'v'];
  }

  protected initialSlots(value: tf.Tensor): Record<string, tf.Tensor> {
    const zeros = () => tf.zerosLike(value);
    return this.beta1 > 0 ? { p0: tf.clone(value), s: zeros(), m: zeros(), v: zeros() } : { p0: tf.clone(value), s: zeros(), v: zeros() };
  }

  protected twoPoints(): boolean {
    return false;
  }

  protected step(items: ReadonlyArray<{ variable: tf.Variable; gradient: tf.Tensor; slots: Slots }>, k: number): void {
    const { d, d_max: dMax, d_numerator: numerator } = this.estimates;
    const correction = this.useBiasCorrection ? Math.sqrt(1 - this.beta2 ** (k + 1)) / (1 - this.beta1 ** (k + 1)) : 1;
    const dlr = tf.mul(d, this.learningRate * correction);
    const scale = tf.mul(tf.div(d, this.d0), dlr); // (d/d0) · dlr
    const sScale = this.safeguardWarmup ? tf.mul(tf.div(d, this.d0), d) : scale;
    let delta: tf.Tensor = tf.scalar(0);
    let sNorm: tf.Tensor = tf.scalar(0);
    const grads = items.map(({ variable: x, gradient, slots: st }) => {
      const g = this.weightDecay !== 0 && !this.decouple ? tf.add(gradient, tf.mul(x, this.weightDecay)) : gradient;
      delta = tf.add(delta, tf.mul(scale, tf.sum(tf.mul(g, tf.sub(st.p0, x)))));
      if (this.beta1 > 0) st.m.assign(tf.add(tf.mul(st.m, this.beta1), tf.mul(g, tf.mul(d, 1 - this.beta1))));
      st.v.assign(tf.add(tf.mul(st.v, this.beta2), tf.mul(tf.square(g), tf.mul(tf.square(d), 1 - this.beta2))));
      st.s.assign(tf.add(tf.mul(st.s, this.beta3), tf.mul(g, sScale)));
      sNorm = tf.add(sNorm, tf.sum(tf.abs(st.s)));
      return g;
    });
    const r = tf.add(tf.mul(numerator, this.beta3), delta);
    // No gradient at all so far (‖s‖₁ = 0): keep d, as the package does by skipping the step.
    const dHat = tf.where(tf.greater(sNorm, 0), tf.div(tf.mul(r, this.dCoef), tf.maximum(sNorm, 1e-30)), d);
    const atStart = tf.equal(d, this.d0);
    const grown = tf.where(atStart, tf.maximum(d, dHat), d);
    const newMax = tf.maximum(dMax, dHat);
    const newD = Number.isFinite(this.growthRate) ? tf.minimum(newMax, tf.mul(grown, this.growthRate)) : newMax;
    items.forEach(({ variable: x, slots: st }, i) => {
      let value: tf.Tensor = x;
      if (this.weightDecay !== 0 && this.decouple) value = tf.sub(value, tf.mul(value, tf.mul(dlr, this.weightDecay)));
      const denom = tf.add(tf.sqrt(st.v), tf.mul(newD, this.epsilon));
      const update = this.beta1 > 0 ? tf.mul(tf.div(st.m, denom), dlr) : tf.mul(tf.div(grads[i], denom), tf.mul(dlr, d));
      x.assign(tf.sub(value, update));
    });
    numerator.assign(r);
    dMax.assign(newMax);
    d.assign(newD);
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      beta3: this.beta3,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
      decouple: this.decouple,
      useBiasCorrection: this.useBiasCorrection,
      safeguardWarmup: this.safeguardWarmup,
      d0: this.d0,
      dCoef: this.dCoef,
      // JSON has no Infinity: null stands for "no limit".
      growthRate: Number.isFinite(this.growthRate) ? this.growthRate : null,
    };
  }

}

tf.serialization.registerClass(Prodigy);

/** A {@link Prodigy}: `tf.train`-style factory. */
export function prodigy(options?: ProdigyOptions): Prodigy {
  return new Prodigy(options);
}
