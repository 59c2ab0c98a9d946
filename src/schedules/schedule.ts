/**
 * The `Schedule` type every schedule and callback shares.
 * @packageDocumentation
 */

/** A schedule: the value (learning rate or momentum) used by 0-based global batch `iteration`. */
export type Schedule = (iteration: number) => number;

/**
 * A schedule that restarts in cycles and says where each ends (cosine restarts): `isCycleEnd(i)` is true
 * when batch `i` is the last of its cycle. Weight averaging's `every: 'cycle'` follows it.
 */
export type CyclicSchedule = Schedule & {
  /** Whether batch `iteration` (0-based global) is the last of its cycle. */
  isCycleEnd(iteration: number): boolean;
};
