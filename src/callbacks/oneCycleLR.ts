/**
 * The `OneCycleLR` callback: the 1cycle policy, one cycle over the whole run.
 * @packageDocumentation
 */
import {
  oneCycleLRSchedule,
  oneCycleMomentumSchedule,
  ONE_CYCLE_KEYS,
  type OneCycleOptions,
} from '../schedules/oneCycle.js';
import { bool, knownKeys, optionsObject } from '../validate.js';
import { ScheduledLRCallback, type RunShape, type Schedules } from './scheduled.js';

/** Options of {@link OneCycleLR}: the schedule's (see {@link oneCycleLearningRate}) plus the callback's own. */
export interface OneCycleLRCallbackOptions extends Omit<OneCycleOptions, 'totalSteps'> {
  /**
   * Iterations in the cycle. Left out, it is taken at the first train begin as
   * (epochs − initialEpoch) × batches per epoch of that fit call; later fits hold the final LR.
   */
  totalSteps?: number;
  /**
   * Cycle momentum opposite to the LR (0.95 → 0.85 → 0.95 by default). Default: on where the
   * optimizer has momentum (Momentum, RMSProp; beta1 on Adam/Adamax), off elsewhere; `true` makes an
   * optimizer without momentum an error.
   */
  cycleMomentum?: boolean;
  /** Momentum at the LR's peak; default 0.85. */
  baseMomentum?: number;
  /** Momentum at the start and end; default 0.95. */
  maxMomentum?: number;
  /** Global iteration of the first batch, to resume a run; default 0. */
  initialIteration?: number;
}

const CALLBACK_KEYS: readonly string[] = [
  ...ONE_CYCLE_KEYS,
  'cycleMomentum',
  'baseMomentum',
  'maxMomentum',
  'initialIteration',
];

/**
 * Sets the learning rate (and, where the optimizer has one, the momentum) before every batch from the
 * 1cycle policy, after PyTorch's `OneCycleLR`.
 *
 * @example
 * ```ts
 * const one = new OneCycleLR({ maxLR: 0.01 }); // totalSteps from the fit: 10 epochs × batches
 * await model.fit(xs, ys, { epochs: 10, batchSize: 100, callbacks: [one] });
 * ```
 */
export class OneCycleLR extends ScheduledLRCallback {
  private readonly opts: OneCycleLRCallbackOptions;

  constructor(opts: OneCycleLRCallbackOptions) {
    const where = 'OneCycleLR';
    optionsObject(where, opts);
    knownKeys(where, opts, CALLBACK_KEYS);
    if (opts.cycleMomentum !== undefined) bool(where, 'cycleMomentum', opts.cycleMomentum);
    super(where, opts.initialIteration, opts.cycleMomentum ?? 'auto');
    this.opts = { ...opts };
    // Validate every option now; with totalSteps unknown, against a stand-in length.
    schedulesFor(where, this.opts, this.opts.totalSteps ?? 2 ** 52);
    this.rebuild(this.iteration, this.opts.cycleMomentum ?? 'auto');
  }

  protected override buildSchedules(shape: RunShape | null): Schedules | null {
    if (this.opts.totalSteps !== undefined) return schedulesFor(this.where, this.opts, this.opts.totalSteps);
    if (shape === null) return null;
    if (shape.stepsPerEpoch === null) {
      throw new Error(
        `${this.where}: totalSteps was not given and this run does not tell the batches per epoch ` +
          `(fitDataset without batchesPerEpoch on a dataset of unknown size); give totalSteps`,
      );
    }
    return schedulesFor(this.where, this.opts, shape.epochs * shape.stepsPerEpoch);
  }

  /** The options in force. */
  get options(): Readonly<OneCycleLRCallbackOptions> {
    return { ...this.opts };
  }
}

function schedulesFor(where: string, opts: OneCycleLRCallbackOptions, totalSteps: number): Schedules {
  const { cycleMomentum, baseMomentum, maxMomentum, initialIteration: _i, ...schedule } = opts;
  const lr = oneCycleLRSchedule(where, { ...schedule, totalSteps });
  const momentum =
    cycleMomentum === false ? null : oneCycleMomentumSchedule(where, { ...schedule, totalSteps, baseMomentum, maxMomentum });
  return { lr, momentum };
}

/** Factory for {@link OneCycleLR}. */
export function oneCycleLR(opts: OneCycleLRCallbackOptions): OneCycleLR {
  return new OneCycleLR(opts);
}
