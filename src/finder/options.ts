/**
 * LRFinder's options, checked and defaulted from one table (a row per option).
 * @packageDocumentation
 */
import { atLeast, bool, choice, fail, fromTable, later, positive, satisfies, type OptionRule } from '../validate.js';
import type { LRFinderOptions } from './result.js';

/** The options with their defaults filled in (`burnIn` and `evaluateEvery` 0 = chosen from the sweep's length). */
export type ResolvedFinderOptions = Required<Omit<LRFinderOptions, 'numIterations' | 'validationData' | 'accuracyKey'>> &
  Pick<LRFinderOptions, 'numIterations' | 'validationData' | 'accuracyKey'>;

/** Every option: its check and its default (minLR's rule depends on maxLR and mode: checked after). */
const TABLE: Record<keyof LRFinderOptions, OptionRule> = {
  minLR: { check: later },
  maxLR: { check: positive, required: true },
  numIterations: { check: atLeast(2) },
  mode: { check: choice(['linear', 'exponential']), otherwise: 'linear' },
  stopOnNonFinite: { check: bool, otherwise: true },
  stopOnDivergence: { check: bool, otherwise: true },
  divergenceFactor: { check: positive, otherwise: 1 },
  divergencePatience: { check: atLeast(1), otherwise: 3 },
  burnIn: { check: atLeast(1), otherwise: 0 },
  smoothing: { check: satisfies((v) => typeof v === 'number' && v >= 0 && v < 1, 'a number in [0, 1)'), otherwise: 0.9 },
  validationData: { check: satisfies((v) => Array.isArray(v) && v.length === 2, 'an array [x, y] of tensors') },
  evaluateEvery: { check: atLeast(1), otherwise: 0 },
  validationBatchSize: { check: atLeast(1), otherwise: 256 },
  restore: { check: bool, otherwise: true },
  accuracyKey: { check: satisfies((v) => typeof v === 'string', 'a string') },
};

/** Every option LRFinder knows (rangeTest passes them through to it). */
export const FINDER_KEYS: readonly string[] = Object.keys(TABLE);

/** Checks LRFinder's options (an error names the option and the value) and fills in the defaults. */
export function finderOptions(opts: LRFinderOptions): ResolvedFinderOptions {
  const where = 'LRFinder';
  const out = fromTable(where, opts, TABLE);
  const { maxLR, mode } = out as { maxLR: number; mode: 'linear' | 'exponential' };
  const minLR = opts.minLR ?? maxLR / 1000;
  if (typeof minLR !== 'number' || !Number.isFinite(minLR) || minLR < 0 || (mode === 'exponential' && minLR === 0)) {
    fail(where, 'minLR', mode === 'exponential' ? 'a finite number > 0 for an exponential sweep' : 'a finite number >= 0', minLR);
  }
  if (!(minLR < maxLR)) fail(where, 'maxLR', `> minLR (${minLR})`, maxLR);
  return { ...out, minLR } as ResolvedFinderOptions; // minLR defaulted above
}
