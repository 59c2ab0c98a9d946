/**
 * What the CIFAR-10 experiment takes and gives (experiment.ts runs it, report.ts writes it out).
 */
import type { BoundsSuggestion, OneCycleReading, RangeTestResult, ScheduleFreeAdamWSettings, ScheduleFreeSGDSettings } from 'tfjs-clr';
import type { ProgressMode } from './callbacks.js';
import type { Cifar10 } from './data.js';
import type { NetName } from './model.js';
import type { OptimizerName } from './optimizers.js';
import type { PolicyName, PolicySettings } from './policies.js';

export interface ExperimentOptions {
  data: Cifar10;
  net: NetName;
  policies: PolicyName[];
  /** Each is trained with every policy (default: Momentum SGD alone). */
  optimizers?: OptimizerName[];
  /** Cycle momentum (Adam: beta1) with the LR in the cyclic policies, where the optimizer has one. */
  cycleMomentum?: boolean;
  iterations: number;
  evalEvery: number;
  batchSize: number;
  momentum: number;
  seed: number;
  baseLR?: number;
  maxLR?: number;
  stepSize?: number;
  fixedLR?: number;
  rangeTest: boolean;
  /** With rangeMaxLR: epochs of the linear sweep (or rangeIterations). */
  rangeEpochs: number;
  /** With rangeMaxLR: length of the sweep in iterations (default: rangeEpochs epochs). */
  rangeIterations?: number;
  /** The sweep's ends; without rangeMaxLR the test is zero-config (probes, then sweep). */
  rangeMinLR?: number;
  rangeMaxLR?: number;
  /** Zero-config test: iterations for probes and sweep together (default: the library's, 500). */
  rangeBudget?: number;
  /** Cyclic policies: re-run the range test from the current weights after this many iterations. */
  retestAfter?: number;
  /** Step size after the re-test (default: half the first, as the paper's 2,000 → 1,000). */
  retestStepSize?: number;
  /** Cyclic policies: stop at a cycle's end once test accuracy stops improving (CycleEndStopping). */
  stopAtCycleEnd?: boolean;
  /** Cycle ends without improvement before stopping (default 1). */
  stopPatience?: number;
  /**
   * Save a checkpoint (weights, optimizer state, schedule state, record so far) every this many
   * iterations, a multiple of evalEvery, in `out/checkpoints`; a rerun of the same command continues
   * from the last one, and reuses finished runs and range tests.
   */
  checkpointEvery?: number;
  /**
   * Learning-rate-free optimizers: train at the LR their family's range test gives (Adam's for
   * Schedule-Free AdamW and Prodigy, Momentum SGD's for the others), read as 1cycle's peak with this
   * reading, instead of at their own default; `'recipe'`: the LR and warmup `rangeTest` itself returns for the
   * optimizer (`scheduleFreeAdamWOptions`, `scheduleFreeSGDOptions`, given `trainingSteps` = `iterations`).
   */
  lrFreeReading?: OneCycleReading | 'recipe';
  /** With lrFreeReading: train at this multiple of the reading (Schedule-Free SGD's authors advise 10–50× a classical SGD LR); default 1. */
  lrFreeScale?: number;
  /** Schedule-Free optimizers: a linear warmup over this fraction of `iterations` (rounded to whole steps); default none. */
  lrFreeWarmup?: number;
  /** Run the range tests the other options imply and train nothing (results.json then holds the range tests only). */
  rangeOnly?: boolean;
  /** Averages of the weights kept beside each run and scored at every evaluation: `swa`, `ema`, `ema:<decay>` (checked by averaging.ts's parseAveraging). */
  average?: string[];
  out: string;
  backend: { name: string; why: string };
  /** How to show progress (a bar on a terminal, plain lines in logs, or none). */
  progress: ProgressMode;
  log: (msg: string) => void;
  command: string;
}

export interface RangeTestRecord {
  optimizer: OptimizerName;
  /** Iteration of the run it was taken at (0: before training, from the initial weights). */
  at: number;
  policy?: PolicyName;
  result: RangeTestResult;
  suggestion: BoundsSuggestion;
  iterations: number;
  /**
   * What `rangeTest` returned for the Schedule-Free optimizers (a test before training, given `trainingSteps` =
   * the run's iterations): Adam's test gives `scheduleFreeAdamW`, Momentum SGD's `scheduleFreeSGD`; null otherwise.
   */
  scheduleFree?: { scheduleFreeAdamW: ScheduleFreeAdamWSettings | null; scheduleFreeSGD: ScheduleFreeSGDSettings | null };
  /** Its plot, relative to the results folder. */
  svg?: string;
}

export interface PolicyRun {
  name: PolicyName;
  optimizer: OptimizerName;
  optimizerDescription: string;
  /** The policy, or "optimizer policy" when several optimizers ran. */
  label: string;
  describe: string;
  evals: { iteration: number[]; accuracy: number[]; loss: number[] };
  lr: number[];
  bestAccuracy: number;
  bestAt: number;
  finalAccuracy: number;
  /** Iterations trained (fewer than the budget when stopped at a cycle's end). */
  iterations: number;
  trainSeconds: number;
  evalSeconds: number;
  imagesPerSecond: number;
  retest?: { at: number; baseLR: number | null; maxLR: number | null; stepSize: number; note: string };
  stopped?: { iteration: number; cycle: number; reason: string };
  /** For a row of an average (`--average`): the run whose weights it averaged, and how. */
  averageOf?: { label: string; name: string };
}

export type Stats = { mean: number[]; std: number[] };
type Settings = Omit<ExperimentOptions, 'data' | 'log' | 'backend' | 'progress' | 'command'> & PolicySettings;

export interface ExperimentResult {
  command: string;
  date: string;
  backend: { name: string; why: string };
  settings: Settings & { optimizers: OptimizerName[]; perOptimizer: Record<string, PolicySettings>; trainImages: number; testImages: number; trainFiles: string[] };
  /** The first optimizer's range test before training (kept for readers of earlier results). */
  rangeTest: RangeTestRecord | null;
  rangeTests: RangeTestRecord[];
  runs: PolicyRun[];
}
