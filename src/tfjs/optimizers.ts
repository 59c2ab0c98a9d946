/**
 * Reading and setting the learning rate and momentum of any tfjs optimizer.
 *
 * tfjs optimizers do not agree on where the LR lives (tfjs 4.22; every case is checked on real weights
 * in test/optimizers.test.ts): `SGD` and `Momentum` bake it into a kept scalar (assigning
 * `.learningRate` does nothing; `setLearningRate()` works), the others read the `learningRate` field at
 * every step. `Momentum.setMomentum()` changes nothing numerically: the
 * update uses a scalar `m` made in the constructor. Optimizers are told apart by `getClassName()`,
 * because `instanceof` answers true for every optimizer class.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { fail, show } from '../validate.js';
import { factsOf, optimizerNames, type LRAccess, type MomentumAccess } from '../optimizerFacts.js';

/** The optimizer fields this module reads or writes (private in tfjs's typings). */
interface OptimizerInternals {
  learningRate?: unknown;
  setLearningRate?: unknown;
  momentum?: unknown;
  beta1?: unknown;
  m?: tf.Scalar;
  c?: tf.Scalar;
}

/**
 * For SGD/Momentum: the kept LR scalar `c` our last `setLearningRate` made, and its value. Setting the
 * same value again is skipped only while `c` is still that scalar (the `learningRate` field can't be
 * trusted: assigning it changes nothing on these classes).
 */
const lastScalarLR = new WeakMap<object, { c: tf.Scalar; lr: number }>();
/** The same for Momentum's kept momentum scalar `m` (its `setMomentum()` only sets the field). */
const lastScalarMomentum = new WeakMap<object, { m: tf.Scalar; value: number }>();

/** Which optimizers have a momentum this module can set, by how (from the table). */
const withMomentum = (access: MomentumAccess) => optimizerNames((f) => f.momentum === access).join(' and ');

function className(opt: tf.Optimizer): string {
  if (opt === null || typeof opt !== 'object' || typeof opt.getClassName !== 'function') {
    throw new Error(`expected a tfjs optimizer (an object with getClassName()), got ${show(opt)}`);
  }
  return opt.getClassName();
}

function internals(opt: tf.Optimizer): OptimizerInternals {
  return opt as unknown as OptimizerInternals;
}

function lrAccess(opt: tf.Optimizer): LRAccess {
  const name = className(opt);
  const known = factsOf(name);
  if (known) return known.lr;
  // An unknown class: use what it offers, if it offers a way to set and read back the LR.
  const o = internals(opt);
  if (typeof o.learningRate === 'number') return typeof o.setLearningRate === 'function' ? 'setter' : 'field';
  throw new Error(
    `optimizer ${JSON.stringify(name)} has no numeric learningRate field, so its learning rate cannot be ` +
      `set and read back; supported: ${optimizerNames().join(', ')} and classes with a numeric learningRate`,
  );
}

/**
 * True when the optimizer scales each step by a running gradient statistic: the facts table for tfjs's
 * built-ins, else the optimizer's own boolean `adaptive` (tfjs-clr's learning-rate-free optimizers
 * have one), else false.
 */
export function isAdaptive(opt: tf.Optimizer): boolean {
  const known = factsOf(className(opt));
  if (known) return known.adaptive;
  const own = (opt as { adaptive?: unknown }).adaptive;
  return typeof own === 'boolean' ? own : false;
}

/** Throws unless the optimizer's learning rate can be set and read back (call before training). */
export function checkLearningRateSupport(opt: tf.Optimizer): void {
  lrAccess(opt);
}

/** The optimizer's current learning rate. */
export function getLearningRate(opt: tf.Optimizer): number {
  lrAccess(opt);
  return internals(opt).learningRate as number;
}

/**
 * Sets the learning rate so that the optimizer's next `applyGradients` uses it. Cheap when the value
 * is unchanged; on `SGD`/`Momentum` it replaces one kept scalar, so no tensor is leaked.
 */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const access = lrAccess(opt);
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) fail('setLearningRate', 'lr', 'a finite number >= 0', lr);
  const o = internals(opt);
  if (access === 'field') {
    o.learningRate = lr;
    return;
  }
  const last = lastScalarLR.get(opt);
  if (last !== undefined && last.lr === lr && last.c === o.c) return;
  (o.setLearningRate as (v: number) => void).call(opt, lr);
  if (o.c !== undefined && factsOf(opt.getClassName()) !== undefined) lastScalarLR.set(opt, { c: o.c, lr });
}

/**
 * True when the optimizer has a momentum term this library can cycle: `Momentum` (its momentum),
 * `RMSProp` (its momentum) and `Adam`/`Adamax` (`beta1`).
 */
export function hasMomentum(opt: tf.Optimizer): boolean {
  return factsOf(className(opt))?.momentum !== undefined;
}

function momentumAccess(opt: tf.Optimizer): MomentumAccess {
  const name = className(opt);
  const access = factsOf(name)?.momentum;
  if (access === undefined) {
    throw new Error(
      `optimizer ${JSON.stringify(name)} has no momentum to cycle; momentum is supported on ` +
        `${withMomentum('momentumScalar')} and ${withMomentum('momentumField')} (momentum) and on ${withMomentum('beta1')} (beta1)`,
    );
  }
  return access;
}

/** The momentum of `Momentum`/`RMSProp`, or `beta1` of `Adam`/`Adamax`; throws for other optimizers. */
export function getMomentum(opt: tf.Optimizer): number {
  const o = internals(opt);
  return (momentumAccess(opt) === 'beta1' ? o.beta1 : o.momentum) as number;
}

/**
 * Sets the momentum (`beta1` on Adam/Adamax) used by the optimizer's next step; throws for optimizers
 * without one. On `Momentum` it replaces the kept scalar the update really reads (tfjs's own
 * `setMomentum()` does not), disposing the old one.
 */
export function setMomentum(opt: tf.Optimizer, momentum: number): void {
  const access = momentumAccess(opt);
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum < 1)) {
    fail('setMomentum', 'momentum', 'a number in [0, 1)', momentum);
  }
  const o = internals(opt);
  if (access === 'beta1') {
    o.beta1 = momentum;
    return;
  }
  if (access === 'momentumField') {
    o.momentum = momentum;
    return;
  }
  // Momentum: replace the kept scalar `m` the update reads (skipped while it is ours and equal).
  const last = lastScalarMomentum.get(opt);
  o.momentum = momentum;
  if (last !== undefined && last.value === momentum && last.m === o.m) return;
  const old = o.m;
  o.m = tf.keep(tf.scalar(momentum));
  old?.dispose();
  lastScalarMomentum.set(opt, { m: o.m, value: momentum });
}
