/**
 * `rangeTest`: the whole LR range test in one call — fit with an {@link LRFinder}, put the model back,
 * read the bounds, and hand back options ready for `CyclicLR`.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { LRFinder, type LRFinderOptions, type RangeTestResult } from './lrFinder.js';
import {
  suggestBounds,
  suggestStepSize,
  type BoundsSuggestion,
  type SuggestBoundsOptions,
  type TrainingPlan,
} from '../analysis/suggest.js';
import type { CyclicLRCallbackOptions } from '../callbacks/cyclicLR.js';
import { fail, integerAtLeast, optionsObject } from '../validate.js';

/** Training data for {@link rangeTest}: tensors (as for `fit`) or a batched `tf.data.Dataset` (as for `fitDataset`). */
export type RangeTestData =
  | { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] }
  | tf.data.Dataset<tf.TensorContainer>;

/** Options of {@link rangeTest}: the finder's, plus how to fit and how to read the result. */
export interface RangeTestOptions extends LRFinderOptions {
  /** Epochs to sweep over (the paper: a few; 8 on CIFAR-10); default 4. */
  epochs?: number;
  /** Batch size for tensor data; default 32 (tfjs's default). */
  batchSize?: number;
  /** For a dataset of unknown size: batches per epoch. */
  batchesPerEpoch?: number;
  /** Options for {@link suggestBounds}. */
  suggest?: SuggestBoundsOptions;
  /** Epochs per half cycle for the suggested step size (2–10); default 4. */
  epochsPerHalfCycle?: number;
  /** Extra callbacks (class instances, e.g. a progress bar), run after the finder. */
  callbacks?: tf.Callback[];
  /** Shuffle tensor data each epoch (as `fit`); default true. */
  shuffle?: boolean;
  /** tfjs's fit verbosity (1 shows tfjs-node's progress bar); default 0. */
  verbose?: 0 | 1;
}

/** What {@link rangeTest} returns. */
export interface RangeTestOutcome {
  result: RangeTestResult;
  suggestion: BoundsSuggestion;
  /** Step size and a whole-cycle plan, when the batches per epoch are known. */
  plan: TrainingPlan | null;
  /** Options for `new CyclicLR(...)`, or null when the curve gave no bounds. */
  cyclicLROptions: CyclicLRCallbackOptions | null;
}

function isDataset(data: RangeTestData): data is tf.data.Dataset<tf.TensorContainer> {
  return typeof (data as { iterator?: unknown }).iterator === 'function';
}

/**
 * Runs an LR range test on `model` with `data`, restores the model (weights and optimizer state), and
 * returns the record, the suggested bounds, a step size and ready-to-use `CyclicLR` options.
 *
 * @example
 * ```ts
 * const { suggestion, cyclicLROptions } = await rangeTest(model, { x: xs, y: ys },
 *   { minLR: 1e-4, maxLR: 0.05, epochs: 4, batchSize: 100 });
 * if (cyclicLROptions) await model.fit(xs, ys, { epochs: 24, batchSize: 100, callbacks: [cyclicLR(cyclicLROptions)] });
 * ```
 */
export async function rangeTest(
  model: tf.LayersModel,
  data: RangeTestData,
  opts: RangeTestOptions,
): Promise<RangeTestOutcome> {
  const where = 'rangeTest';
  optionsObject(where, opts);
  const { epochs: epochsOpt, batchSize: bsOpt, batchesPerEpoch, suggest, epochsPerHalfCycle, callbacks, verbose, shuffle, ...finderOpts } = opts;
  const epochs = integerAtLeast(where, 'epochs', epochsOpt ?? 4, 1);
  const batchSize = integerAtLeast(where, 'batchSize', bsOpt ?? 32, 1);
  if (batchesPerEpoch !== undefined) integerAtLeast(where, 'batchesPerEpoch', batchesPerEpoch, 1);
  if (callbacks !== undefined && !Array.isArray(callbacks)) fail(where, 'callbacks', 'an array of tf.Callback instances', callbacks);
  const finder = new LRFinder(finderOpts);
  const all = [finder, ...(callbacks ?? [])];
  let samples: number | null = null;
  try {
    if (isDataset(data)) {
      await model.fitDataset(data, { epochs, batchesPerEpoch, callbacks: all, verbose: verbose ?? 0 });
    } else {
      const first = Array.isArray(data.x) ? data.x[0] : data.x;
      samples = first.shape[0];
      await model.fit(data.x, data.y, { epochs, batchSize, shuffle: shuffle ?? true, callbacks: all, verbose: verbose ?? 0 });
    }
  } finally {
    finder.finish(); // restores even if fit threw
  }
  const result = finder.result;
  const suggestion = suggestBounds(result, suggest);
  const iterationsPerEpoch =
    samples !== null ? Math.ceil(samples / batchSize) : batchesPerEpoch ?? (isDataset(data) && Number.isFinite(data.size) && data.size > 0 ? data.size : null);
  const plan =
    iterationsPerEpoch !== null
      ? suggestStepSize({ samples: iterationsPerEpoch, batchSize: 1, epochsPerHalfCycle })
      : null;
  const cyclicLROptions: CyclicLRCallbackOptions | null =
    suggestion.baseLR !== null && suggestion.maxLR !== null && suggestion.baseLR > 0
      ? {
          baseLR: suggestion.baseLR,
          maxLR: Math.max(suggestion.maxLR, suggestion.baseLR),
          ...(plan ? { stepSize: plan.stepSize } : { stepSizeEpochs: epochsPerHalfCycle ?? 4 }),
        }
      : null;
  return { result, suggestion, plan, cyclicLROptions };
}
