/**
 * LRFinder's options, checked and defaulted from one table (a row per option).
 * @packageDocumentation
 */
import { bool, fail, integerAtLeast, knownKeys, oneOf, optionsObject, positive } from '../validate.js';
import type { LRFinderOptions } from './result.js';

/** The options with their defaults filled in (`burnIn` and `evaluateEvery` 0 = chosen from the sweep's length). */
export type ResolvedFinderOptions = Required<Omit<LRFinderOptions, 'numIterations' | 'validationData' | 'accuracyKey'>> &
  Pick<LRFinderOptions, 'numIterations' | 'validationData' | 'accuracyKey'>;

type Check = (where: string, option: string, value: unknown) => unknown;
const atLeast =
  (min: number): Check =>
  (where, option, value) =>
    integerAtLeast(where, option, value, min);
const rule =
  (holds: (v: unknown) => boolean, what: string): Check =>
  (where, option, value) =>
    holds(value) ? value : fail(where, option, what, value);

/** Every option but minLR (whose rule depends on maxLR and mode): its check and its default. */
const TABLE: Record<Exclude<keyof LRFinderOptions, 'minLR'>, { check: Check; otherwise?: unknown }> = {
  maxLR: { check: positive },
  numIterations: { check: atLeast(2) },
  mode: { check: (w, o, v) => oneOf(w, o, v, ['linear', 'exponential'] as const), otherwise: 'linear' },
  stopOnNonFinite: { check: bool, otherwise: true },
  stopOnDivergence: { check: bool, otherwise: true },
  divergenceFactor: { check: positive, otherwise: 1 },
  divergencePatience: { check: atLeast(1), otherwise: 3 },
  burnIn: { check: atLeast(1), otherwise: 0 },
  smoothing: { check: rule((v) => typeof v === 'number' && v >= 0 && v < 1, 'a number in [0, 1)'), otherwise: 0.9 },
  validationData: { check: rule((v) => Array.isArray(v) && v.length === 2, 'an array [x, y] of tensors') },
  evaluateEvery: { check: atLeast(1), otherwise: 0 },
  validationBatchSize: { check: atLeast(1), otherwise: 256 },
  restore: { check: bool, otherwise: true },
  accuracyKey: { check: rule((v) => typeof v === 'string', 'a string') },
};

/** Checks LRFinder's options (an error names the option and the value) and fills in the defaults. */
export function finderOptions(opts: LRFinderOptions): ResolvedFinderOptions {
  const where = 'LRFinder';
  optionsObject(where, opts);
  knownKeys(where, opts, ['minLR', ...Object.keys(TABLE)]);
  const out: Record<string, unknown> = {};
  for (const [key, { check, otherwise }] of Object.entries(TABLE)) {
    const value = (opts as unknown as Record<string, unknown>)[key];
    out[key] = value === undefined ? otherwise : check(where, key, value);
  }
  const { maxLR, mode } = out as { maxLR: number; mode: 'linear' | 'exponential' };
  const minLR = opts.minLR ?? maxLR / 1000;
  if (typeof minLR !== 'number' || !Number.isFinite(minLR) || minLR < 0 || (mode === 'exponential' && minLR === 0)) {
    fail(where, 'minLR', mode === 'exponential' ? 'a finite number > 0 for an exponential sweep' : 'a finite number >= 0', minLR);
  }
  if (!(minLR < maxLR)) fail(where, 'maxLR', `> minLR (${minLR})`, maxLR);
  return { ...out, minLR } as ResolvedFinderOptions;
}
