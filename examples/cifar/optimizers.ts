/**
 * The optimizers the example can train with (`--optimizer`), for the paper's Table 3: CLR with
 * Nesterov and with adaptive methods. Every built-in tfjs optimizer from the library's table of
 * optimizer facts (`OPTIMIZER_FACTS`), by its `tf.train` factory name, plus `nesterov`
 * (`tf.train.momentum(lr, m, true)`); a row added there is an optimizer here.
 */
import * as tf from '@tensorflow/tfjs';
import { OPTIMIZER_FACTS, type OptimizerFacts } from 'tfjs-clr';

export type OptimizerName = OptimizerFacts['factory'] | 'nesterov';

/** The names, in the table's order, Nesterov after Momentum. */
export const OPTIMIZERS: readonly OptimizerName[] = OPTIMIZER_FACTS.flatMap((f): OptimizerName[] => (f.factory === 'momentum' ? ['momentum', 'nesterov'] : [f.factory]));

/** The table's row for a name (Nesterov is Momentum's). */
export function factsFor(name: OptimizerName): OptimizerFacts {
  const factory = name === 'nesterov' ? 'momentum' : name;
  return OPTIMIZER_FACTS.find((f) => f.factory === factory) as OptimizerFacts;
}

/** Optimizers whose momentum is on by default, which `--cycle-momentum` cycles (Adam's is beta1). */
export const CYCLABLE_MOMENTUM: readonly OptimizerName[] = OPTIMIZERS.filter((n) => factsFor(n).momentumByDefault === true);

/** A fresh optimizer at `lr`; `momentum` is the SGD momentum of `momentum` and `nesterov` (Caffe: 0.9). */
export function makeOptimizer(name: OptimizerName, lr: number, momentum: number): tf.Optimizer {
  if (name === 'momentum' || name === 'nesterov') return tf.train.momentum(lr, momentum, name === 'nesterov');
  const factory = tf.train[name] as (learningRate: number) => tf.Optimizer;
  return factory(lr);
}

/** One line for reports: the optimizer and the settings it trains with (from its own config). */
export function describeOptimizer(name: OptimizerName, momentum: number): string {
  if (name === 'sgd') return 'SGD';
  if (name === 'momentum') return `Momentum SGD (${momentum})`;
  if (name === 'nesterov') return `Nesterov (${momentum})`;
  const opt = makeOptimizer(name, 0.001, momentum);
  const config = opt.getConfig() as Record<string, unknown>;
  opt.dispose();
  const symbols: Record<string, string> = { beta1: 'β1', beta2: 'β2', rho: 'ρ', decay: 'decay' };
  const settings = Object.entries(symbols).flatMap(([k, label]) => (typeof config[k] === 'number' ? [`${label} ${config[k]}`] : []));
  return settings.length > 0 ? `${factsFor(name).className} (${settings.join(', ')})` : factsFor(name).className;
}
