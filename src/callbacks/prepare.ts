/**
 * One `callbacks` array from the library's callbacks and other tools' (tfjs-vis's `fitCallbacks`,
 * tfjs-node's `tensorBoard`, your own), in an order that lets them all read `learning_rate`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { setsLearningRate } from './scheduled.js';

/** A plain callback config, as tfjs-vis's `show.fitCallbacks` returns: `{ onBatchEnd, onEpochEnd, … }`. */
export type CallbackConfig = ConstructorParameters<typeof tf.CustomCallback>[0];

/** A callback tfjs can take in one array with others: a tf.Callback subclass or a tf.CustomCallback. */
export type FitCallback = tf.Callback | tf.CustomCallback;

const isCallback = (c: unknown): c is FitCallback => c instanceof tf.Callback || c instanceof tf.CustomCallback;

/**
 * Prepares a `callbacks` array for `fit`/`fitDataset`:
 * - wraps plain `{ onBatchEnd… }` objects (tfjs-vis's `fitCallbacks`) in `tf.CustomCallback`, so they
 *   can share the array with class callbacks (tfjs breaks at run time when one array mixes them);
 * - warns (once per call, with `console.warn`) when a callback comes before a tfjs-clr schedule
 *   callback: it would miss `learning_rate` in the **epoch** logs, which the schedule writes at the
 *   epoch's end (batch logs get it before any callback runs, whatever the order).
 *
 * @example
 * ```ts
 * const clr = cyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSize: 2000 });
 * const vis = tfvis.show.fitCallbacks({ name: 'Training' }, ['loss', 'acc', 'learning_rate'], { callbacks: ['onBatchEnd', 'onEpochEnd'] });
 * await model.fit(xs, ys, { epochs: 12, callbacks: prepareCallbacks([clr, vis]) });
 * ```
 */
export function prepareCallbacks(callbacks: ReadonlyArray<FitCallback | CallbackConfig>, warn: (message: string) => void = console.warn): FitCallback[] {
  if (!Array.isArray(callbacks)) throw new Error(`prepareCallbacks: callbacks must be an array, got ${typeof callbacks}`);
  const out = callbacks.map((c, k): FitCallback => {
    if (isCallback(c)) return c;
    if (c == null || typeof c !== 'object') throw new Error(`prepareCallbacks: callbacks[${k}] must be a tf.Callback or a { onBatchEnd… } object, got ${String(c)}`);
    return new tf.CustomCallback(c);
  });
  const setsLR = (c: FitCallback) => setsLearningRate(c);
  const lastSchedule = out.map(setsLR).lastIndexOf(true);
  const early = out.slice(0, Math.max(0, lastSchedule)).filter((c) => !setsLR(c));
  if (early.length > 0) {
    warn(
      `prepareCallbacks: ${early.length} callback(s) come before the tfjs-clr schedule callback at position ${lastSchedule}: ` +
        'they will not see learning_rate in the epoch logs (per-batch logs have it either way). Put the schedule callback first.',
    );
  }
  return out;
}
