/**
 * The part every schedule callback shares: a global batch counter, setting the optimizer's LR (and
 * momentum) in `onBatchBegin` so the same batch uses it, the per-batch history, and `logs.lr`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import type { Schedule } from '../schedules/cyclic.js';
import {
  checkLearningRateSupport,
  hasMomentum,
  setLearningRate,
  setMomentum,
} from '../optimizers.js';
import { integerAtLeast } from '../validate.js';

/** Logs as tfjs passes them to `tf.Callback` methods: numbers or scalar tensors. */
export type UnresolvedLogs = { [key: string]: number | tf.Tensor };

/** What a schedule callback recorded, one entry per batch: the values that batch **used**. */
export interface ScheduleHistory {
  /** The global iteration of each batch (restarts from 0 after `reset()`). */
  iteration: number[];
  /** The learning rate each batch used. */
  lr: number[];
  /** The momentum (or Adam's beta1) each batch used; present only when momentum is cycled. */
  momentum?: number[];
}

/** What a callback learns about the run from tfjs's `params` at train begin. */
export interface RunShape {
  /** Batches per epoch: `steps` (fitDataset) or ceil(samples / batchSize) (fit); null when unknown. */
  stepsPerEpoch: number | null;
  /** Epochs this fit call will run (epochs − initialEpoch). */
  epochs: number;
}

/** Reads the run's shape from tfjs's callback `params` (`fit` and `fitDataset` fill different fields). */
export function runShape(params: object | null | undefined): RunShape {
  const p = (params ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
  const steps = num(p.steps);
  const samples = num(p.samples);
  const batchSize = num(p.batchSize);
  const stepsPerEpoch = steps ?? (samples !== null && batchSize !== null ? Math.ceil(samples / batchSize) : null);
  const epochs = (num(p.epochs) ?? 1) - (typeof p.initialEpoch === 'number' ? p.initialEpoch : 0);
  return { stepsPerEpoch, epochs };
}

/** The schedules a callback runs, built once its run shape is known. */
export interface Schedules {
  lr: Schedule;
  momentum: Schedule | null;
}

/**
 * Base class of {@link CyclicLR} and {@link OneCycleLR}. Subclasses say how to build their schedules
 * from the run's shape; this class applies them batch by batch.
 */
export abstract class ScheduledLRCallback extends tf.Callback {
  /** The next global batch index: the batch about to run uses `lr(iteration)`. */
  iteration: number;
  /** Per-batch record of the values used. */
  readonly history: ScheduleHistory = { iteration: [], lr: [] };

  private schedules: Schedules | null = null;
  /** The run shape seen at the first train begin; schedules that depend on it are built from it. */
  private shape: RunShape | null = null;
  private cyclingMomentum = false;
  private lastLR: number | undefined;
  private lastMomentum: number | undefined;

  /**
   * @param where Name used in error messages.
   * @param cycleMomentum `true`: cycle it (error if the optimizer has none); `false`: never;
   *   `'auto'`: when the optimizer has one.
   */
  protected constructor(
    protected readonly where: string,
    initialIteration: number | undefined,
    private cycleMomentum: boolean | 'auto',
  ) {
    super();
    this.iteration = initialIteration === undefined ? 0 : integerAtLeast(where, 'initialIteration', initialIteration, 0);
  }

  /**
   * Builds the schedules. With `shape` null (before training), returns null if they depend on the run;
   * with a shape, throws a clear error if the shape does not tell what they need.
   */
  protected abstract buildSchedules(shape: RunShape | null): Schedules | null;

  /** (Re)builds the schedules from the options in force; subclasses call it once their options are set. */
  protected rebuild(iteration: number, cycleMomentum: boolean | 'auto'): void {
    const schedules = this.buildSchedules(this.shape);
    this.schedules = schedules;
    this.iteration = iteration;
    this.cycleMomentum = cycleMomentum;
  }

  /** The LR the schedule gives at a global iteration; undefined until it can be known (see `stepSizeEpochs`). */
  lrAt(iteration: number): number | undefined {
    return this.schedules?.lr(iteration);
  }

  override async onTrainBegin(): Promise<void> {
    const opt = this.model?.optimizer;
    if (opt == null) throw new Error(`${this.where}: the model has no optimizer; call model.compile() first`);
    checkLearningRateSupport(opt);
    if (this.cycleMomentum === true && !hasMomentum(opt)) {
      throw new Error(
        `${this.where}: cycleMomentum is true but optimizer ${JSON.stringify(opt.getClassName())} has no momentum ` +
          `(supported: Momentum, RMSProp, Adam, Adamax); set cycleMomentum: false`,
      );
    }
    this.cyclingMomentum = this.cycleMomentum === true || (this.cycleMomentum === 'auto' && hasMomentum(opt));
    if (this.schedules === null) {
      this.shape = runShape(this.params);
      this.schedules = this.buildSchedules(this.shape);
    }
    if (this.cyclingMomentum && this.history.momentum === undefined) this.history.momentum = [];
  }

  override async onBatchBegin(_batch: number, logs?: UnresolvedLogs): Promise<void> {
    const schedules = this.schedules;
    if (schedules === null) return; // only when onTrainBegin was not called (not through fit/fitDataset)
    const opt = this.model.optimizer;
    const i = this.iteration;
    const lr = schedules.lr(i);
    if (!Number.isFinite(lr) || lr < 0) {
      throw new Error(`${this.where}: the schedule gave learning rate ${lr} at iteration ${i}`);
    }
    setLearningRate(opt, lr);
    this.history.iteration.push(i);
    this.history.lr.push(lr);
    this.lastLR = lr;
    if (logs) logs.lr = lr;
    if (this.cyclingMomentum && schedules.momentum !== null) {
      const m = schedules.momentum(i);
      setMomentum(opt, m);
      this.history.momentum?.push(m);
      this.lastMomentum = m;
      if (logs) logs.momentum = m;
    }
    this.iteration = i + 1;
  }

  override async onEpochEnd(_epoch: number, logs?: UnresolvedLogs): Promise<void> {
    if (!logs) return;
    if (this.lastLR !== undefined) logs.lr = this.lastLR;
    if (this.cyclingMomentum && this.lastMomentum !== undefined) logs.momentum = this.lastMomentum;
  }
}
