/**
 * suggestBounds on curves built here with known shapes, so each expected bound follows from how the
 * curve was made (the comments say why). Noise comes from a seeded generator.
 */
import { suggestBounds, suggestStepSize, type RangeCurve, type SuggestBoundsOptions } from '../src/index.js';
import { seededGaussian, seededRandom as seeded } from '../examples/lib/kit.js';

/** The paper's accuracy rule through suggestBounds (these curves test that rule; the default is chosen by the study). */
const paper = (c: RangeCurve, o: SuggestBoundsOptions = {}) => suggestBounds(c, { rule: 'accuracy', ...o });

const N = 200;
const LR = Array.from({ length: N }, (_, k) => (0.02 * k) / (N - 1)); // linear sweep 0 … 0.02, step ≈ 1e-4

/** Deterministic N(0, 1) noise (Park–Miller + Box–Muller). */
const gaussian = seededGaussian;

/** Piecewise-linear accuracy: `points` are [lr, accuracy] knots. */
function piecewise(points: Array<[number, number]>): (lr: number) => number {
  return (lr) => {
    if (lr <= points[0][0]) return points[0][1];
    for (let k = 1; k < points.length; k++) {
      const [x0, y0] = points[k - 1];
      const [x1, y1] = points[k];
      if (lr <= x1) return y0 + ((y1 - y0) * (lr - x0)) / (x1 - x0);
    }
    return points[points.length - 1][1];
  };
}

// The paper's shape: flat at chance (0.1) until 0.002, a steady rise to 0.8 at 0.008, a plateau to
// 0.014, then a fall as the LR gets too large.
const paperShape = piecewise([
  [0.002, 0.1],
  [0.008, 0.8],
  [0.014, 0.8],
  [0.02, 0.5],
]);
const loss = (acc: number[]): number[] => acc.map((a) => 2.3 * (1 - a));

describe('suggestBounds', () => {
  test('clean curve: baseLR where the rise starts, maxLR where it stops', () => {
    const acc = LR.map(paperShape);
    const s = paper({ lr: LR, accuracy: acc, loss: loss(acc), mode: 'linear' });
    // The rise starts at 0.002; "clearly above the start" needs 5 % of the 0.7 rise = 0.035, which the
    // 0.7/0.006-per-LR slope reaches 0.0003 later (plus the smoothing's few points of rounding).
    expect(s.baseLR).toBeGreaterThanOrEqual(0.002);
    expect(s.baseLR).toBeLessThanOrEqual(0.0028);
    // The rise ends at 0.008 (slope drops to 0): "rise slows" fires there, before the plateau's end.
    expect(s.maxLR).toBeGreaterThanOrEqual(0.0072);
    expect(s.maxLR).toBeLessThanOrEqual(0.0085);
    expect(s.maxLRReason).toBe('rise-slows');
    expect(s.confidence).toBe('high');
    expect(s.source).toBe('training-accuracy');
    expect(s.alternatives.maxOver3).toBeCloseTo((s.maxLR as number) / 3, 15);
    expect(s.alternatives.maxOver4).toBeCloseTo((s.maxLR as number) / 4, 15);
  });

  test('noisy curve (σ = 0.03): the same bounds within a few percent of the range', () => {
    const g = gaussian(7);
    const acc = LR.map((lr) => paperShape(lr) + 0.03 * g());
    const s = paper({ lr: LR, accuracy: acc, loss: loss(acc) });
    // Noise of 0.03 on a 0.7 rise: base is where the smoothed curve clears 3σ of its own noise, a little
    // after 0.002; max still near the knee at 0.008 (the slope falls or the peak is reached there).
    expect(s.baseLR).toBeGreaterThanOrEqual(0.0015);
    expect(s.baseLR).toBeLessThanOrEqual(0.0035);
    expect(s.maxLR).toBeGreaterThanOrEqual(0.0065);
    expect(s.maxLR).toBeLessThanOrEqual(0.0105);
    expect(s.noise).toBeGreaterThan(0.02); // the estimate finds the noise we put in
    expect(s.noise).toBeLessThan(0.04);
    expect(s.confidence).not.toBe('none');
  });

  test('late start: nothing happens until 0.01', () => {
    const shape = piecewise([
      [0.01, 0.1],
      [0.016, 0.7],
      [0.02, 0.7],
    ]);
    const acc = LR.map(shape);
    const s = paper({ lr: LR, accuracy: acc });
    expect(s.baseLR).toBeGreaterThanOrEqual(0.01);
    expect(s.baseLR).toBeLessThanOrEqual(0.0108);
    expect(s.maxLR).toBeGreaterThanOrEqual(0.0148);
    expect(s.maxLR).toBeLessThanOrEqual(0.0165);
  });

  test('ragged: a steady rise whose noise jumps tenfold at 0.01 stops maxLR there', () => {
    const g = gaussian(11);
    const rise = piecewise([
      [0.002, 0.1],
      [0.018, 0.9],
    ]);
    // Still rising steadily everywhere (so "rise slows" has nothing to find before the jump), but the
    // noise goes from 0.005 to 0.1 at lr 0.01: the curve turns ragged there.
    const acc = LR.map((lr) => rise(lr) + (lr < 0.01 ? 0.005 : 0.1) * g());
    const s = paper({ lr: LR, accuracy: acc });
    expect(s.maxLRReason).toBe('ragged');
    expect(s.maxLR).toBeGreaterThanOrEqual(0.0095);
    expect(s.maxLR).toBeLessThanOrEqual(0.0115);
  });

  test('flat curve: confidence none and no bounds, instead of a guess', () => {
    const g = gaussian(3);
    const acc = LR.map(() => 0.1 + 0.01 * g());
    const s = paper({ lr: LR, accuracy: acc, loss: acc.map(() => 2.3) });
    expect(s.confidence).toBe('none');
    expect(s.baseLR).toBeNull();
    expect(s.maxLR).toBeNull();
    expect(s.notes.join(' ')).toMatch(/flat curve/);
  });

  test('NaN tail: nothing is suggested at or beyond the first non-finite loss', () => {
    // Accuracy keeps "rising" in garbage after index 100 (lr ≈ 0.01), where the loss is already NaN.
    const acc = LR.map((lr, k) => (k < 100 ? piecewise([[0.002, 0.1], [0.012, 0.8]])(lr) : 0.95));
    const lossWithNaN = loss(acc).map((v, k) => (k < 100 ? v : NaN));
    const s = paper({ lr: LR, accuracy: acc, loss: lossWithNaN });
    expect(s.usablePoints).toBe(100);
    expect(s.indices.max).toBeLessThan(100);
    expect(s.maxLR).toBeLessThan(LR[100]);
    // Same when the test says where it stopped (divergence), even with finite values after it.
    const s2 = paper({ lr: LR, accuracy: acc, loss: loss(acc), stoppedAt: 100 });
    expect(s2.indices.max).toBeLessThan(100);
  });

  test('still rising at the end of the sweep: low confidence and a note to sweep higher', () => {
    const acc = LR.map(piecewise([[0.004, 0.1], [0.02, 0.8]]));
    const s = paper({ lr: LR, accuracy: acc });
    expect(s.confidence).toBe('low');
    expect(s.notes.join(' ')).toMatch(/still rising at the end/);
  });

  test('validation accuracy is preferred when there is enough of it', () => {
    const acc = LR.map(paperShape);
    const vIdx = Array.from({ length: 40 }, (_, k) => 4 + 5 * k);
    // Validation peaks earlier (0.006) than training: the suggestion must follow validation.
    const vShape = piecewise([[0.002, 0.1], [0.006, 0.6], [0.02, 0.2]]);
    const validation = { lr: vIdx.map((i) => LR[i]), accuracy: vIdx.map((i) => vShape(LR[i])), loss: vIdx.map(() => 1) };
    const s = paper({ lr: LR, accuracy: acc, loss: loss(acc), validation });
    expect(s.source).toBe('validation-accuracy');
    expect(s.maxLR).toBeLessThanOrEqual(0.0075);
    const t = paper({ lr: LR, accuracy: acc, loss: loss(acc), validation }, { source: 'training' });
    expect(t.source).toBe('training-accuracy');
  });

  test('without accuracy the negated loss is used, and said so', () => {
    const acc = LR.map(paperShape);
    const s = paper({ lr: LR, loss: loss(acc) });
    expect(s.source).toBe('training-loss');
    expect(s.notes.join(' ')).toMatch(/no accuracy was recorded/);
    // loss = 2.3·(1 − acc) is a mirror image of accuracy: the same knees.
    expect(s.baseLR).toBeLessThanOrEqual(0.0028);
    expect(s.maxLR).toBeLessThanOrEqual(0.0085);
  });

  test('loss second opinion: steepest descent against log LR on an exponential sweep', () => {
    const lr = Array.from({ length: 100 }, (_, k) => 1e-5 * 10 ** ((5 * k) / 99)); // 1e-5 … 1
    // Loss = 2 − tanh(log10(lr) + 3): steepest against log LR at lr = 1e-3; lowest at the end.
    const l = lr.map((v) => 2 - Math.tanh(Math.log10(v) + 3));
    const s = paper({ lr, loss: l, mode: 'exponential' });
    expect(Math.log10(s.loss.steepestLR as number)).toBeCloseTo(-3, 0.5);
    expect(s.loss.minLossLR).toBeCloseTo(1, 6);
  });

  test('bad input names the option', () => {
    expect(() => suggestBounds({ lr: LR, accuracy: LR }, { riseNoise: 0 })).toThrow(/suggestBounds: riseNoise must be a finite number > 0, got 0/);
    expect(() => suggestBounds({ lr: LR }, {})).toThrow(/suggestBounds: curve must be a result with accuracy or loss/);
    expect(() => suggestBounds({ lr: LR, accuracy: LR }, { source: 'test' as never })).toThrow(/source must be one of/);
  });
});

describe('the rule registry', () => {
  // Loss = a parabola in log LR with its bottom at 0.01, over an exponential sweep 1e-5 … 1.
  const lr = Array.from({ length: 200 }, (_, k) => 1e-5 * 10 ** ((5 * k) / 199));
  const curve: RangeCurve = { lr, loss: lr.map((v) => 1 + (Math.log10(v) + 2) ** 2), mode: 'exponential' };

  test('every built-in rule gets the options suggestBounds was given (baseDivisor)', () => {
    for (const rule of ['thumb', 'valley', 'steep', 'minimum'] as const) {
      const s = suggestBounds(curve, { rule, baseDivisor: 3 });
      expect([rule, s.baseLR]).toEqual([rule, expect.closeTo((s.maxLR as number) / 3, 12)]);
    }
  });

  test('your own rule gets them too, without `rule`', () => {
    let seen: unknown;
    const mine = (c: RangeCurve, o?: object) => {
      seen = o;
      return suggestBounds(c, { rule: 'thumb' });
    };
    suggestBounds(curve, { rule: mine, baseDivisor: 3, smoothing: 2 });
    expect(seen).toEqual({ baseDivisor: 3, smoothing: 2 });
  });

  test('an unknown name (or an inherited key) is an error naming the rules', () => {
    expect(() => suggestBounds(curve, { rule: 'toString' as never })).toThrow(/suggestBounds: rule must be a rule function or one of "accuracy", "thumb", "valley", "steep", "minimum", got "toString"/);
  });
});

describe('suggestStepSize', () => {
  test("the paper's CIFAR-10 setting: 500 iterations per epoch, 4 epochs per half cycle → 2,000", () => {
    expect(suggestStepSize({ samples: 50000, batchSize: 100 })).toEqual({
      iterationsPerEpoch: 500,
      stepSize: 2000,
      cycleLength: 4000,
      cycles: 3,
      totalIterations: 12000,
      epochs: 24,
    });
  });

  test('a partial last batch counts as an iteration; plans are whole cycles', () => {
    const p = suggestStepSize({ samples: 1050, batchSize: 100, epochsPerHalfCycle: 2, cycles: 4 });
    expect(p.iterationsPerEpoch).toBe(11);
    expect(p.stepSize).toBe(22);
    expect(p.totalIterations).toBe(4 * 44);
    expect(p.epochs).toBe(16);
  });

  test('bad input names the option', () => {
    expect(() => suggestStepSize({ samples: 100, batchSize: 10, epochsPerHalfCycle: 1 })).toThrow(
      /epochsPerHalfCycle must be a number in \[2, 10\].*got 1/,
    );
    expect(() => suggestStepSize({ samples: 100, batchSize: 10, cycles: 2 })).toThrow(/cycles must be an integer >= 3, got 2/);
    expect(() => suggestStepSize({ samples: 0, batchSize: 10 })).toThrow(/samples must be an integer >= 1, got 0/);
  });
});

describe('every option reaches the rule that reads it, and no other', () => {
  // Loss = a parabola in log LR with a flat floor from 0.005 to 0.02 (center 0.01), plus seeded noise,
  // over an exponential sweep 1e-5 … 1.
  const lr = Array.from({ length: 200 }, (_, k) => 1e-5 * 10 ** ((5 * k) / 199));
  const floor = (v: number) => Math.max(0, Math.abs(Math.log10(v) + 2) - Math.log10(2));
  const rand = seeded(3);
  const curve: RangeCurve = { lr, loss: lr.map((v) => 1 + floor(v) ** 2 + 0.01 * (rand() - 0.5)), mode: 'exponential' };
  const near = (x: number | null, want: number) => expect(Math.abs(Math.log(x as number) - Math.log(want))).toBeLessThan(Math.log(1.3));

  test("thumb's reading: the floor's left end, its center or its minimum", () => {
    const bottom = suggestBounds(curve, { reading: 'bottom' }).maxLR as number;
    near(suggestBounds(curve, { reading: 'center' }).maxLR, 0.01);
    expect(bottom).toBeLessThan(0.007); // the floor's left end (0.005), blurred by the smoother
    expect(suggestBounds(curve, { reading: 'minimum' }).maxLR).toBeGreaterThan(bottom);
  });

  test("minimum's divisor: maxLR = the minimum's LR / divisor", () => {
    const at = suggestBounds(curve, { rule: 'minimum', divisor: 1 }).maxLR as number;
    expect(suggestBounds(curve, { rule: 'minimum', divisor: 5 }).maxLR).toBeCloseTo(at / 5, 12);
  });

  test("the loss rules' skipBegin: steep never reads inside the skipped part", () => {
    const k = (s: { maxLR: number | null }) => lr.indexOf(s.maxLR as number);
    expect(k(suggestBounds(curve, { rule: 'steep', skipBegin: 0.5 }))).toBeGreaterThanOrEqual(100);
  });

  test('an option the chosen rule does not read is refused, naming the option and the rule', () => {
    expect(() => suggestBounds(curve, { rule: 'valley', riseNoise: 3 })).toThrow(/suggestBounds: option "riseNoise" is not read by rule "valley" \(it reads skipBegin, skipEnd, baseDivisor\)/);
    expect(() => suggestBounds(curve, { divisor: 3 })).toThrow(/option "divisor" is not read by rule "thumb"/);
    expect(() => suggestBounds(curve, { rule: 'accuracy', reading: 'center' })).toThrow(/option "reading" is not read by rule "accuracy"/);
    expect(() => suggestBounds(curve, { skipBegin: 1.5 })).toThrow(/suggestBounds: skipBegin must be a number in \[0, 1\)/);
    expect(() => suggestBounds(curve, { rule: 'minimum', acrossBumps: true })).toThrow(/option "acrossBumps" is not read by rule "minimum"/);
    expect(() => suggestBounds(curve, { acrossBumps: 'yes' as unknown as boolean })).toThrow(/suggestBounds: acrossBumps must be true or false, got "yes"/);
  });
});
