/**
 * Reading tfjs callback logs, whose values are numbers or scalar tensors depending on the backend and
 * the tfjs version.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';

/** A log value as tfjs passes it to callbacks. */
export type LogValue = number | tf.Tensor | undefined;

/**
 * A log value as a number (`NaN` when absent), read asynchronously.
 *
 * @example
 * ```ts
 * class Printer extends tf.Callback {
 *   async onBatchEnd(batch: number, logs?: tf.Logs) {
 *     console.log(batch, await readLog(logs?.loss));
 *   }
 * }
 * ```
 */
export async function readLog(value: LogValue): Promise<number> {
  if (value === undefined) return NaN;
  if (typeof value === 'number') return value;
  return (await value.data())[0];
}

/** {@link readLog}, synchronously (a tensor is read with `dataSync`, which blocks on GPU backends). */
export function readLogSync(value: LogValue): number {
  if (value === undefined) return NaN;
  if (typeof value === 'number') return value;
  return value.dataSync()[0];
}

/**
 * The key of the training accuracy in a batch's or epoch's logs: `acc` or `accuracy` (tfjs names the
 * metric after how it was asked for), else the first key containing "acc" that is not a `val_` key;
 * null when there is none.
 *
 * @example
 * ```ts
 * findAccuracyKey({ loss: 0.5, acc: 0.8 });          // 'acc'
 * findAccuracyKey({ loss: 0.5, categoricalAccuracy: 0.8, val_categoricalAccuracy: 0.7 }); // 'categoricalAccuracy'
 * findAccuracyKey({ loss: 0.5 });                     // null
 * ```
 */
export function findAccuracyKey(logs: object): string | null {
  for (const k of ['acc', 'accuracy']) if (k in logs) return k;
  return Object.keys(logs).find((k) => /acc/i.test(k) && !k.startsWith('val_')) ?? null;
}

/**
 * Writes the learning rate into a batch's or epoch's logs under Keras 3's key `learning_rate` (what
 * `History`, tfjs-node's `tensorBoard()` and tfjs-vis's `fitCallbacks` then show) and the older
 * tf.keras key `lr`, kept as an alias.
 */
export function logLearningRate(logs: { [key: string]: unknown } | undefined, lr: number): void {
  if (!logs) return;
  logs.learning_rate = lr;
  logs.lr = lr;
}
