/**
 * tfjs-clr: Cyclical Learning Rates for TensorFlow.js.
 *
 * The core entry is backend-agnostic and browser-safe: it imports only `@tensorflow/tfjs`.
 * @packageDocumentation
 */
export type { CyclicSchedule, Schedule } from './schedules/schedule.js';
export {
  constantSchedule,
  linearSchedule,
  polynomialDecaySchedule,
  cosineDecaySchedule,
  exponentialDecaySchedule,
  stepDecaySchedule,
  piecewiseConstantSchedule,
  type LinearScheduleOptions,
  type PolynomialDecayOptions,
  type CosineDecayOptions,
  type ExponentialDecayOptions,
  type StepDecayOptions,
  type PiecewiseConstantOptions,
} from './schedules/decay.js';
export {
  joinSchedules,
  warmupCosineSchedule,
  cosineRestartsSchedule,
  warmupStableDecaySchedule,
  type WarmupStableDecayOptions,
  type CooldownShape,
  type WarmupCosineOptions,
  type CosineRestartsOptions,
} from './schedules/compose.js';
export {
  cyclicLearningRate,
  cyclicMomentum,
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
} from './tfjs/optimizers.js';
export { ScheduledLRCallback, type ScheduleHistory, type ScheduleState, type UnresolvedLogs, type NaNPolicy, type NaNOption } from './callbacks/scheduled.js';
export type { RunShape } from './tfjs/runShape.js';
export { CyclicLR, cyclicLR, type CyclicLRCallbackOptions } from './callbacks/cyclicLR.js';
export { OneCycleLR, oneCycleLR, type OneCycleLRCallbackOptions } from './callbacks/oneCycleLR.js';
export { LRFinder, lrFinder } from './finder/lrFinder.js';
export { rangeTestSchedule, type LRFinderOptions, type RangeTestResult, type StopReason, type SweepMode } from './finder/result.js';
export {
  rangeTest,
  DEFAULT_BUDGET,
  DEFAULT_PROBES,
  PROBE_RANGE,
  type RangeTestData,
  type RangeTestOptions,
  type RangeTestOutcome,
} from './finder/rangeTest.js';
export { meanProbe } from './finder/probes.js';
export {
  scheduleFreeLR,
  SCHEDULE_FREE_ADAMW_DEFAULT_LR,
  SCHEDULE_FREE_LR_FACTOR,
  SCHEDULE_FREE_TRUST_RATIO,
  SCHEDULE_FREE_MAX_RATIO,
  SCHEDULE_FREE_ADAMW_WARMUP,
  scheduleFreeSGDSettings,
  scheduleFreeSGDFactor,
  trainingEdge,
  SCHEDULE_FREE_SGD_LR_FACTOR,
  SCHEDULE_FREE_SGD_LONG_RUN_FACTOR,
  SCHEDULE_FREE_SGD_LONG_RUN,
  SCHEDULE_FREE_SGD_NEAR_EDGE_FACTOR,
  SCHEDULE_FREE_SGD_PROBE_EDGE,
  SCHEDULE_FREE_SGD_SWEEP_EDGE,
  SCHEDULE_FREE_SGD_WARMUP,
  type ScheduleFreeLROptions,
  type ScheduleFreeLRChoice,
  type ScheduleFreeAdamWSettings,
  type ScheduleFreeSGDSettings,
  type ScheduleFreeSGDSettingsOptions,
  type TrainingEdge,
} from './analysis/scheduleFreeLR.js';
export { oneCyclePeak, lossFloor, ONE_CYCLE_READINGS, DEFAULT_ONE_CYCLE_READING, type OneCycleReading } from './analysis/oneCyclePeak.js';
export { snapshotTraining, type TrainingSnapshot } from './tfjs/snapshot.js';
export { copyOptimizerState, type OptimizerStateCopy, type OwnsState } from './tfjs/optimizerState.js';
export { saveTraining, loadTraining, type StatefulCallback } from './tfjs/checkpoint.js';
export {
  suggestBounds,
  suggestStepSize,
  suggestionRules,
  RULE_OPTIONS,
  DEFAULT_RULE,
  type SuggestBoundsOptions,
  type StepSizeOptions,
  type TrainingPlan,
} from './analysis/suggest.js';
export type { BoundsSuggestion, MaxLRReason, RangeCurve, RuleName, RuleOptions, SuggestionRule } from './analysis/curve.js';
export { accuracyRule, type AccuracyRuleOptions } from './analysis/accuracyRule.js';
export { valleyRule, steepRule, minimumRule, type LossRuleOptions, type MinimumRuleOptions } from './analysis/lossRules.js';
export { thumbRule, type ThumbRuleOptions, type LossReading } from './analysis/thumbRule.js';
export { LRScheduler, lrScheduler, type LRSchedulerOptions } from './callbacks/lrScheduler.js';
export { prepareCallbacks, type CallbackConfig, type FitCallback } from './callbacks/prepare.js';
export { CycleEndStopping, cycleEndStopping, type CycleEndStoppingOptions } from './callbacks/cycleEndStopping.js';
export { ReduceLROnPlateau, reduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauState } from './callbacks/reduceLROnPlateau.js';
export { readLog, readLogSync, findAccuracyKey, type LogValue } from './tfjs/logs.js';
// @internal: the example's optimizer menu reads it; not part of the API.
export { OPTIMIZER_FACTS, type OptimizerFacts } from './optimizerFacts.js';
export { WeightAveraging, weightAveraging, type WeightAveragingOptions, type WeightAveragingState, type CycleSource } from './callbacks/weightAveraging.js';
export { KeepBest, keepBest, type KeepBestOptions } from './callbacks/keepBest.js';
export { updateBatchNorm, type UpdateBatchNormOptions, type BatchNormData } from './tfjs/batchNorm.js';
