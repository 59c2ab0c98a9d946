/**
 * Option checks shared by the schedules and callbacks. Every failure throws an `Error` whose message
 * names the option and shows the value it got, so bad input fails at construction, never mid-training.
 * @packageDocumentation
 */

/** Shows a value the way a user wrote it: strings quoted, everything else via `String`. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return String(value);
}

/** Throws `Error("<where>: <option> must be <rule>, got <value>")`. */
export function fail(where: string, option: string, rule: string, value: unknown): never {
  throw new Error(`${where}: ${option} must be ${rule}, got ${show(value)}`);
}

/** A finite number greater than 0. */
export function positive(where: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(where, option, 'a finite number > 0', value);
  }
  return value;
}

/** A finite number greater than or equal to 0. */
export function nonNegative(where: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(where, option, 'a finite number >= 0', value);
  }
  return value;
}

/** An integer greater than or equal to `min`. */
export function integerAtLeast(where: string, option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(where, option, `an integer >= ${min}`, value);
  }
  return value;
}

/** A number in the open interval (lo, hi), or in [lo, hi) with `closedLow`. */
export function inRange(
  where: string,
  option: string,
  value: unknown,
  lo: number,
  hi: number,
  closedLow = false,
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (closedLow ? value >= lo : value > lo) &&
    value < hi;
  if (!ok) fail(where, option, `a number in ${closedLow ? '[' : '('}${lo}, ${hi})`, value);
  return value as number;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(
  where: string,
  option: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(where, option, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);
  }
  return value as T;
}

/** A boolean. */
export function bool(where: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(where, option, 'true or false', value);
  return value;
}

/** Rejects option names the function does not know (catches typos such as `maxLr`). */
export function knownKeys(where: string, opts: object, allowed: readonly string[]): void {
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) {
      throw new Error(`${where}: unknown option ${JSON.stringify(key)} (known: ${allowed.join(', ')})`);
    }
  }
}

/** Options must be a plain object. */
export function optionsObject(where: string, opts: unknown): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new Error(`${where}: options must be an object, got ${show(opts)}`);
  }
}

/** The iteration a schedule is asked about: finite and >= 0. */
export function iterationArg(where: string, iteration: unknown): number {
  if (typeof iteration !== 'number' || !Number.isFinite(iteration) || iteration < 0) {
    throw new RangeError(`${where}: iteration must be a finite number >= 0, got ${show(iteration)}`);
  }
  return iteration;
}

/** How one option is checked, returning the value to use (of type `V`), as a row of an options table. */
export type OptionCheck<V = unknown> = (where: string, option: string, value: unknown) => V;

/** A row of an options table: the check for a given value, and the value when the option is left out (or `required`). */
export interface OptionRule<V = unknown> {
  check: OptionCheck<V>;
  otherwise?: V;
  /** Left out is an error (the check's own message, with "got undefined"). */
  required?: true;
}

/**
 * An options table for the checked options `T` (what {@link fromTable} returns): one row per option,
 * whose check returns that option's type. An option without a default has `| undefined` in `T`.
 */
export type TableOf<T> = { readonly [K in keyof T]-?: OptionRule<T[K]> };

/** Check: an integer >= `min`. */
export const atLeast =
  (min: number): OptionCheck<number> =>
  (where, option, value) =>
    integerAtLeast(where, option, value, min);

/** Check: any value, for an option checked after the table because its rule depends on others (typed as the table says). */
export const later = <V>(_where: string, _option: string, value: unknown): V => value as V;

/** Rows for options another table (or the caller) checks: allowed here, not checked here (typed as the table says). */
export function checkedElsewhere<K extends string>(keys: readonly K[]): { [P in K]: { check: typeof later } } {
  return Object.fromEntries(keys.map((key) => [key, { check: later }])) as { [P in K]: { check: typeof later } };
}

/** Check: one of a fixed set of strings. */
export const choice =
  <T extends string>(allowed: readonly T[]): OptionCheck<T> =>
  (where, option, value) =>
    oneOf(where, option, value, allowed);

/** Check: any value for which `holds` is true, described to the user as `what`. */
export const satisfies =
  <V = unknown>(holds: (value: unknown) => boolean, what: string): OptionCheck<V> =>
  (where, option, value) =>
    holds(value) ? (value as V) : fail(where, option, what, value);

/**
 * Checks an options object against its table — a plain object, no keys outside the table, then each
 * option in the table's order — and returns the options with the table's defaults filled in.
 */
export function fromTable<T>(where: string, opts: unknown, table: TableOf<T>): T {
  optionsObject(where, opts);
  knownKeys(where, opts as object, Object.keys(table));
  const out: Partial<T> = {};
  for (const key of Object.keys(table) as Array<keyof T & string>) {
    const { check, otherwise, required } = table[key];
    const value = (opts as Record<string, unknown>)[key];
    out[key] = value === undefined && !required ? otherwise : check(where, key, value);
  }
  return out as T;
}
