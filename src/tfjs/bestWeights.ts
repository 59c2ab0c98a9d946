/**
 * The best weights seen so far, held for putting back when a run ends: the one mechanism behind
 * `KeepBest` and `CycleEndStopping`'s `restoreBestWeights`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';

/** A copy of a model's weights (trainable and not), taken when told and put back once. */
export class BestWeights {
  private copy: tf.Tensor[] | null = null;

  /** Whether a copy is held. */
  get held(): boolean {
    return this.copy !== null;
  }

  /** Copies the model's current weights, replacing any earlier copy. */
  remember(model: tf.LayersModel): void {
    this.drop();
    this.copy = model.getWeights().map((w) => tf.clone(w));
  }

  /** Puts the copy into `model` and frees it; false (and nothing changed) when none is held. */
  restoreInto(model: tf.LayersModel): boolean {
    if (this.copy === null) return false;
    model.setWeights(this.copy);
    this.drop();
    return true;
  }

  /** Frees the copy. */
  drop(): void {
    tf.dispose(this.copy ?? []);
    this.copy = null;
  }
}
