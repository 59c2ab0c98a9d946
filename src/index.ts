/**
 * tfjs-clr: Cyclical Learning Rates for TensorFlow.js.
 *
 * The core entry is backend-agnostic and browser-safe: it imports only `@tensorflow/tfjs`.
 * @packageDocumentation
 */
export {
  cyclicLearningRate,
  cyclicMomentum,
  type Schedule,
  type CyclicMode,
  type CyclicWindow,
  type ScaleMode,
  type CycleShapeOptions,
  type CyclicLROptions,
  type CyclicMomentumOptions,
} from './schedules/cyclic.js';
export {
  oneCycleLearningRate,
  oneCycleMomentum,
  type AnnealStrategy,
  type OneCycleOptions,
  type OneCycleMomentumOptions,
} from './schedules/oneCycle.js';
export {
  getLearningRate,
  setLearningRate,
  getMomentum,
  setMomentum,
  hasMomentum,
  checkLearningRateSupport,
} from './optimizers.js';
export { ScheduledLRCallback, type ScheduleHistory, type RunShape, type UnresolvedLogs } from './callbacks/scheduled.js';
export { CyclicLR, cyclicLR, type CyclicLRCallbackOptions } from './callbacks/cyclicLR.js';
export { OneCycleLR, oneCycleLR, type OneCycleLRCallbackOptions } from './callbacks/oneCycleLR.js';
export {
  LRFinder,
  lrFinder,
  rangeTestSchedule,
  type LRFinderOptions,
  type RangeTestResult,
  type StopReason,
  type SweepMode,
} from './finder/lrFinder.js';
export { rangeTest, type RangeTestData, type RangeTestOptions, type RangeTestOutcome } from './finder/rangeTest.js';
export { snapshotTraining, type TrainingSnapshot } from './finder/snapshot.js';
export {
  suggestBounds,
  suggestStepSize,
  type BoundsSuggestion,
  type MaxLRReason,
  type RangeCurve,
  type SuggestBoundsOptions,
  type StepSizeOptions,
  type TrainingPlan,
} from './analysis/suggest.js';
export { LRScheduler, lrScheduler, type LRSchedulerOptions } from './callbacks/lrScheduler.js';
