/**
 * The example's own callbacks: progress (a bar on a terminal, plain lines elsewhere) and test accuracy
 * at fixed intervals.
 */
import * as tf from '@tensorflow/tfjs';
import { SingleBar, Presets } from 'cli-progress';
import { findAccuracyKey, readLogSync } from 'tfjs-clr';
import type { Split } from './data.js';
import { evaluate } from './batches.js';

type Logs = { [k: string]: number | tf.Tensor };

/** How progress is shown: a bar (terminal), plain lines every `every` seconds (CI, `| tee`), or nothing. */
export type ProgressMode = 'bar' | 'lines' | 'off';

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

/**
 * Progress with ETA, loss, accuracy (smoothed), LR and images/s, updated every batch: a bar on a
 * terminal; else one plain line at most every `lineSeconds` (and at the end), so logs show life.
 */
export class ProgressCallback extends tf.Callback {
  private bar: SingleBar | null = null;
  private done = 0;
  private loss = NaN;
  private acc = NaN;
  private t0 = 0;
  private lastLine = 0;
  /** The logs' accuracy key, found at the first batch (it does not change within a fit). */
  private accKey: string | null | undefined;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly mode: ProgressMode,
    private readonly batchSize: number,
    private readonly print: (line: string) => void = console.log,
    private readonly lineSeconds = 15,
    /** Iterations done before this fit (a run in several fits, or resumed), counted in the progress. */
    private readonly start = 0,
  ) {
    super();
  }
  /** Whether a fit has begun: later fits with this callback (the range test's stages) go on counting. */
  private begun = false;
  override async onTrainBegin(): Promise<void> {
    this.accKey = undefined;
    if (!this.begun) {
      this.begun = true;
      this.done = this.start;
      this.t0 = performance.now();
      this.lastLine = this.t0;
    }
    if (this.mode !== 'bar') return;
    this.bar = new SingleBar(
      { format: `${this.label.padEnd(12)} {bar} {value}/{total} it | ETA {eta_formatted} | loss {loss} | acc {acc} | lr {lr}`, hideCursor: true },
      Presets.shades_classic,
    );
    this.bar.start(this.total, this.done, { loss: '-', acc: '-', lr: '-' });
  }
  override async onBatchEnd(_batch: number, logs?: Logs): Promise<void> {
    this.done++;
    if (this.mode === 'off' || !logs) return;
    const l = readLogSync(logs.loss);
    if (this.accKey === undefined) this.accKey = findAccuracyKey(logs);
    const a = this.accKey === null ? NaN : readLogSync(logs[this.accKey]);
    // Smooth a little so the numbers are readable.
    this.loss = Number.isNaN(this.loss) ? l : 0.9 * this.loss + 0.1 * l;
    this.acc = Number.isNaN(this.acc) ? a : 0.9 * this.acc + 0.1 * a;
    const lr = Number(logs.lr).toPrecision(3);
    if (this.bar) {
      this.bar.update(this.done, { loss: this.loss.toFixed(3), acc: this.acc.toFixed(3), lr });
      await tf.nextFrame();
      return;
    }
    const now = performance.now();
    if (now - this.lastLine < this.lineSeconds * 1000 && this.done < this.total) return;
    this.lastLine = now;
    const seconds = (now - this.t0) / 1000;
    const eta = (seconds / (this.done - this.start)) * (this.total - this.done);
    this.print(
      `${this.label}: it ${this.done}/${this.total} | loss ${this.loss.toFixed(3)} | acc ${this.acc.toFixed(3)} | lr ${lr} | ` +
        `${(((this.done - this.start) * this.batchSize) / seconds).toFixed(0)} images/s | ETA ${clock(eta)}`,
    );
  }
  override async onTrainEnd(): Promise<void> {
    this.bar?.stop();
  }
}

/**
 * Test accuracy before the first batch and after every `evalEvery` iterations (each fitDataset
 * "epoch"), and where a fit ends early; iterations count on across fits (a run split into several).
 * Also writes the result into the epoch's logs as `val_acc` / `val_loss`, for callbacks after it in the
 * same array (CycleEndStopping).
 */
export class EvalCallback extends tf.Callback {
  readonly evals = { iteration: [] as number[], accuracy: [] as number[], loss: [] as number[] };
  seconds = 0;
  /** Iterations trained so far, over all fits. */
  iteration = 0;
  constructor(
    private readonly test: Split,
    private readonly stats: { mean: number[]; std: number[] },
  ) {
    super();
  }
  async record(): Promise<{ accuracy: number; loss: number }> {
    const last = this.evals.iteration.length - 1;
    if (last >= 0 && this.evals.iteration[last] === this.iteration) return { accuracy: this.evals.accuracy[last], loss: this.evals.loss[last] };
    const t0 = performance.now();
    const r = await evaluate(this.model, this.test, this.stats);
    this.seconds += (performance.now() - t0) / 1000;
    this.evals.iteration.push(this.iteration);
    this.evals.accuracy.push(r.accuracy);
    this.evals.loss.push(r.loss);
    return r;
  }
  override async onTrainBegin(): Promise<void> {
    await this.record();
  }
  override async onBatchEnd(): Promise<void> {
    this.iteration++;
  }
  override async onEpochEnd(_epoch: number, logs?: Logs): Promise<void> {
    const r = await this.record();
    if (logs) {
      logs.val_acc = r.accuracy;
      logs.val_loss = r.loss;
    }
  }
}
