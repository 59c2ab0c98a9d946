/**
 * The LR range test (Smith 2017, section 3.3): train while the LR rises from `minLR` to `maxLR`, record
 * loss and accuracy per batch, stop on NaN or divergence, then put the model back as it was.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { checkLearningRateSupport, isAdaptive } from '../tfjs/optimizers.js';
import { LRScheduler } from '../callbacks/lrScheduler.js';
import { SETS_LEARNING_RATE, type UnresolvedLogs } from '../callbacks/scheduled.js';
import { runShape } from '../tfjs/runShape.js';
import { fail } from '../validate.js';
import { finderOptions, type ResolvedFinderOptions } from './options.js';
import { defaultBurnIn, divergenceMonitor } from './divergence.js';
import { snapshotTraining, type TrainingSnapshot } from '../tfjs/snapshot.js';
import { findAccuracyKey, readLog } from '../tfjs/logs.js';
import { assertCalledOn } from '../callbacks/active.js';
import { rangeTestSchedule, type LRFinderOptions, type RangeTestResult, type StopReason } from './result.js';


const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * The LR range test as a callback for `fit`/`fitDataset`. Batch `i` uses the sweep's LR; loss and
 * accuracy are recorded per batch (`result`); the test stops on a non-finite loss or divergence;
 * afterwards the model's weights and the optimizer's state (LR, momentum, slot variables, iteration
 * count) are restored exactly, by default. Then read the bounds with {@link suggestBounds}, or use
 * {@link rangeTest}, which does all of it.
 *
 * @example
 * ```ts
 * const finder = new LRFinder({ minLR: 1e-4, maxLR: 0.05 });
 * await model.fit(xs, ys, { epochs: 4, batchSize: 100, callbacks: [finder] });
 * const { baseLR, maxLR } = suggestBounds(finder.result);
 * ```
 */
export class LRFinder extends tf.Callback {
  /** Marks it as a callback that sets the LR (for prepareCallbacks). */
  readonly [SETS_LEARNING_RATE] = true;
  private readonly opts: ResolvedFinderOptions;
  private state: {
    n: number;
    /** The sweep itself: the shared scheduling callback, driven by this one's batches. */
    sweep: LRScheduler;
    snapshot: TrainingSnapshot | null;
    result: RangeTestResult;
    divergence: ReturnType<typeof divergenceMonitor>;
    evaluateEvery: number;
    finished: boolean;
  } | null = null;

  constructor(opts: LRFinderOptions) {
    super();
    this.opts = finderOptions(opts);
  }

  /** The test's record so far (complete after training ends). */
  get result(): RangeTestResult {
    if (this.state === null) throw new Error('LRFinder: no result yet; pass the finder to model.fit or fitDataset first');
    return this.state.result;
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainBegin(): Promise<void> {
    assertCalledOn(this, LRFinder, 'LRFinder');
    if (this.state !== null && !this.state.finished) await this.finish();
    const opt = this.model?.optimizer;
    if (opt == null) throw new Error('LRFinder: the model has no optimizer; call model.compile() first');
    checkLearningRateSupport(opt);
    const shape = runShape(this.params);
    const n =
      this.opts.numIterations ??
      (shape.stepsPerEpoch !== null ? shape.epochs * shape.stepsPerEpoch : null);
    if (n === null) {
      throw new Error(
        'LRFinder: numIterations was not given and this run does not tell its number of batches ' +
          '(fitDataset without batchesPerEpoch on a dataset of unknown size); give numIterations',
      );
    }
    if (n < 2) fail('LRFinder', 'numIterations', 'at least 2 (the fit has fewer batches)', n);
    const { minLR, maxLR, mode } = this.opts;
    const sweep = new LRScheduler({ lr: rangeTestSchedule(minLR, maxLR, n, mode) });
    sweep.setModel(this.model);
    this.state = {
      n,
      sweep,
      snapshot: this.opts.restore ? await snapshotTraining(this.model) : null,
      result: {
        mode,
        minLR,
        maxLR,
        numIterations: n,
        iteration: sweep.history.iteration, // filled by the sweep, batch by batch
        lr: sweep.history.lr,
        loss: [],
        accuracy: null,
        accuracyKey: this.opts.accuracyKey ?? null,
        optimizer: opt.getClassName(),
        adaptive: isAdaptive(opt),
        batchSize: typeof (this.params as { batchSize?: unknown } | undefined)?.batchSize === 'number' ? (this.params as { batchSize: number }).batchSize : null,
        smoothedLoss: [],
        validation: this.opts.validationData ? { iteration: [], lr: [], loss: [], accuracy: null, samples: rowsOf(this.opts.validationData[0]) } : null,
        stopReason: 'end-of-fit',
        stoppedAt: null,
        restored: false,
      },
      divergence: divergenceMonitor({
        smoothing: this.opts.smoothing,
        burnIn: this.opts.burnIn || defaultBurnIn(n),
        factor: this.opts.divergenceFactor,
        patience: this.opts.divergencePatience,
      }),
      evaluateEvery: this.opts.evaluateEvery || Math.max(1, Math.floor(n / 40)),
      finished: false,
    };
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onBatchBegin(batch: number, logs?: UnresolvedLogs): Promise<void> {
    const st = this.state;
    if (st === null || st.finished) return;
    await st.sweep.onBatchBegin(batch, logs); // sets the LR, records it, writes logs.learning_rate and logs.lr
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onBatchEnd(_batch: number, logs?: UnresolvedLogs): Promise<void> {
    const st = this.state;
    if (st === null || st.finished) return;
    const r = st.result;
    const i = r.lr.length - 1;
    const loss = await readLog(logs?.loss);
    r.loss.push(finiteOrNull(loss));
    const key = r.accuracyKey ?? (logs ? findAccuracyKey(logs) : null);
    if (key !== null) {
      if (r.accuracyKey === null) r.accuracyKey = key;
      if (r.accuracy === null) r.accuracy = new Array<number | null>(i).fill(null);
      r.accuracy.push(finiteOrNull(await readLog(logs?.[key])));
    }

    // Smoothed loss (bias-corrected moving average) and the divergence rule.
    const { smooth, divergedAt } = st.divergence(i, loss);
    r.smoothedLoss.push(finiteOrNull(smooth));
    const stop = (reason: StopReason, at = i): void => {
      r.stopReason = reason;
      if (reason !== 'completed') r.stoppedAt = at;
      this.model.stopTraining = true;
    };
    if (!Number.isFinite(loss)) {
      if (this.opts.stopOnNonFinite) return stop('non-finite-loss');
    } else if (this.opts.stopOnDivergence && divergedAt !== null) {
      return stop('diverged', divergedAt);
    }
    const last = i === st.n - 1;
    if (r.validation && this.opts.validationData && (i === 0 || (i + 1) % st.evaluateEvery === 0 || last)) {
      await this.evaluate(i, r.lr[i]);
    }
    if (last) stop('completed');
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onEpochEnd(epoch: number, logs?: UnresolvedLogs): Promise<void> {
    const st = this.state;
    if (st !== null && !st.finished) await st.sweep.onEpochEnd(epoch, logs); // the last LR as logs.learning_rate / lr
  }

  /** @hidden tfjs calls it (see tf.Callback). */
  override async onTrainEnd(): Promise<void> {
    await this.finish();
  }

  /** Ends the test: restores the model (unless `restore: false`) and frees the saved state. Idempotent. */
  async finish(): Promise<void> {
    const st = this.state;
    if (st === null || st.finished) return;
    st.finished = true;
    if (st.snapshot) {
      await st.snapshot.restore();
      st.result.restored = true;
    }
  }

  private async evaluate(i: number, lr: number): Promise<void> {
    const v = this.state?.result.validation;
    const data = this.opts.validationData;
    if (!v || !data) return;
    const out = this.model.evaluate(data[0], data[1], { batchSize: this.opts.validationBatchSize, verbose: 0 });
    const outs = Array.isArray(out) ? out : [out];
    const values = await Promise.all(outs.map(async (t) => (await t.data())[0]));
    tf.dispose(outs);
    const names = this.model.metricsNames;
    const accIndex = names.findIndex((name, k) => k > 0 && /acc/i.test(name));
    v.iteration.push(i);
    v.lr.push(lr);
    v.loss.push(finiteOrNull(values[0]));
    if (accIndex > 0) {
      if (v.accuracy === null) v.accuracy = new Array<number | null>(v.iteration.length - 1).fill(null);
      v.accuracy.push(finiteOrNull(values[accIndex]));
    }
  }
}

/** Rows of a tensor, or of the first of a list of tensors. */
function rowsOf(x: tf.Tensor | tf.Tensor[]): number {
  return (Array.isArray(x) ? x[0] : x).shape[0] ?? 0;
}

/** Factory for {@link LRFinder}. */
export function lrFinder(opts: LRFinderOptions): LRFinder {
  return new LRFinder(opts);
}

