/**
 * Saving and restoring a model's weights and its optimizer's whole state, so an LR range test leaves
 * the model exactly as it found it. The optimizer's part is the optimizer's own (see
 * optimizerState.ts): this module only pairs it with the weights.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { copyOptimizerState } from './optimizerState.js';

/** A saved model + optimizer state. Call `restore()` once, or `dispose()` to drop it. */
export interface TrainingSnapshot {
  /** Puts the weights and the optimizer's state back as they were, and frees the copy. */
  restore(): Promise<void>;
  /** Frees the copy without restoring. */
  dispose(): void;
}

/**
 * Saves the model's weights (trainable and not) and its optimizer's state. Throws, before anything is
 * copied, for an optimizer whose state cannot be copied (see `copyOptimizerState`).
 *
 * @example
 * ```ts
 * const snapshot = await snapshotTraining(model);
 * await model.fit(xs, ys, { epochs: 1 });   // an experiment
 * await snapshot.restore();                 // the model and its optimizer as they were
 * ```
 */
export async function snapshotTraining(model: tf.LayersModel): Promise<TrainingSnapshot> {
  const opt = model.optimizer;
  const optState = opt == null ? null : await copyOptimizerState(opt);
  const weights = model.weights.map((w) => tf.clone(w.read()));
  let done = false;
  const dispose = (): void => {
    if (done) return;
    done = true;
    tf.dispose(weights);
    optState?.dispose();
  };
  return {
    async restore(): Promise<void> {
      if (done) throw new Error('this training snapshot was already restored or disposed');
      try {
        // The optimizer first: an averaging optimizer's evaluation point is the weights put back next.
        await optState?.restore();
        model.weights.forEach((w, k) => w.write(weights[k]));
      } finally {
        dispose();
      }
    },
    dispose,
  };
}
