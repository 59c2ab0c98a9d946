/**
 * The `Schedule` type every schedule and callback shares.
 * @packageDocumentation
 */

/** A schedule: the value (learning rate or momentum) used by 0-based global batch `iteration`. */
export type Schedule = (iteration: number) => number;
