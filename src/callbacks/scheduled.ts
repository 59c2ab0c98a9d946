/**
 * The part every schedule callback shares: a global batch counter, setting the optimizer's LR (and
 * momentum) in `onBatchBegin` so the same batch uses it, the per-batch history, and `logs.learning_rate`
 * (Keras 3's key; `logs.lr` as an alias).
 * @packageDocumentation
 */
import { optimizerNames } from '../optimizerFacts.js';
import * as tf from '@tensorflow/tfjs';
import type { Schedule } from '../schedules/schedule.js';
import {
  checkLearningRateSupport,
  hasMomentum,
  setLearningRate,
  setMomentum,
} from '../tfjs/optimizers.js';
import { atLeast, choice, fail, fromTable, integerAtLeast, nonNegative, optionsObject, positive, satisfies, type TableOf } from '../validate.js';
import { activate, assertCalledOn, deactivate } from './active.js';
import { runShape, type RunShape } from '../tfjs/runShape.js';
import { logLearningRate, readLog } from '../tfjs/logs.js';


/**
 * A schedule callback's state as plain JSON (`getState()`), to resume a run in a new process with a
 * new callback (`setState(state)`): where it is, any scaling ReduceLROnPlateau applied, and the options
 * in force (after `reset`, with lengths resolved from the first fit).
 */
export interface ScheduleState {
  /** The class that wrote it: `CyclicLR`, `OneCycleLR` or `LRScheduler`. */
  kind: string;
  iteration: number;
  /** Factor applied to the schedule's LR (1 unless ReduceLROnPlateau reduced it). */
  lrScale: number;
  /** The LR never goes below this (ReduceLROnPlateau's minLR once it scaled; else 0). */
  lrFloor: number;
  /** JSON options in force, where the class has them (functions such as `scaleFn` are not saved). */
  options?: Record<string, unknown>;
}

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

/** The schedules a callback runs, built once its run shape is known. */
export interface Schedules {
  lr: Schedule;
  momentum: Schedule | null;
}

/**
 * What a schedule callback does at the first batch whose loss is NaN or infinite: `'warn'` (default:
 * once, with the iteration and the LR), `'stop'` (warn and stop training after that batch, as Keras's
 * `TerminateOnNaN`), `'ignore'` (never read the loss).
 *
 * `'warn'` never makes a batch wait: the loss is read in the background (a copy of the scalar, freed
 * once read), so on webgl/webgpu tfjs's pipeline is not stalled; the warning names the batch and LR
 * it was about, and every read has landed by the end of the fit. `'stop'` must know before the next
 * batch, so it awaits each batch's loss (one read a batch: a GPU sync there).
 */
export type NaNPolicy = 'warn' | 'stop' | 'ignore';

/** The option every schedule callback takes about a non-finite loss. */
export interface NaNOption {
  /** At the first NaN or infinite loss: `'warn'` (default), `'stop'` (as Keras's TerminateOnNaN) or `'ignore'`. */
  onNaN?: NaNPolicy;
}

/** `onNaN`'s check, for each callback's option table. */
export const NAN_OPTION: TableOf<NaNOption> = { onNaN: { check: choice(['warn', 'stop', 'ignore'] as const) } };

/**
 * Marks a callback that sets the optimizer's LR before every batch (every schedule callback here, and
 * the range test's `LRFinder`), so `prepareCallbacks` finds them without importing each class.
 */
export const SETS_LEARNING_RATE: unique symbol = Symbol.for('tfjs-clr.setsLearningRate');

/** Whether `c` is marked with `SETS_LEARNING_RATE`. */
export function setsLearningRate(c: unknown): boolean {
  return typeof c === 'object' && c !== null && (c as { [SETS_LEARNING_RATE]?: unknown })[SETS_LEARNING_RATE] === true;
}

/**
 * Base class of {@link CyclicLR} and {@link OneCycleLR}. Subclasses say how to build their schedules
 * from the run's shape; this class applies them batch by batch.
 */
export abstract class ScheduledLRCallback extends tf.Callback {
  /** Marks it as a callback that sets the LR (for prepareCallbacks). */
  readonly [SETS_LEARNING_RATE] = true;
  /** The next global batch index: the batch about to run uses `lr(iteration)`. */
  iteration: number;
  /** Per-batch record of the values used. */
  readonly history: ScheduleHistory = { iteration: [], lr: [] };

  private schedules: Schedules | null = null;
  /** The run shape seen at the first train begin; schedules that depend on it are built from it. */
  private shape: RunShape | null = null;
  private cyclingMomentum = false;
  private lastLRValue: number | undefined;
  private lastMomentum: number | undefined;
  private lrScale = 1;
  private lrFloor = 0;

  /**
   * @param where Name used in error messages.
   * @param cycleMomentum `true`: cycle it (error if the optimizer has none); `false`: never;
   *   `'auto'`: when the optimizer has one.
   */
  /** Whether this fit already met a non-finite loss (one warning a fit). */
  private nanSeen = false;
  /** The background loss reads of `onNaN: 'warn'` not yet landed (awaited at the end of the fit). */
  private readonly lossReads = new Set<Promise<void>>();

  protected constructor(
    protected readonly where: string,
    initialIteration: number | undefined,
    private cycleMomentum: boolean | 'auto',
    private readonly onNaN: NaNPolicy = 'warn',
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

  /**
   * The LR the schedule gives at a global iteration (before any ReduceLROnPlateau scaling). A length
   * taken from the run (`stepSizeEpochs`, a OneCycleLR without `totalSteps`) is known from the first
   * fit on; before that this throws, saying so.
   */
  lrAt(iteration: number): number {
    if (this.schedules === null) {
      throw new Error(`${this.where}: lrAt() needs the schedule's length, which comes from the first fit (epochs × batches per epoch); call it after training begins, or give the length in iterations`);
    }
    return this.schedules.lr(iteration);
  }

  /** The LR the last batch used (undefined before the first). */
  get lastLR(): number | undefined {
    return this.lastLRValue;
  }

  /**
   * Multiplies every later LR by `factor` (both bounds of a cycle), never below `minLR`: what
   * ReduceLROnPlateau does to a schedule in the same fit instead of setting the optimizer's LR, which
   * the schedule would overwrite at the next batch.
   */
  scaleLR(factor: number, minLR = 0): void {
    positive(this.where, 'scaleLR factor', factor);
    this.lrScale *= factor;
    this.lrFloor = Math.max(this.lrFloor, nonNegative(this.where, 'scaleLR minLR', minLR));
  }

  /** Plain-JSON state, to resume with {@link setState} on a new callback (e.g. in a new process). */
  getState(): ScheduleState {
    const options = this.stateOptions();
    return { kind: this.where, iteration: this.iteration, lrScale: this.lrScale, lrFloor: this.lrFloor, ...(options ? { options } : {}) };
  }

  /**
   * Restores a {@link getState} result: the next batch uses the schedule at the saved iteration, with
   * the saved scaling and options. A state from another kind of callback, or with bad values, is an
   * error and changes nothing.
   */
  setState(state: ScheduleState): void {
    const where = `${this.where}.setState`;
    const { iteration, lrScale, lrFloor } = fromTable<ScheduleState>(where, state, {
      kind: { check: satisfies((v) => v === this.where, `"${this.where}" (a state from getState() of a ${this.where})`), required: true },
      iteration: { check: atLeast(0), required: true },
      lrScale: { check: positive, required: true },
      lrFloor: { check: nonNegative, required: true },
      options: { check: (_w, _o, v) => (optionsObject(`${where} options`, v), v as Record<string, unknown>) },
    });
    this.restoreOptions(state.options); // validates; throws before anything changes
    this.iteration = iteration;
    this.lrScale = lrScale;
    this.lrFloor = lrFloor;
  }

  /** The JSON options a subclass saves in its state (none by default). */
  protected stateOptions(): Record<string, unknown> | undefined {
    return undefined;
  }

  /** Applies saved options (validated by the subclass); the base class has none. */
  protected restoreOptions(options: Record<string, unknown> | undefined): void {
    if (options !== undefined) fail(`${this.where}.setState`, 'options', 'left out for this callback', options);
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainEnd(): Promise<void> {
    await Promise.all(this.lossReads); // every warning of this fit is out before fit returns
    if (this.model) deactivate(this.model, this);
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainBegin(): Promise<void> {
    assertCalledOn(this, ScheduledLRCallback, 'tfjs-clr schedule callback');
    const opt = this.model?.optimizer;
    if (opt == null) throw new Error(`${this.where}: the model has no optimizer; call model.compile() first`);
    checkLearningRateSupport(opt);
    if (this.cycleMomentum === true && !hasMomentum(opt)) {
      throw new Error(
        `${this.where}: cycleMomentum is true but optimizer ${JSON.stringify(opt.getClassName())} has no momentum ` +
          `(supported: ${optimizerNames((f) => f.momentum !== undefined).join(', ')}); set cycleMomentum: false`,
      );
    }
    this.cyclingMomentum = this.cycleMomentum === true || (this.cycleMomentum === 'auto' && hasMomentum(opt));
    if (this.schedules === null) {
      this.shape = runShape(this.params);
      this.schedules = this.buildSchedules(this.shape);
    }
    if (this.cyclingMomentum && this.history.momentum === undefined) this.history.momentum = [];
    this.nanSeen = false;
    activate(this.model, this);
  }

  /**
   * @hidden tfjs calls it (see tf.Callback). Reads the batch's loss (one scalar read, unless `onNaN`
   * is `'ignore'`) and acts on the first non-finite one.
   */
  override async onBatchEnd(batch: number, logs?: UnresolvedLogs): Promise<void> {
    if (this.onNaN === 'ignore' || this.nanSeen || logs?.loss == null) return;
    const at = { iteration: this.iteration - 1, batch, lr: this.lastLRValue };
    if (this.onNaN === 'stop' || typeof logs.loss === 'number') {
      this.checkLoss(await readLog(logs.loss), at);
      return;
    }
    // 'warn': read a copy in the background (tfjs frees the batch's logs after this call returns).
    const copy = tf.clone(logs.loss); // tf.clone, not the method: a bundled page may lack the method's op handler
    const read: Promise<void> = copy
      .data()
      .then((v) => this.checkLoss(v[0], at))
      .finally(() => {
        copy.dispose();
        this.lossReads.delete(read);
      });
    this.lossReads.add(read);
  }

  /** Acts on the first non-finite loss of a fit (`at`: the batch it came from). */
  private checkLoss(loss: number, at: { iteration: number; batch: number; lr: number | undefined }): void {
    if (Number.isFinite(loss) || this.nanSeen) return;
    this.nanSeen = true;
    const stop = this.onNaN === 'stop';
    console.warn(
      `${this.where}: the loss was ${loss} at iteration ${at.iteration} (batch ${at.batch} of its epoch), learning rate ${at.lr}: ` +
        (stop
          ? 'training stops after this batch (onNaN: "stop")'
          : 'training goes on, but the weights are likely NaN from here; check the data for NaN or infinite values, or lower the LR; pass onNaN: "stop" to stop at the first one (as Keras\'s TerminateOnNaN)'),
    );
    if (stop) this.model.stopTraining = true;
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onBatchBegin(_batch: number, logs?: UnresolvedLogs): Promise<void> {
    const schedules = this.schedules;
    if (schedules === null) return; // only when onTrainBegin was not called (not through fit/fitDataset)
    const opt = this.model.optimizer;
    const i = this.iteration;
    const scaled = schedules.lr(i) * this.lrScale; // × 1 unless ReduceLROnPlateau scaled it
    const lr = this.lrFloor > 0 ? Math.max(scaled, this.lrFloor) : scaled;
    if (!Number.isFinite(lr) || lr < 0) {
      throw new Error(`${this.where}: the schedule gave learning rate ${lr} at iteration ${i}`);
    }
    setLearningRate(opt, lr);
    this.history.iteration.push(i);
    this.history.lr.push(lr);
    this.lastLRValue = lr;
    logLearningRate(logs, lr);
    if (this.cyclingMomentum && schedules.momentum !== null) {
      const m = schedules.momentum(i);
      setMomentum(opt, m);
      this.history.momentum?.push(m);
      this.lastMomentum = m;
      if (logs) logs.momentum = m;
    }
    this.iteration = i + 1;
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onEpochEnd(_epoch: number, logs?: UnresolvedLogs): Promise<void> {
    if (!logs) return;
    if (this.lastLRValue !== undefined) logLearningRate(logs, this.lastLRValue);
    if (this.cyclingMomentum && this.lastMomentum !== undefined) logs.momentum = this.lastMomentum;
  }
}
