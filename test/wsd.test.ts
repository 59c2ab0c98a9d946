/**
 * Warmup–stable–decay (Hägele et al., NeurIPS 2024): exact values on small integer cases, worked by
 * hand from the definition (warmup ramp, flat peak, cooldown over the last decaySteps), and bad input.
 */
import { warmupStableDecaySchedule as wsd } from '../src/index';

describe('warmupStableDecaySchedule', () => {
  // peak 1, warmup 2, cooldown 4 of 10: 0, 0.5 | 1 1 1 1 (iterations 2–5) | cooldown t = 0…4 at 6…10.
  const base = { peak: 1, warmupSteps: 2, decaySteps: 4, steps: 10 };
  const at = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 50];
  test.each<[string, number[]]>([
    ['1-sqrt', [0, 0.5, 1, 1, 1, 1, 1, 1 - Math.sqrt(0.25), 1 - Math.sqrt(0.5), 1 - Math.sqrt(0.75), 0, 0, 0]],
    ['linear', [0, 0.5, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25, 0, 0, 0]],
    ['cosine', [0, 0.5, 1, 1, 1, 1, 1, (1 + Math.SQRT1_2) / 2, 0.5, (1 - Math.SQRT1_2) / 2, 0, 0, 0]],
  ])('%s cooldown', (decay, expected) => {
    const s = wsd({ ...base, decay: decay as '1-sqrt' });
    at.forEach((i, k) => expect(s(i)).toBeCloseTo(expected[k], 14));
  });

  test('1-sqrt is the default; from and to; no warmup; no stable phase', () => {
    expect(wsd(base)(7)).toBe(0.5);
    // from 0.2 → peak 2 over 3, then 2, cooldown 2 → 1 (to) over 2 steps linearly.
    const s = wsd({ peak: 2, from: 0.2, warmupSteps: 3, decaySteps: 2, steps: 8, to: 1, decay: 'linear' });
    expect([0, 1, 2, 3, 5, 6, 7, 8, 9].map(s)).toEqual([0.2, 0.8, 1.4, 2, 2, 2, 1.5, 1, 1]);
    expect([0, 1, 2, 3, 4].map(wsd({ peak: 1, warmupSteps: 0, decaySteps: 4, steps: 4, decay: 'linear' }))).toEqual([1, 0.75, 0.5, 0.25, 0]);
    expect([0, 1, 2, 3, 4].map(wsd({ peak: 1, warmupSteps: 2, decaySteps: 2, steps: 4, decay: 'linear' }))).toEqual([0, 0.5, 1, 0.5, 0]);
  });

  test.each<[object, RegExp]>([
    [{ ...base, peak: 0 }, /warmupStableDecaySchedule: peak must be a finite number > 0, got 0/],
    [{ ...base, warmupSteps: -1 }, /warmupSteps must be an integer >= 0, got -1/],
    [{ ...base, decaySteps: 0 }, /decaySteps must be an integer >= 1, got 0/],
    [{ ...base, steps: 5 }, /steps must be an integer >= 6, got 5/],
    [{ ...base, to: 2 }, /to must be <= peak \(1\), got 2/],
    [{ ...base, decay: 'sqrt' }, /decay must be one of/],
    [{ ...base, decaySteps: undefined }, /decaySteps must be an integer >= 1, got undefined/],
  ])('bad input: %j', (opts, message) => {
    expect(() => wsd(opts as never)).toThrow(message);
  });
});
