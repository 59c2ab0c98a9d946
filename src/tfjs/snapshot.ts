/**
 * Saving and restoring a model's weights and its optimizer's whole state, so an LR range test leaves
 * the model exactly as it found it. The optimizer's part is the optimizer's own (see
 * optimizerState.ts): this module only pairs it with the weights.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { copyOptimizerState, oneShotCopy, type OptimizerStateCopy } from './optimizerState.js';

/** A saved model + optimizer state. Call `restore()` once (it puts both back and frees the copy), or `dispose()` to drop it. */
export type TrainingSnapshot = OptimizerStateCopy;

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
  return oneShotCopy('this training snapshot', {
    put: async () => {
      // The optimizer first: an averaging optimizer's evaluation point is the weights put back next.
      await optState?.restore();
      model.weights.forEach((w, k) => w.write(weights[k]));
    },
    free: () => {
      tf.dispose(weights);
      optState?.dispose(); // a no-op once restored
    },
  });
}
