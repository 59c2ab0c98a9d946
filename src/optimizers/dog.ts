/**
 * DoG, "Distance over Gradients" (Ivgi, Hinder, Carmon: "DoG is SGD's Best Friend: A Parameter-Free
 * Dynamic Step Size Schedule", ICML 2023), as a tfjs optimizer, with the polynomial-decay iterate
 * averaging the paper evaluates it with (on by default: the paper's and the authors' package's advice).
 *
 * SGD with step η_t = lr · r̄_t / √(G_t) (the paper's eq. 1 and Algorithm 1, as in the authors' `dog`
 * package 1.0): r̄_0 = repsRel · (1 + ‖x_0‖), r̄_t = max(r̄_{t−1}, ‖x_t − x_0‖), G_t = Σ_{i≤t} ‖g_i‖² (+ ε
 * once), x_{t+1} = x_t − η_t · g_t, where g includes λ·x_t for weight decay λ; norms over all variables
 * together (DoG) or per variable (`layerwise: true`, L-DoG). The average (the paper's §4.2, Shamir &
 * Zhang 2013): x̄_t = (1 − w)·x̄_{t−1} + w·x_t with w = (γ + 1)/(t + γ), γ = 8; the model is evaluated
 * at x̄ (held by its variables between steps, see base.ts) and gradients are taken at x_t.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { bool, nonNegative, positive, satisfies } from '../validate.js';
import { LRFreeOptimizer, resolveOptions, type OptionTable, type Scalars, type SlotTable, type Slots } from './base.js';

/** Options of {@link dog}; defaults are the paper's. */
export interface DoGOptions {
  /** Multiplier c of the step (default 1; the authors advise against changing it). */
  learningRate?: number;
  /** r_ε relative to 1 + ‖x_0‖: the first step's distance (default 1e-6; the authors: 1e-4 with batch norm). */
  repsRel?: number;
  /** L2 weight decay λ added to the gradient (default 0). */
  weightDecay?: number;
  /** ε added to the sum of squared gradient norms (default 1e-8). */
  epsilon?: number;
  /** L-DoG: one step size per variable (default false: one for all). */
  layerwise?: boolean;
  /** γ of the polynomial-decay average the model is evaluated at (default 8); false: no averaging. */
  averaging?: number | false;
}

/** The options, their checks and defaults (the paper's). */
const TABLE: OptionTable = {
  learningRate: { check: positive, otherwise: 1 },
  repsRel: { check: positive, otherwise: 1e-6 },
  weightDecay: { check: nonNegative, otherwise: 0 },
  epsilon: { check: positive, otherwise: 1e-8 },
  layerwise: { check: bool, otherwise: false },
  averaging: { check: satisfies((v) => v === false || (typeof v === 'number' && Number.isFinite(v) && v >= 0), 'a number >= 0 (γ) or false'), otherwise: 8 },
};

/**
 * DoG: SGD whose step is the distance travelled over the root of the summed squared gradients.
 * @example
 * ```ts
 * import { dog } from 'tfjs-clr/optimizers';
 * model.compile({ optimizer: dog(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * ```
 */
export class DoG extends LRFreeOptimizer<Required<DoGOptions>> {
  /** @hidden The options, their checks and defaults (what a saved config may hold; fromConfig reads it). */
  static readonly optionTable = TABLE;

  /** SGD-like: one step size for all, no per-coordinate scaling. */
  readonly adaptive = false;

  static get className(): string {
    return 'DoG';
  }

  /** Global DoG: r̄ and G (L-DoG keeps them per variable, in the slots). */
  private readonly sums: Scalars;

  constructor(options?: DoGOptions) {
    const o = resolveOptions('dog', options, TABLE);
    super(o);
    this.sums = this.options.layerwise ? {} : { rbar: tf.variable(tf.scalar(0), false), G: tf.variable(tf.scalar(0), false) };
  }

  protected scalars(): Scalars {
    return this.sums;
  }

  protected slotTable(): SlotTable {
    return {
      x0: tf.clone,
      ...(this.options.averaging === false ? {} : { x: tf.clone, average: tf.clone }),
      ...(this.options.layerwise ? { rbar: () => tf.scalar(0), G: () => tf.scalar(0) } : {}),
    };
  }

  protected twoPoints(): boolean {
    return this.options.averaging !== false;
  }

  protected override gradientPoint(s: Slots): tf.Tensor {
    return s.x;
  }

  protected override evaluationPoint(s: Slots): tf.Tensor {
    return s.average;
  }

  protected step(items: ReadonlyArray<{ variable: tf.Variable; gradient: tf.Tensor; slots: Slots }>, k: number): void {
    const first = k === 0;
    // The iterate x_t: the averaging slot, or the variable itself.
    const iterate = (it: (typeof items)[number]): tf.Variable => (this.options.averaging === false ? it.variable : it.slots.x);
    const grads = items.map((it) => (this.options.weightDecay !== 0 ? tf.add(it.gradient, tf.mul(iterate(it), this.options.weightDecay)) : it.gradient));
    const sq = (t: tf.Tensor) => tf.sum(tf.square(t));
    const update = (rbar: tf.Variable, G: tf.Variable, x: tf.Tensor[], x0: tf.Tensor[], g: tf.Tensor[]): tf.Tensor => {
      const sumSq = (ts: tf.Tensor[]) => ts.reduce<tf.Tensor>((acc, t) => tf.add(acc, sq(t)), tf.scalar(0));
      if (first) {
        rbar.assign(tf.mul(tf.add(tf.sqrt(sumSq(x0)), 1), this.options.repsRel));
        G.assign(tf.add(sumSq(g), this.options.epsilon));
      } else {
        rbar.assign(tf.maximum(rbar, tf.sqrt(sumSq(x.map((xi, i) => tf.sub(xi, x0[i]))))));
        G.assign(tf.add(G, sumSq(g)));
      }
      return tf.div(tf.mul(rbar, this.learningRate), tf.sqrt(G));
    };
    const etas = this.options.layerwise
      ? items.map((it, i) => update(it.slots.rbar, it.slots.G, [iterate(it)], [it.slots.x0], [grads[i]]))
      : new Array<tf.Tensor>(items.length).fill(update(this.sums.rbar, this.sums.G, items.map(iterate), items.map((it) => it.slots.x0), grads));
    const t = k + 1;
    const w = this.options.averaging === false ? 1 : (this.options.averaging + 1) / (t + this.options.averaging);
    items.forEach((it, i) => {
      const next = tf.sub(iterate(it), tf.mul(grads[i], etas[i]));
      if (this.options.averaging === false) {
        it.variable.assign(next);
        return;
      }
      it.slots.x.assign(next);
      it.slots.average.assign(tf.add(tf.mul(it.slots.average, 1 - w), tf.mul(next, w)));
      it.variable.assign(it.slots.average);
    });
  }
}

tf.serialization.registerClass(DoG);

/** A {@link DoG}: `tf.train`-style factory. */
export function dog(options?: DoGOptions): DoG {
  return new DoG(options);
}
