/**
 * What tfjs tells a callback about the run (its `params` at train begin), read the same way for `fit`
 * and `fitDataset`.
 * @packageDocumentation
 */

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
