/**
 * The optimizers the example can train with (`--optimizer`), for the paper's Table 3: CLR with
 * Nesterov and with adaptive methods. Every built-in tfjs optimizer from the library's table of
 * optimizer facts (`OPTIMIZER_FACTS`), by its `tf.train` factory name, plus `nesterov`
 * (`tf.train.momentum(lr, m, true)`); a row added there is an optimizer here. And the learning-rate-free
 * optimizers of `tfjs-clr/optimizers`, which train at their own defaults (policy `constant`).
 */
import * as tf from '@tensorflow/tfjs';
import { OPTIMIZER_FACTS, type OptimizerFacts } from 'tfjs-clr';
import { dog, prodigy, scheduleFreeAdamW, scheduleFreeSGD, type LRFreeOptimizer } from 'tfjs-clr/optimizers';

/** `{ learningRate }` when `lr` is given, else nothing (the optimizer's own default). */
const learningRate = (lr: number | undefined) => (lr === undefined ? {} : { learningRate: lr });

/** The optimizers with a warmup of their own (`warmupSteps`): the Schedule-Free ones, also the ones `rangeTest` returns options for. */
export const WITH_WARMUP = ['scheduleFreeSGD', 'scheduleFreeAdamW'] as const;
export type ScheduleFreeName = (typeof WITH_WARMUP)[number];
export const isScheduleFree = (name: string): name is ScheduleFreeName => (WITH_WARMUP as readonly string[]).includes(name);

/** `{ warmupSteps }` when given, else nothing. */
const warmup = (warmupSteps: number | undefined) => (warmupSteps === undefined ? {} : { warmupSteps });

/** Nothing; an error naming the optimizer when a warmup is asked of one that has none. */
function noWarmup(name: string, warmupSteps: number | undefined): Record<string, never> {
  if (warmupSteps !== undefined) throw new Error(`${name} has no warmup: warmupSteps (${warmupSteps}) is for ${WITH_WARMUP.join(' and ')}`);
  return {};
}

/**
 * The learning-rate-free optimizers, by the family of built-in optimizer they are compared with
 * (SGD-like beside Momentum SGD, Adam-like beside Adam); `make()` is the recommended defaults.
 */
export const LR_FREE = {
  scheduleFreeSGD: { family: 'momentum', make: (lr?: number, warmupSteps?: number) => scheduleFreeSGD({ ...learningRate(lr), ...warmup(warmupSteps) }) },
  dog: { family: 'momentum', make: (lr?: number, warmupSteps?: number) => dog({ ...learningRate(lr), ...noWarmup('dog', warmupSteps) }) },
  prodigy: { family: 'adam', make: (lr?: number, warmupSteps?: number) => prodigy({ ...learningRate(lr), ...noWarmup('prodigy', warmupSteps) }) },
  scheduleFreeAdamW: { family: 'adam', make: (lr?: number, warmupSteps?: number) => scheduleFreeAdamW({ ...learningRate(lr), ...warmup(warmupSteps) }) },
} as const satisfies Record<string, { family: 'momentum' | 'adam'; make: (lr?: number, warmupSteps?: number) => LRFreeOptimizer }>;
export type LRFreeName = keyof typeof LR_FREE;

export type OptimizerName = OptimizerFacts['factory'] | 'nesterov' | LRFreeName;

/** A learning-rate-free optimizer's name. */
export const isLRFree = (name: string): name is LRFreeName => name in LR_FREE;

/** The names, in the table's order, Nesterov after Momentum, then the learning-rate-free ones. */
export const OPTIMIZERS: readonly OptimizerName[] = [
  ...OPTIMIZER_FACTS.flatMap((f): OptimizerName[] => (f.factory === 'momentum' ? ['momentum', 'nesterov'] : [f.factory])),
  ...(Object.keys(LR_FREE) as LRFreeName[]),
];

/** The table's row for a name (Nesterov is Momentum's; a learning-rate-free optimizer has its family's). */
export function factsFor(name: OptimizerName): OptimizerFacts {
  const factory = name === 'nesterov' ? 'momentum' : isLRFree(name) ? LR_FREE[name].family : name;
  return OPTIMIZER_FACTS.find((f) => f.factory === factory) as OptimizerFacts;
}

/** A learning-rate-free optimizer's own default learning rate (Prodigy's and DoG's: the multiplier 1). */
export function defaultLR(name: LRFreeName): number {
  const opt = LR_FREE[name].make();
  const lr = opt.learningRate;
  opt.dispose();
  return lr;
}

/** Optimizers whose momentum is on by default, which `--cycle-momentum` cycles (Adam's is beta1). */
export const CYCLABLE_MOMENTUM: readonly OptimizerName[] = OPTIMIZERS.filter((n) => !isLRFree(n) && factsFor(n).momentumByDefault === true);

/**
 * A fresh optimizer at `lr`; `momentum` is the SGD momentum of `momentum` and `nesterov` (Caffe: 0.9);
 * `warmupSteps` only for the Schedule-Free optimizers (the others refuse it by name).
 */
export function makeOptimizer(name: OptimizerName, lr: number, momentum: number, warmupSteps?: number): tf.Optimizer {
  if (isLRFree(name)) return LR_FREE[name].make(lr, warmupSteps);
  noWarmup(name, warmupSteps);
  if (name === 'momentum' || name === 'nesterov') return tf.train.momentum(lr, momentum, name === 'nesterov');
  const factory = tf.train[name] as (learningRate: number) => tf.Optimizer;
  return factory(lr);
}

/**
 * One line for reports: the optimizer and the settings it trains with (from its own config; `warmupSteps` as for
 * makeOptimizer). A learning-rate-free optimizer is described at `learningRate` (the LR its run trains at), and names
 * every setting that is not its default: a run at the range test's LR used to read "defaults but warmupSteps N" with
 * the default learningRate listed.
 */
export function describeOptimizer(name: OptimizerName, momentum: number, warmupSteps?: number, learningRate?: number): string {
  if (name === 'sgd') return 'SGD';
  if (name === 'momentum') return `Momentum SGD (${momentum})`;
  if (name === 'nesterov') return `Nesterov (${momentum})`;
  if (isLRFree(name)) {
    const atDefault = learningRate === undefined || learningRate === defaultLR(name);
    const opt = LR_FREE[name].make(atDefault ? undefined : learningRate, warmupSteps);
    const changed = [...(atDefault ? [] : [`learningRate ${learningRate}`]), ...(warmupSteps === undefined ? [] : [`warmupSteps ${warmupSteps}`])];
    const text = `${opt.getClassName()} (${changed.length === 0 ? 'defaults' : `defaults but ${changed.join(', ')}`}: ${Object.entries(opt.getConfig()).map(([k, v]) => `${k} ${v}`).join(', ')})`;
    opt.dispose();
    return text;
  }
  const opt = makeOptimizer(name, 0.001, momentum);
  const config = opt.getConfig() as Record<string, unknown>;
  opt.dispose();
  const symbols: Record<string, string> = { beta1: 'β1', beta2: 'β2', rho: 'ρ', decay: 'decay' };
  const settings = Object.entries(symbols).flatMap(([k, label]) => (typeof config[k] === 'number' ? [`${label} ${config[k]}`] : []));
  return settings.length > 0 ? `${factsFor(name).className} (${settings.join(', ')})` : factsFor(name).className;
}
