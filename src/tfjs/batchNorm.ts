/**
 * PyTorch's `update_bn` for tfjs: the moving statistics of a model's BatchNormalization layers
 * recomputed from data at the current weights (after swapping in an average, whose weights the
 * statistics gathered while training do not belong to).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { atLeast, fail, fromTable, type TableOf } from '../validate.js';

/** Options of {@link updateBatchNorm}. */
export interface UpdateBatchNormOptions {
  /** Examples per forward pass for tensor data (default 32; a dataset brings its own batches). */
  batchSize?: number;
}

const TABLE: TableOf<Required<UpdateBatchNormOptions>> = { batchSize: { check: atLeast(1), otherwise: 32 } };

/** Input data: tensors `{ x }` (labels ignored), or a dataset of `{ xs }` batches or of bare input batches. */
export type BatchNormData = { x: tf.Tensor | tf.Tensor[] } | tf.data.Dataset<tf.TensorContainer>;

interface BatchNormInternals {
  axis: number;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/**
 * Recomputes the moving mean and variance of every top-level BatchNormalization layer of `model`:
 * the data goes through the model in training mode (each layer normalizing with its batch's
 * statistics, as PyTorch's `update_bn` does), and each layer's moving statistics become the mean over
 * batches of its input's batch mean and (biased, as tfjs's own training update) batch variance.
 * Returns the number of layers updated (0 when the model has none).
 *
 * @example
 * ```ts
 * const swa = weightAveraging({ every: 'cycle', schedule: clr });
 * await model.fit(xs, ys, { epochs: 12, callbacks: [clr, swa] });
 * await updateBatchNorm(model, { x: xs });   // statistics for the averaged weights
 * ```
 */
export async function updateBatchNorm(model: tf.LayersModel, data: BatchNormData, opts: UpdateBatchNormOptions = {}): Promise<number> {
  const { batchSize } = fromTable('updateBatchNorm', opts, TABLE);
  const layers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  if (layers.length === 0) return 0;
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.input as tf.SymbolicTensor) });
  const sums = layers.map(() => ({ mean: null as tf.Tensor | null, variance: null as tf.Tensor | null }));
  let batches = 0;
  const add = (x: tf.Tensor | tf.Tensor[]): void => {
    tf.tidy(() => {
      const outs = probe.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
      (Array.isArray(outs) ? outs : [outs]).forEach((input, k) => {
        const axis = (layers[k] as unknown as BatchNormInternals).axis;
        const a = axis < 0 ? input.rank + axis : axis;
        const { mean, variance } = tf.moments(input, [...Array(input.rank).keys()].filter((d) => d !== a));
        const s = sums[k];
        const next = { mean: s.mean ? tf.add(s.mean, mean) : mean, variance: s.variance ? tf.add(s.variance, variance) : variance };
        tf.dispose([s.mean, s.variance].filter((t): t is tf.Tensor => t !== null));
        s.mean = tf.keep(next.mean);
        s.variance = tf.keep(next.variance);
      });
    });
    batches++;
  };
  try {
    if (typeof (data as tf.data.Dataset<tf.TensorContainer>).iterator === 'function') {
      await (data as tf.data.Dataset<tf.TensorContainer>).forEachAsync((batch) => {
        const b = batch as { xs?: tf.Tensor | tf.Tensor[] } | tf.Tensor;
        add(b instanceof tf.Tensor ? b : (b.xs as tf.Tensor | tf.Tensor[]));
      });
    } else {
      const x = (data as { x?: tf.Tensor | tf.Tensor[] }).x;
      if (x === undefined) fail('updateBatchNorm', 'data', 'tensors { x } or a tf.data.Dataset', data);
      const xs = Array.isArray(x) ? x : [x];
      const n = xs[0].shape[0];
      for (let b = 0; b < n; b += batchSize) {
        const size = Math.min(batchSize, n - b);
        const slice = xs.map((t) => t.slice(b, size));
        add(Array.isArray(x) ? slice : slice[0]);
        tf.dispose(slice);
      }
    }
    if (batches === 0) fail('updateBatchNorm', 'data', 'at least one batch', 'none');
    layers.forEach((layer, k) => {
      const bn = layer as unknown as BatchNormInternals;
      const s = sums[k];
      tf.tidy(() => {
        bn.movingMean.write(tf.div(s.mean as tf.Tensor, batches));
        bn.movingVariance.write(tf.div(s.variance as tf.Tensor, batches));
      });
    });
  } finally {
    tf.dispose(sums.flatMap((s) => [s.mean, s.variance].filter((t): t is tf.Tensor => t !== null)));
  }
  return layers.length;
}
