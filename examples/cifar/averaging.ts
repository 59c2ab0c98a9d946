/**
 * Weight averaging beside a policy's run (`--average swa,ema`): the library's `WeightAveraging`
 * callbacks keep their averages without swapping them in, and the averaged weights are scored on the
 * test set at every evaluation, so one run gives the raw weights' curve and each average's.
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, WeightAveraging, type ScheduledLRCallback, type WeightAveragingOptions } from 'tfjs-clr';
import { evaluate } from './batches.js';
import type { Split } from './data.js';
import type { EvalCallback } from './callbacks.js';

/**
 * Parses `--average` (a comma-separated list) into the averages' names, each `swa`, `ema` (decay warmed
 * up to 0.999) or `ema:<decay>`; the error names the flag and the value.
 */
export function parseAveraging(list: string | undefined): string[] {
  if (list === undefined || list === '') return [];
  return list.split(',').map((name) => {
    const decay = /^ema:(.+)$/.exec(name)?.[1];
    const ok = name === 'swa' || name === 'ema' || (decay !== undefined && Number(decay) > 0 && Number(decay) < 1);
    if (!ok) throw new Error(`--average: unknown average "${name}" (known: swa, ema, ema:<decay> with 0 < decay < 1)`);
    return name;
  });
}

/** Iterations between SWA updates outside cyclic policies: 40 updates over the run's last quarter. */
const swaEvery = (iterations: number) => Math.max(1, Math.floor(iterations / 160));

/**
 * The callback options of one average for a policy's schedule: SWA at each cycle's end of a
 * CyclicLR (Izmailov et al.), else over the run's last quarter every iterations/160; EMA from the
 * first batch.
 */
export function averagingOptions(name: string, schedule: ScheduledLRCallback, iterations: number): { options: WeightAveragingOptions; describe: string } {
  if (name === 'swa') {
    if (schedule instanceof CyclicLR) return { options: { mode: 'swa', every: 'cycle', schedule, swapAtEnd: false }, describe: "SWA at each cycle's end" };
    const start = Math.floor(0.75 * iterations);
    const every = swaEvery(iterations);
    return { options: { mode: 'swa', start, every, swapAtEnd: false }, describe: `SWA from iteration ${start}, every ${every} iterations` };
  }
  const decay = name === 'ema' ? undefined : Number(name.slice('ema:'.length));
  return {
    options: { mode: 'ema', ...(decay !== undefined ? { decay } : {}), swapAtEnd: false },
    describe: decay !== undefined ? `EMA of the weights, decay ${decay}` : 'EMA of the weights, decay warmed up to 0.999 (the default)',
  };
}

export interface AverageRecord {
  name: string;
  describe: string;
  evals: { iteration: number[]; accuracy: number[]; loss: number[] };
}

/**
 * Scores each average on the test set at every evaluation of `clock` (after it in the callbacks),
 * with the average in the model for the evaluation only (`WeightAveraging.withAverage`).
 */
export class AveragedEvals extends tf.Callback {
  readonly records: AverageRecord[];
  seconds = 0;
  constructor(
    readonly averagers: { name: string; describe: string; callback: WeightAveraging }[],
    private readonly clock: EvalCallback,
    private readonly test: Split,
    private readonly stats: { mean: number[]; std: number[] },
  ) {
    super();
    this.records = averagers.map(({ name, describe }) => ({ name, describe, evals: { iteration: [], accuracy: [], loss: [] } }));
  }

  async record(): Promise<void> {
    const t0 = performance.now();
    for (const [k, a] of this.averagers.entries()) {
      const ev = this.records[k].evals;
      if (a.callback.updates === 0 || ev.iteration[ev.iteration.length - 1] === this.clock.iteration) continue;
      const r = await a.callback.withAverage(() => evaluate(this.model, this.test, this.stats));
      ev.iteration.push(this.clock.iteration);
      ev.accuracy.push(r.accuracy);
      ev.loss.push(r.loss);
    }
    this.seconds += (performance.now() - t0) / 1000;
  }

  override async onEpochEnd(): Promise<void> {
    await this.record();
  }
}
