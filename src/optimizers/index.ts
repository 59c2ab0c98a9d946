/**
 * `tfjs-clr/optimizers`: the learning-rate-free optimizers, as tfjs optimizers (subclasses of
 * `tf.Optimizer`, registered for serialization: import this module before loading a model saved with
 * one). Each has a factory in the style of `tf.train`:
 *
 * - {@link prodigy}: Adam with its step estimated as it trains (Mishchenko & Defazio, ICML 2024);
 * - {@link scheduleFreeSGD}, {@link scheduleFreeAdamW}: no schedule, evaluated at an average (Defazio et al., NeurIPS 2024);
 * - {@link dog}: SGD with a distance-over-gradients step, evaluated at a polynomial average (Ivgi et al., ICML 2023).
 *
 * Their `learningRate` is a plain field (Prodigy's and DoG's a multiplier, 1 by default), so
 * `CyclicLR`, `OneCycleLR` and `LRScheduler` schedule it and `logs.learning_rate` reports it.
 * @packageDocumentation
 */
export { LRFreeOptimizer, type NamedTensor } from './base.js';
export { Prodigy, prodigy, type ProdigyOptions } from './prodigy.js';
export { ScheduleFreeSGD, ScheduleFreeAdamW, scheduleFreeSGD, scheduleFreeAdamW, type ScheduleFreeSGDOptions, type ScheduleFreeAdamWOptions } from './scheduleFree.js';
export { DoG, dog, type DoGOptions } from './dog.js';
