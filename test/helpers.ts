/** Shared test fixtures: the cpu backend, and models whose weight changes reveal the LR used. */
import * as tf from '@tensorflow/tfjs';

/** Runs the suite on the stock cpu backend (deterministic, no native code). */
export async function useCpu(): Promise<void> {
  tf.env().set('IS_TEST', true); // no "install tfjs-node" banner in test output
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * A one-weight model y = w·x (w starts at 0) trained with mean absolute error on x = 1, y = 1000.
 * While w < 1000 the gradient of the loss w.r.t. w is exactly −1, so plain SGD moves w by +lr each
 * batch: the weight's change after a batch *is* the learning rate that batch used.
 */
export function lrProbeModel(optimizer: tf.Optimizer | string = tf.train.sgd(0.01)): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'zeros' }));
  model.compile({ optimizer, loss: 'meanAbsoluteError' });
  return model;
}

/** Inputs for {@link lrProbeModel}: `n` samples of x = 1, y = 1000. */
export function lrProbeData(n: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  return { xs: tf.ones([n, 1]), ys: tf.fill([n, 1], 1000) };
}

/** The model's single weight. */
export function weightOf(model: tf.LayersModel): number {
  return model.getWeights()[0].dataSync()[0];
}

/** A callback that records the single weight after every batch (add it after the one under test). */
export class WeightRecorder extends tf.Callback {
  readonly weights: number[] = [];
  readonly logs: Array<Record<string, unknown>> = [];
  override async onTrainBegin(): Promise<void> {
    if (this.weights.length === 0) this.weights.push(weightOf(this.model));
  }
  override async onBatchEnd(_batch: number, logs?: Record<string, unknown>): Promise<void> {
    this.weights.push(weightOf(this.model));
    this.logs.push({ ...logs });
  }
  /** The per-batch weight changes: for {@link lrProbeModel} with SGD, the LR each batch used. */
  deltas(): number[] {
    return this.weights.slice(1).map((w, k) => w - this.weights[k]);
  }
}
