/**
 * Schedules against values derived by hand or taken from the reference implementations' own tests
 * (PyTorch's test_lrscheduler.py targets), never by re-running our formula.
 */
import {
  cyclicLearningRate,
  cyclicMomentum,
  oneCycleLearningRate,
  oneCycleMomentum,
} from '../src/index.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
function linspace(a: number, b: number, n: number): number[] {
  return range(n).map((k) => a + ((b - a) * k) / (n - 1));
}
function expectAllClose(actual: number[], expected: number[], tol = 1e-12): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, k) => {
    if (Math.abs(v - expected[k]) > tol) {
      throw new Error(`index ${k}: got ${v}, expected ${expected[k]} (tol ${tol})`);
    }
  });
}

describe('cyclicLearningRate', () => {
  test('triangular, base 1 max 5 step 4: up by 1 per iteration, down by 1, repeat', () => {
    const lr = cyclicLearningRate({ baseLR: 1, maxLR: 5, stepSize: 4 });
    // PyTorch test_cycle_lr_triangular_mode target, extended by one more cycle.
    expectAllClose(range(17).map(lr), [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 4, 5, 4, 3, 2, 1]);
  });

  test('the peak is maxLR exactly, and the momentum there baseMomentum exactly (0.001 + 0.009 alone gives 0.010000000000000002)', () => {
    const lr = cyclicLearningRate({ baseLR: 0.001, maxLR: 0.01, stepSize: 4 });
    expect([lr(0), lr(4), lr(8), lr(12)]).toEqual([0.001, 0.01, 0.001, 0.01]);
    const m = cyclicMomentum({ baseLR: 0.001, maxLR: 0.01, stepSize: 4, baseMomentum: 0.8, maxMomentum: 0.9 });
    expect([m(0), m(4), m(8)]).toEqual([0.9, 0.8, 0.9]);
  });

  test("the paper's setting over 3 cycles is a chain of linspace segments", () => {
    const lr = cyclicLearningRate({ baseLR: 0.001, maxLR: 0.006, stepSize: 2000 });
    for (let c = 0; c < 3; c++) {
      const start = c * 4000;
      expectAllClose(range(2001).map((k) => lr(start + k)), linspace(0.001, 0.006, 2001), 1e-15);
      expectAllClose(range(2001).map((k) => lr(start + 2000 + k)), linspace(0.006, 0.001, 2001), 1e-15);
    }
  });

  test('triangular2 halves the amplitude every cycle', () => {
    const lr = cyclicLearningRate({ baseLR: 1, maxLR: 5, stepSize: 4, mode: 'triangular2' });
    // PyTorch test_cycle_lr_triangular2_mode target.
    expectAllClose(
      range(22).map(lr),
      [1, 2, 3, 4, 5, 4, 3, 2, 1, 1.5, 2.0, 2.5, 3.0, 2.5, 2.0, 1.5, 1, 1.25, 1.5, 1.75, 2.0, 1.75],
    );
    // Peaks at 4, 12, 20, 28: amplitude 4, 2, 1, 0.5; troughs stay at baseLR.
    expectAllClose([4, 12, 20, 28].map(lr), [5, 3, 2, 1.5]);
    expectAllClose([0, 8, 16, 24, 32].map(lr), [1, 1, 1, 1, 1]);
  });

  test('exp_range scales by gamma ** global iteration', () => {
    const lr = cyclicLearningRate({ baseLR: 1, maxLR: 5, stepSize: 4, mode: 'exp_range', gamma: 0.5 });
    // i=1: x=0.25 → 1 + 4·0.25·0.5 = 1.5; i=2: 1 + 4·0.5·0.25 = 1.5; i=4: 1 + 4·1/16 = 1.25;
    // i=12 (second peak): 1 + 4·0.5^12.
    expectAllClose([0, 1, 2, 4, 12].map(lr), [1, 1.5, 1.5, 1.25, 1 + 4 / 4096]);
    // SPEC §3: with the paper's gamma the first peak is already 0.0054346, not 0.006.
    const paper = cyclicLearningRate({ baseLR: 0.001, maxLR: 0.006, stepSize: 2000, mode: 'exp_range', gamma: 0.99994 });
    expect(paper(2000)).toBeCloseTo(0.0054346, 7);
  });

  test('gamma is ignored by the modes that do not use it (as the peers do)', () => {
    const lr = cyclicLearningRate({ baseLR: 1, maxLR: 5, stepSize: 4, gamma: 0.5 });
    expect(lr(4)).toBe(5);
  });

  test('asymmetric cycle: 4 up, 6 down', () => {
    const lr = cyclicLearningRate({ baseLR: 1, maxLR: 5, stepSize: 4, stepSizeDown: 6 });
    // PyTorch test_cycle_lr_triangular_mode_step_size_up_down target; then the next cycle restarts.
    expectAllClose(
      range(15).map(lr),
      [1, 2, 3, 4, 5, 13 / 3, 11 / 3, 9 / 3, 7 / 3, 5 / 3, 1, 2, 3, 4, 5],
      1e-12,
    );
  });

  test('windows: all 1 at the peak and 0 at the ends; Welch and Hann differ between', () => {
    const make = (window: 'triangular' | 'welch' | 'hann') =>
      cyclicLearningRate({ baseLR: 1, maxLR: 5, stepSize: 4, window });
    for (const w of ['triangular', 'welch', 'hann'] as const) {
      expectAllClose([0, 4, 8, 12].map(make(w)), [1, 5, 1, 5]);
    }
    // i=1: h = 0.25, distance from the peak d = 0.75.
    expect(make('triangular')(1)).toBeCloseTo(2, 12); // 1 + 4·0.25
    expect(make('welch')(1)).toBeCloseTo(2.75, 12); // 1 + 4·(1 − 0.5625)
    expect(make('hann')(1)).toBeCloseTo(1 + 4 * ((1 - Math.SQRT1_2) / 2), 12); // cos(0.75π) = −√½
    // i=2 (mid-edge): Hann is symmetric about it (3), Welch above (1 + 4·0.75 = 4).
    expect(make('hann')(2)).toBeCloseTo(3, 12);
    expect(make('welch')(2)).toBeCloseTo(4, 12);
    // The falling edge mirrors the rising one.
    expect(make('welch')(7)).toBeCloseTo(2.75, 12);
  });

  test('custom scaleFn on the cycle or on the iteration', () => {
    const byCycle = cyclicLearningRate({ baseLR: 1, maxLR: 5, stepSize: 4, scaleFn: (c) => 1 / c });
    expectAllClose([4, 12, 20].map(byCycle), [5, 3, 1 + 4 / 3]);
    const byIter = cyclicLearningRate({
      baseLR: 1,
      maxLR: 5,
      stepSize: 4,
      scaleFn: (i) => (i < 10 ? 1 : 0.25),
      scaleMode: 'iterations',
    });
    expectAllClose([4, 12].map(byIter), [5, 2]);
    // scaleFn overrides mode.
    const overridden = cyclicLearningRate({ baseLR: 1, maxLR: 5, stepSize: 4, mode: 'triangular2', scaleFn: () => 1 });
    expect(overridden(12)).toBe(5);
  });

  test('fractional step sizes and iterations follow the same triangle', () => {
    const lr = cyclicLearningRate({ baseLR: 1, maxLR: 2, stepSize: 2.5 });
    expectAllClose([0, 1.25, 2.5, 3.75, 5].map(lr), [1, 1.5, 2, 1.5, 1]);
  });
});

describe('cyclicMomentum', () => {
  test('moves opposite to the LR, 4 up and 6 down', () => {
    const m = cyclicMomentum({ stepSize: 4, stepSizeDown: 6, baseMomentum: 0.1, maxMomentum: 0.5 });
    // PyTorch's momentum target [5, 4, 3, 2, 1, 5/3, 7/3, 3, 11/3, 13/3, 5] scaled by 1/10.
    expectAllClose(
      range(11).map(m),
      [0.5, 0.4, 0.3, 0.2, 0.1, 1 / 6, 7 / 30, 0.3, 11 / 30, 13 / 30, 0.5],
      1e-12,
    );
  });

  test('is damped by the same policy as the LR (triangular2)', () => {
    const m = cyclicMomentum({ stepSize: 4, baseMomentum: 0.8, maxMomentum: 0.9, mode: 'triangular2' });
    expectAllClose([0, 4, 8, 12, 16, 20].map(m), [0.9, 0.8, 0.9, 0.85, 0.9, 0.875], 1e-12);
  });

  test('accepts (and ignores) the LR bounds, so one options object serves both', () => {
    const m = cyclicMomentum({ baseLR: 1, maxLR: 5, stepSize: 4, baseMomentum: 0.8, maxMomentum: 0.9 });
    expect(m(4)).toBeCloseTo(0.8, 12);
  });
});

describe('oneCycleLearningRate / oneCycleMomentum', () => {
  test('linear, two phases (PyTorch test_onecycle_lr_linear_annealing)', () => {
    const opts = { maxLR: 25, finalDivFactor: 2, totalSteps: 10, anneal: 'linear' as const };
    expectAllClose(range(10).map(oneCycleLearningRate(opts)), [1, 13, 25, 21.5, 18, 14.5, 11, 7.5, 4, 0.5], 1e-12);
    // PyTorch's momentum target [22, 11.5, 1, 4, …, 22] with base 1, max 22, scaled by 1/100.
    const m = oneCycleMomentum({ ...opts, baseMomentum: 0.01, maxMomentum: 0.22 });
    expectAllClose(range(10).map(m), [0.22, 0.115, 0.01, 0.04, 0.07, 0.1, 0.13, 0.16, 0.19, 0.22], 1e-12);
  });

  test('linear, three phases (PyTorch test_onecycle_lr_linear_annealing_three_phases)', () => {
    const opts = {
      maxLR: 25,
      divFactor: 25,
      totalSteps: 10,
      anneal: 'linear' as const,
      pctStart: 0.4,
      finalDivFactor: 4,
      threePhase: true,
    };
    expectAllClose(range(10).map(oneCycleLearningRate(opts)), [1, 9, 17, 25, 17, 9, 1, 0.75, 0.5, 0.25], 1e-12);
    const m = oneCycleMomentum({ ...opts, baseMomentum: 0.01, maxMomentum: 0.22 });
    expectAllClose(range(10).map(m), [0.22, 0.15, 0.08, 0.01, 0.08, 0.15, 0.22, 0.22, 0.22, 0.22], 1e-12);
  });

  test('cosine annealing: midpoints at half a phase, 3/4 of the way at a third', () => {
    // N = 9, pctStart 1/3: phase 1 is steps 0..2, phase 2 is steps 2..8. Start 1, peak 25, final 0.5.
    const lr = oneCycleLearningRate({ maxLR: 25, finalDivFactor: 2, totalSteps: 9, pctStart: 1 / 3 });
    expect(lr(0)).toBeCloseTo(1, 12);
    expect(lr(1)).toBeCloseTo(13, 12); // half of phase 1: (1 + 25) / 2
    expect(lr(2)).toBeCloseTo(25, 12);
    expect(lr(4)).toBeCloseTo(0.5 + 0.75 * 24.5, 12); // a third into phase 2: (1 + cos(π/3)) / 2 = 0.75
    expect(lr(5)).toBeCloseTo((25 + 0.5) / 2, 12); // half of phase 2
    expect(lr(8)).toBeCloseTo(0.5, 12);
  });

  test('defaults: start maxLR/25, final start/1e4, momentum 0.95 → 0.85 → 0.95', () => {
    const lr = oneCycleLearningRate({ maxLR: 1, totalSteps: 100 });
    const m = oneCycleMomentum({ totalSteps: 100 });
    expect(lr(0)).toBeCloseTo(0.04, 15);
    expect(lr(29)).toBeCloseTo(1, 15); // phase 1 ends at 0.3·100 − 1
    expect(lr(99)).toBeCloseTo(0.04 / 1e4, 15);
    expectAllClose([0, 29, 99].map(m), [0.95, 0.85, 0.95], 1e-12);
  });

  test('holds the final value at and past totalSteps (PyTorch would extrapolate)', () => {
    const opts = { maxLR: 25, finalDivFactor: 2, totalSteps: 10, anneal: 'linear' as const };
    const lr = oneCycleLearningRate(opts);
    expectAllClose([9, 10, 11, 1000].map(lr), [0.5, 0.5, 0.5, 0.5]);
    const m = oneCycleMomentum({ ...opts, baseMomentum: 0.01, maxMomentum: 0.22 });
    expectAllClose([10, 1000].map(m), [0.22, 0.22], 1e-12);
  });
});

describe('bad input names the option and the value', () => {
  const base = { baseLR: 0.001, maxLR: 0.006, stepSize: 2000 };
  test.each<[object, RegExp]>([
    [{ ...base, baseLR: 0 }, /baseLR must be a finite number > 0, got 0/],
    [{ ...base, baseLR: -1 }, /baseLR .* got -1/],
    [{ ...base, baseLR: NaN }, /baseLR .* got NaN/],
    [{ ...base, maxLR: Infinity }, /maxLR .* got Infinity/],
    [{ ...base, maxLR: 0.0005 }, /maxLR must be >= baseLR \(0.001\), got 0.0005/],
    [{ ...base, stepSize: 0 }, /stepSize .* got 0/],
    [{ ...base, stepSize: Infinity }, /stepSize .* got Infinity/],
    [{ ...base, stepSizeDown: -3 }, /stepSizeDown .* got -3/],
    [{ ...base, mode: 'cosine' }, /mode must be one of "triangular", "triangular2", "exp_range", got "cosine"/],
    [{ ...base, mode: 'exp_range', gamma: 0 }, /gamma must be a number in \(0, 1\], got 0/],
    [{ ...base, mode: 'exp_range', gamma: -0.5 }, /gamma .* got -0.5/],
    [{ ...base, mode: 'exp_range', gamma: 1.01 }, /gamma .* got 1.01/],
    [{ ...base, window: 'bartlett' }, /window must be one of .* got "bartlett"/],
    [{ ...base, scaleMode: 'cycle' }, /scaleMode must be given only together with scaleFn/],
    [{ ...base, scaleFn: () => 1, scaleMode: 'epochs' }, /scaleMode must be one of .* got "epochs"/],
    [{ ...base, scaleFn: () => NaN }, /scaleFn\(1\) must return a finite number >= 0, got NaN/],
    [{ ...base, scaleFn: 3 }, /scaleFn must be a function, got 3/],
    [{ ...base, maxLr: 0.006 }, /unknown option "maxLr"/],
    [{ maxLR: 0.006, stepSize: 2000 }, /baseLR .* got undefined/],
    [{ ...base, baseLR: '0.001' }, /baseLR .* got "0.001"/],
  ])('cyclicLearningRate(%p) throws %p', (opts, message) => {
    expect(() => cyclicLearningRate(opts as never)).toThrow(message);
  });

  test('messages name the function', () => {
    expect(() => cyclicLearningRate({ ...base, baseLR: 0 })).toThrow(/^cyclicLearningRate: baseLR/);
  });

  test('iterations must be finite and >= 0', () => {
    const lr = cyclicLearningRate(base);
    expect(() => lr(-1)).toThrow(/iteration must be a finite number >= 0, got -1/);
    expect(() => lr(NaN)).toThrow(/got NaN/);
  });

  test('a scaleFn that fails later fails loudly, not with a NaN learning rate', () => {
    const lr = cyclicLearningRate({ ...base, scaleFn: (c) => (c < 3 ? 1 : NaN) });
    expect(lr(4000)).toBeCloseTo(0.001, 15);
    expect(() => lr(8000)).toThrow(/scaleFn\(3\) must return a finite number >= 0, got NaN/);
  });

  test.each<[object, RegExp]>([
    [{ baseMomentum: 0.9, maxMomentum: 0.8 }, /maxMomentum must be >= baseMomentum \(0.9\), got 0.8/],
    [{ baseMomentum: -0.1, maxMomentum: 0.8 }, /baseMomentum must be a number in \[0, 1\), got -0.1/],
    [{ baseMomentum: 0.8, maxMomentum: 1 }, /maxMomentum .* got 1/],
  ])('cyclicMomentum(%p) throws %p', (m, message) => {
    expect(() => cyclicMomentum({ stepSize: 10, ...m } as never)).toThrow(message);
  });

  const one = { maxLR: 0.1, totalSteps: 100 };
  test.each<[object, RegExp]>([
    [{ ...one, maxLR: 0 }, /maxLR .* got 0/],
    [{ ...one, totalSteps: 1 }, /totalSteps must be an integer >= 2, got 1/],
    [{ ...one, totalSteps: 10.5 }, /totalSteps .* got 10.5/],
    [{ ...one, pctStart: 0 }, /pctStart must be a number in \(0, 1\), got 0/],
    [{ ...one, pctStart: 1 }, /pctStart .* got 1/],
    [{ ...one, pctStart: 0.01 }, /pctStart must be such that both phases have > 0 steps.*phase 1 is empty.*got 0.01/],
    [{ ...one, pctStart: 0.6, threePhase: true }, /three phases.*phase 3 is empty.*got 0.6/],
    [{ ...one, divFactor: 0 }, /divFactor .* got 0/],
    [{ ...one, finalDivFactor: -1 }, /finalDivFactor .* got -1/],
    [{ ...one, anneal: 'exp' }, /anneal must be one of "cos", "linear", got "exp"/],
    [{ ...one, threePhase: 'yes' }, /threePhase must be true or false, got "yes"/],
  ])('oneCycleLearningRate(%p) throws %p', (opts, message) => {
    expect(() => oneCycleLearningRate(opts as never)).toThrow(message);
  });
});
