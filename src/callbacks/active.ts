/**
 * What our callbacks need to know about each other within one fit, which tfjs does not tell them:
 * the schedule callbacks training a model right now (so ReduceLROnPlateau scales them instead of
 * being overwritten at the next batch), and whether tfjs is calling a method on our object at all.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';

/** A callback whose LR values can be scaled by a factor (ScheduledLRCallback). */
export interface ScalableLR {
  scaleLR(factor: number, minLR: number): void;
  /** The LR of the last batch, or undefined before the first. */
  readonly lastLR: number | undefined;
}

const active = new WeakMap<object, Set<ScalableLR>>();

/** Registers `cb` as setting the LR of `model` until {@link deactivate}. */
export function activate(model: object, cb: ScalableLR): void {
  const set = active.get(model) ?? new Set<ScalableLR>();
  set.add(cb);
  active.set(model, set);
}

export function deactivate(model: object, cb: ScalableLR): void {
  active.get(model)?.delete(cb);
}

/** The schedule callbacks setting `model`'s LR in the current fit. */
export function activeSchedules(model: object): ScalableLR[] {
  return [...(active.get(model) ?? [])];
}

/**
 * Throws a clear error when tfjs calls one of our methods on another object. It does that in two cases:
 * - a `callbacks` array that starts with a plain `{ onEpochEnd… }` object: tfjs then wraps every entry
 *   as a config of its `CustomCallback`, so our methods run on that wrapper;
 * - a model from a **second copy** of tfjs: its `fit` does not know our `tf.Callback` class (the
 *   library's copy) and wraps our callback the same way, in its own copy's `CustomCallback`.
 * The wrapper's class tells them apart: our copy's `CustomCallback`, or another copy's.
 */
export function assertCalledOn(self: unknown, cls: { prototype: tf.Callback }, where: string): void {
  if (typeof self === 'object' && self !== null && cls.prototype.isPrototypeOf(self)) return;
  const fromOurCopy = typeof self === 'object' && self !== null && tf.CustomCallback.prototype.isPrototypeOf(self);
  const aCallback = typeof self === 'object' && self !== null && typeof (self as { setModel?: unknown }).setModel === 'function' && typeof (self as { setParams?: unknown }).setParams === 'function';
  if (!fromOurCopy && aCallback) {
    throw new Error(
      `${where}: the model was built with a second copy of TensorFlow.js (the one tfjs-clr uses is ${tf.version.tfjs}), ` +
        'so its fit does not recognise tfjs-clr\'s callbacks as callbacks. Use one copy of @tensorflow/tfjs: ' +
        '`npm ls @tensorflow/tfjs-core` lists them; `npm dedupe`, or make every package (and your bundler) resolve @tensorflow/tfjs to one path.',
    );
  }
  throw new Error(
    `${where}: tfjs called it as part of a plain { onEpochEnd… } callback, which happens when the callbacks ` +
      'array mixes class instances and plain objects and starts with a plain object. Pass all callbacks as ' +
      'class instances: wrap plain ones with new tf.CustomCallback({ ... }).',
  );
}
