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
 * Throws a clear error when tfjs calls one of our methods on another object: it does that when a
 * `callbacks` array starts with a plain `{ onEpochEnd… }` object (it then wraps every entry as a
 * config of its `CustomCallback`, so our methods run with the wrong `this`).
 */
export function assertCalledOn(self: unknown, cls: { prototype: tf.Callback }, where: string): void {
  if (typeof self === 'object' && self !== null && cls.prototype.isPrototypeOf(self)) return;
  throw new Error(
    `${where}: tfjs called it as part of a plain { onEpochEnd… } callback, which happens when the callbacks ` +
      'array mixes class instances and plain objects and starts with a plain object. Pass all callbacks as ' +
      'class instances: wrap plain ones with new tf.CustomCallback({ ... }).',
  );
}
