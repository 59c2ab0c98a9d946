/**
 * One table of what this project knows about each built-in tfjs optimizer (tfjs 4.22, every row
 * checked on real weights in test/optimizers.test.ts). Every list and message about optimizers, in the
 * library, the example and the benches, derives from it: adding an optimizer is adding a row.
 * @packageDocumentation
 */

/** How an optimizer stores its learning rate: a kept scalar behind `setLearningRate()`, or a field read every step. */
export type LRAccess = 'setter' | 'field';
/** Where its momentum lives: Momentum's kept scalar `m`, RMSProp's `momentum` field, Adam's `beta1`. */
export type MomentumAccess = 'momentumScalar' | 'momentumField' | 'beta1';

/**
 * One built-in optimizer.
 * @internal
 */
export interface OptimizerFacts {
  /** `getClassName()` (the way to tell optimizers apart: `instanceof` is true for every class). */
  className: string;
  /** Its `tf.train` factory. */
  factory: 'sgd' | 'momentum' | 'rmsprop' | 'adam' | 'adamax' | 'adagrad' | 'adadelta';
  lr: LRAccess;
  /** Where its momentum is, if it has one. */
  momentum?: MomentumAccess;
  /** Its momentum is on with the factory's defaults (RMSProp's is 0 unless given). */
  momentumByDefault?: boolean;
  /** Scales each step by a running gradient statistic (the range test's default reading differs for these). */
  adaptive: boolean;
  /** How its whole state is copied and put back (src/tfjs/optimizerState.ts): see {@link StateAccess}. */
  state: StateAccess;
}

/**
 * How an optimizer's state is copied: through tfjs's own `getWeights`/`setWeights` (`'weights'`),
 * with the gaps verified on tfjs 4.22 (each in test/training-state.test.ts):
 * - `getWeights` returns the live slot variables (after a new iteration-count scalar), not copies;
 * - `setWeights` makes new slot variables without disposing the old ones;
 * - `scalarVariables`: one-element variables outside `getWeights` (Adam's running products of β1 and
 *   β2, which `setWeights` rebuilds as β^(t+1): wrong once a schedule has cycled β1).
 * Or field by field (`'fields'`) where `getWeights` throws (Adamax): its slot arrays and scalar
 * variables by name, and the iteration count.
 */
export type StateAccess =
  | { api: 'weights'; scalarVariables?: readonly string[] }
  | { api: 'fields'; slotFields: readonly string[]; scalarVariables: readonly string[] };

/**
 * The table.
 * @internal The repository's example reads it for its optimizer menu; not part of the public API.
 */
export const OPTIMIZER_FACTS: readonly OptimizerFacts[] = [
  { className: 'SGD', factory: 'sgd', lr: 'setter', adaptive: false, state: { api: 'weights' } },
  { className: 'Momentum', factory: 'momentum', lr: 'setter', momentum: 'momentumScalar', momentumByDefault: true, adaptive: false, state: { api: 'weights' } },
  { className: 'RMSProp', factory: 'rmsprop', lr: 'field', momentum: 'momentumField', momentumByDefault: false, adaptive: true, state: { api: 'weights' } },
  { className: 'Adam', factory: 'adam', lr: 'field', momentum: 'beta1', momentumByDefault: true, adaptive: true, state: { api: 'weights', scalarVariables: ['accBeta1', 'accBeta2'] } },
  { className: 'Adamax', factory: 'adamax', lr: 'field', momentum: 'beta1', momentumByDefault: true, adaptive: true, state: { api: 'fields', slotFields: ['accumulatedFirstMoment', 'accumulatedWeightedInfNorm'], scalarVariables: ['iteration', 'accBeta1'] } },
  { className: 'Adagrad', factory: 'adagrad', lr: 'field', adaptive: true, state: { api: 'weights' } },
  { className: 'Adadelta', factory: 'adadelta', lr: 'field', adaptive: true, state: { api: 'weights' } },
];

/** The row of a class name, if it is a built-in optimizer. */
export function factsOf(className: string): OptimizerFacts | undefined {
  return OPTIMIZER_FACTS.find((f) => f.className === className);
}

/** Class names of the rows that satisfy `keep`, for messages ("Momentum, RMSProp, Adam, Adamax"). */
export function optimizerNames(keep: (f: OptimizerFacts) => boolean = () => true): string[] {
  return OPTIMIZER_FACTS.filter(keep).map((f) => f.className);
}

/** Class names of tfjs-clr's learning-rate-free optimizers (registered with tfjs by importing `tfjs-clr/optimizers`). */
export const LR_FREE_CLASSES: readonly string[] = ['Prodigy', 'ScheduleFreeSGD', 'ScheduleFreeAdamW', 'DoG'];
