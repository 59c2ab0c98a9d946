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
