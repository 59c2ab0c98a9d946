/**
 * The optimizers the example can train with (`--optimizer`), for the paper's Table 3: CLR with
 * Nesterov and with adaptive methods. tfjs's `momentum(lr, m, true)` is Nesterov's.
 */
import * as tf from '@tensorflow/tfjs';

export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop', 'adagrad', 'adadelta'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Optimizers with a momentum term `--cycle-momentum` can cycle (Adam's is beta1). */
export const CYCLABLE_MOMENTUM: readonly OptimizerName[] = ['momentum', 'nesterov', 'adam'];

/** A fresh optimizer at `lr`; `momentum` is the SGD momentum of `momentum` and `nesterov` (Caffe: 0.9). */
export function makeOptimizer(name: OptimizerName, lr: number, momentum: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, momentum);
    case 'nesterov':
      return tf.train.momentum(lr, momentum, true);
    case 'adam':
      return tf.train.adam(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
    case 'adagrad':
      return tf.train.adagrad(lr);
    case 'adadelta':
      return tf.train.adadelta(lr);
  }
}

/** One line for reports: the optimizer and its settings. */
export function describeOptimizer(name: OptimizerName, momentum: number): string {
  switch (name) {
    case 'sgd':
      return 'SGD';
    case 'momentum':
      return `Momentum SGD (${momentum})`;
    case 'nesterov':
      return `Nesterov (${momentum})`;
    case 'adam':
      return 'Adam (β1 0.9, β2 0.999)';
    case 'rmsprop':
      return 'RMSProp (decay 0.9)';
    case 'adagrad':
      return 'Adagrad';
    case 'adadelta':
      return 'Adadelta (ρ 0.95)';
  }
}

/** The LR an adaptive optimizer is usually run at (its library default), for a sanity check of bounds: Adam only, the one studied here. */
export const USUAL_LR: Partial<Record<OptimizerName, number>> = { adam: 0.001 };

/**
 * A caution when a suggested maxLR is far above an adaptive optimizer's usual LR: in this repository's
 * Table 3 study (bench/RESULTS.md), Adam + CLR up to 7× its usual LR trained 7 points worse than Adam
 * alone, where bounds at its usual LR trained better. Null when there is nothing to say.
 */
export function boundsCaution(optimizer: OptimizerName, maxLR: number): string | null {
  const usual = USUAL_LR[optimizer];
  if (usual === undefined || maxLR <= 3 * usual) return null;
  return (
    `${optimizer}: maxLR ${Number(maxLR.toPrecision(3))} is ${(maxLR / usual).toFixed(1)}× its usual LR ${usual}; ` +
    `the range test is less reliable for adaptive optimizers (bench/RESULTS.md, Table 3): consider --max-lr ${usual * 3} or lower`
  );
}
