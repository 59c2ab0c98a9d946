/**
 * The suggestion rules on curves with known answers: each expected LR follows from how the curve was
 * built (the comments say why), and the failure modes found on real tasks are reproduced here.
 */
import {
  accuracyRule,
  thumbRule,
  minimumRule,
  steepRule,
  suggestBounds,
  suggestionRules,
  valleyRule,
  type BoundsSuggestion,
  type RangeCurve,
} from '../src/index.js';
import { seededRandom } from '../examples/lib/kit.js';

/** Exponential sweep of n points from 1e-5 to 1 (five decades). */
const expSweep = (n: number) => Array.from({ length: n }, (_, k) => 1e-5 * 10 ** ((5 * k) / (n - 1)));
const log10 = Math.log10;

/** Deterministic uniform generator (Park–Miller). */
const uniform = seededRandom;

/** A binomial draw: the fraction of `n` examples right when each is right with probability p. */
function binomialFraction(p: number, n: number, rand: () => number): number {
  let hits = 0;
  for (let k = 0; k < n; k++) if (rand() < p) hits++;
  return hits / n;
}

const finite = (s: BoundsSuggestion) => [s.baseLR, s.maxLR].every((v) => v === null || (Number.isFinite(v) && v > 0));

describe('loss rules (fastai / Lightning)', () => {
  const lr = expSweep(200);
  // Loss = 2 − tanh(log10(lr) + 3): falls fastest against log LR at lr = 1e-3, and keeps falling to the end.
  const tanhLoss = lr.map((v) => 2 - Math.tanh(log10(v) + 3));

  test('steep: the LR of the steepest descent against log LR; bounds [lr/4, lr]', () => {
    const s = steepRule({ lr, loss: tanhLoss, mode: 'exponential' });
    expect(log10(s.maxLR as number)).toBeCloseTo(-3, 1); // within 0.05 decades
    expect(s.baseLR).toBeCloseTo((s.maxLR as number) / 4, 15);
    expect(s.maxLRReason).toBe('steepest');
    expect(s.source).toBe('training-loss');
  });

  test('minimum: the LR at the lowest smoothed loss / 10', () => {
    // A parabola in log LR with its bottom at lr = 0.01 (index 119.4 of 200 → the nearest point).
    const loss = lr.map((v) => 1 + (log10(v) + 2) ** 2);
    const s = minimumRule({ lr, loss, mode: 'exponential' });
    expect(log10(s.maxLR as number)).toBeCloseTo(-3, 1);
    expect(minimumRule({ lr, loss, mode: 'exponential' }, { divisor: 3 }).maxLR).toBeCloseTo(((s.maxLR as number) * 10) / 3, 12);
  });

  test('valley: half-way (1/3 + 1/6) into the longest strictly falling run', () => {
    // Flat at 2 for points 0–59 (not strictly falling), falling linearly from 60 to 160, rising after.
    const loss = lr.map((_, k) => (k < 60 ? 2 : k <= 160 ? 2 - (k - 60) / 100 : 1 + (k - 160) / 20));
    const s = valleyRule({ lr, loss, mode: 'exponential' });
    // Smoothing (a triangular kernel of half-width 2h = 10 points) starts the fall at ~50, and the
    // steeper rise pulls the minimum a little left of 160 (~157): 50 + ⌊107/3⌋ + ⌊107/6⌋ = 102.
    const k = lr.indexOf(s.maxLR as number);
    expect(k).toBeGreaterThanOrEqual(98);
    expect(k).toBeLessThanOrEqual(106);
    expect(s.baseLR).toBeCloseTo((s.maxLR as number) / 4, 15);
  });

  test('the probe is read when there is one (the zero-config test)', () => {
    const curve: RangeCurve = { lr: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], loss: [1, 1, 1, 1, 1, 1], mode: 'linear', probe: { lr, loss: tanhLoss, mode: 'exponential' } };
    const s = steepRule(curve);
    expect(s.source).toBe('probe-loss');
    expect(log10(s.maxLR as number)).toBeCloseTo(-3, 1);
  });

  test('non-finite losses and the stop point are cut off (Lightning drops non-finite values)', () => {
    const loss: Array<number | null> = lr.map((v) => 1 + (log10(v) + 2) ** 2);
    for (let k = 150; k < 200; k++) loss[k] = k % 2 ? null : 1e9;
    const s = minimumRule({ lr, loss, mode: 'exponential', stoppedAt: 150 });
    expect(log10(s.maxLR as number)).toBeCloseTo(-3, 1);
    expect(s.usablePoints).toBe(150);
  });

  test('a loss that never falls gives no bounds, with a note (never NaN)', () => {
    const flat = lr.map(() => 2);
    for (const rule of [valleyRule, steepRule, minimumRule]) {
      const s = rule({ lr, loss: flat, mode: 'exponential' });
      expect(s.confidence).toBe('none');
      expect(s.baseLR).toBeNull();
      expect(s.notes.join(' ')).toMatch(/never fell.*already trained, or nothing in this LR range trains it/);
    }
  });

  test('an already trained model (loss falls a few percent before blowing up) is low confidence', () => {
    const loss = lr.map((v) => (v < 0.1 ? 0.4 - 0.02 * (log10(v) + 5) / 4 : 0.38 + (v - 0.1) * 40));
    const s = steepRule({ lr, loss, mode: 'exponential' });
    expect(s.confidence).toBe('low');
    expect(s.notes.join(' ')).toMatch(/already trained/);
  });
});

describe('thumb (the default): maxLR at the probe loss minimum, baseLR = maxLR/4', () => {
  // Probe: five decades, loss a parabola in log LR with its bottom at 0.01 (then it climbs: divergence).
  const probeLR = expSweep(100);
  const probe: RangeCurve = { lr: probeLR, loss: probeLR.map((v) => 1 + (log10(v) + 2) ** 2), mode: 'exponential' };
  // The linear sweep's validation accuracy: rises and stops rising at `knee`.
  const sweep = (knee: number): RangeCurve => {
    const lr = Array.from({ length: 41 }, (_, k) => (0.1 * k) / 40);
    const acc = lr.map((v) => 0.1 + 0.8 * Math.min(1, v / knee));
    return { lr, loss: acc.map((a) => 1 - a), mode: 'linear', validation: { lr, loss: acc.map((a) => 1 - a), accuracy: acc, samples: 1000 }, probe };
  };

  test('the bounds, and high confidence where the accuracy reading agrees (within 3×)', () => {
    const s = thumbRule(sweep(0.012));
    expect(log10(s.maxLR as number)).toBeCloseTo(-2, 1);
    expect(s.baseLR).toBeCloseTo((s.maxLR as number) / 4, 15);
    expect(thumbRule(sweep(0.012), { divisor: 3 }).baseLR).toBeCloseTo((s.maxLR as number) / 3, 15);
    expect(s.source).toBe('probe-loss');
    expect(s.confidence).toBe('high');
  });

  test('medium where the accuracy reading is more than 3× away, and the note says where', () => {
    const s = thumbRule(sweep(0.05));
    expect(log10(s.maxLR as number)).toBeCloseTo(-2, 1);
    expect(s.confidence).toBe('medium');
    expect(s.notes.join(' ')).toMatch(/accuracy reading of the sweep puts maxLR at 0\.0[45]\d* .*not within a factor of 3/);
  });

  test('capped at half the LR where the linear sweep diverged (the trained model breaks lower)', () => {
    // Probe minimum at 0.01; the sweep (0 … 0.1) diverged at batch 6, LR 0.015: cap 0.0075.
    const c = { ...sweep(0.012), stoppedAt: 6 };
    const s = thumbRule(c);
    expect(s.maxLR).toBeCloseTo(c.lr[6] / 2, 15);
    expect(s.baseLR).toBeCloseTo(c.lr[6] / 8, 15);
    expect(s.confidence).toBe('medium');
    expect(s.notes.join(' ')).toMatch(/capped at 0\.00750, half the LR where the linear sweep diverged/);
  });

  test('low when the loss is still falling at the end of the probe (sweep higher)', () => {
    const falling: RangeCurve = { lr: probeLR, loss: probeLR.map((v) => 2 - Math.tanh(log10(v) + 3)), mode: 'exponential' };
    const s = thumbRule(falling);
    expect(s.confidence).toBe('low');
    expect(s.notes.join(' ')).toMatch(/still falling at the end of the probe \(LR 1\.00\): .*sweep past it with rangeTest's \(or LRFinder's\) maxLR option, e\.g\. maxLR: 10/);
  });
});

describe('accuracy rules (the paper)', () => {
  // The paper's test: a linear sweep; validation accuracy every 5 batches on 1,000 examples.
  const n = 41;
  const lr = Array.from({ length: n }, (_, k) => (0.5 * k) / (n - 1));
  const rise = (v: number) => 0.1 + 0.8 / (1 + Math.exp(-(v - 0.1) / 0.015)); // midpoint 0.1, done by ~0.16

  test('baseDivisor: maxLR where the rise stops, baseLR = maxLR/4 (or /3) instead of where it starts', () => {
    const acc = lr.map((v) => (v < 0.3 ? rise(v) : rise(v) - (v - 0.3) * 2)); // falls after 0.3
    const curve: RangeCurve = { lr, loss: acc.map((a) => 2.3 * (1 - a)), validation: { lr, loss: acc.map((a) => 2.3 * (1 - a)), accuracy: acc, samples: 1000 } };
    const s = accuracyRule(curve, { baseDivisor: 4 });
    expect(s.maxLR).toBeGreaterThanOrEqual(0.1);
    expect(s.maxLR).toBeLessThanOrEqual(0.2);
    expect(s.baseLR).toBeCloseTo((s.maxLR as number) / 4, 15);
    expect(accuracyRule(curve, { baseDivisor: 3 }).baseLR).toBeCloseTo((s.maxLR as number) / 3, 15);
    expect(accuracyRule(curve).baseLR).toBeLessThan(0.1); // where the rise starts
    expect(s.source).toBe('validation-accuracy');
  });

  test('noise that grows as accuracy leaves chance is not raggedness (binomial, batch 64)', () => {
    // Per-batch training accuracy of 64 examples. Before the rise the model predicts one class and
    // every batch holds the same share of it: accuracy is exactly 0.1, no noise. During the rise each
    // batch is a binomial draw, σ = √(p(1−p)/64) up to 0.0625. Measured against the silent start, that
    // looks "ragged" in the middle of the rise (issue: bounds 100× too low); against the binomial
    // noise expected at each level, it is not.
    const lrs = Array.from({ length: 400 }, (_, k) => (0.5 * k) / 399);
    const rand = uniform(11);
    const acc = lrs.map((v) => (v < 0.05 ? 0.1 : binomialFraction(rise(v), 64, rand)));
    const curve: RangeCurve = { lr: lrs, accuracy: acc, loss: acc.map((a) => 2.3 * (1 - a)), mode: 'linear' };
    const s = accuracyRule({ ...curve, batchSize: 64 });
    expect(s.source).toBe('training-accuracy');
    expect(s.maxLR).toBeGreaterThanOrEqual(0.12); // past the steep part (midpoint 0.1)
    expect(s.maxLRReason).not.toBe('ragged');
    // Without the batch size the rule cannot know the noise level: the old failure.
    const blind = accuracyRule({ ...curve, batchSize: null });
    expect(blind.maxLRReason).toBe('ragged');
    expect(blind.maxLR).toBeLessThan(0.1);
  });

  test('a rise from the very first point is read, not called flat', () => {
    // Validation at the first batch sits at chance; the rise happens over the next few points.
    const acc = lr.map((v, k) => (k === 0 ? 0.1 : 0.85 + 0.05 * Math.min(1, v / 0.2)));
    const s = accuracyRule({ lr, loss: acc.map((a) => 1 - a), validation: { lr, loss: acc.map((a) => 1 - a), accuracy: acc, samples: 1000 } });
    expect(s.confidence).not.toBe('none');
    expect(s.baseLR).not.toBeNull();
  });

  test('accuracy already high at the first point and flat: no bounds, and the note says to sweep lower', () => {
    const acc = lr.map((_, k) => 0.95 + 0.002 * Math.sin(k));
    const s = accuracyRule({ lr, loss: acc.map((a) => 1 - a), validation: { lr, loss: acc.map((a) => 1 - a), accuracy: acc, samples: 1000 } });
    expect(s.confidence).toBe('none');
    expect(s.notes.join(' ')).toMatch(/before the sweep began.*sweep from a lower minLR/);
  });

  test('an already trained model (accuracy 0.87 → 0.90, then falls) is low confidence and says why', () => {
    const acc = lr.map((v) => (v < 0.25 ? 0.87 + 0.12 * v : 0.9 - (v - 0.25) * 1.5));
    const s = accuracyRule({ lr, loss: acc.map((a) => 1 - a), validation: { lr, loss: acc.map((a) => 1 - a), accuracy: acc, samples: 1000 } });
    expect(s.confidence).toBe('low');
    expect(s.notes.join(' ')).toMatch(/already trained/);
  });
});

describe('suggestBounds', () => {
  const lr = expSweep(100);
  const loss = lr.map((v) => 2 - Math.tanh(log10(v) + 3));

  test('takes a rule by name or as a function with the same signature', () => {
    const curve: RangeCurve = { lr, loss, mode: 'exponential' };
    expect(suggestBounds(curve, { rule: 'steep' })).toEqual(steepRule(curve));
    expect(suggestBounds(curve, { rule: 'minimum' }).rule).toBe('minimum');
    const mine = (c: RangeCurve): BoundsSuggestion => ({ ...steepRule(c), rule: 'mine', baseLR: 0.001, maxLR: 0.002 });
    expect(suggestBounds(curve, { rule: mine })).toMatchObject({ rule: 'mine', baseLR: 0.001, maxLR: 0.002 });
    expect(Object.keys(suggestionRules).sort()).toEqual(['accuracy', 'minimum', 'steep', 'thumb', 'valley']);
  });

  test('a rule that returns a non-finite bound is an error naming it', () => {
    const broken = (c: RangeCurve): BoundsSuggestion => ({ ...steepRule(c), rule: 'broken', maxLR: NaN });
    expect(() => suggestBounds({ lr, loss }, { rule: broken })).toThrow(/rule "broken" returned baseLR .* and maxLR NaN/);
    expect(() => suggestBounds({ lr, loss }, { rule: 'fastai' as never })).toThrow(/suggestBounds: rule must be a rule function or one of "accuracy"/);
  });

  test('every built-in rule on degenerate curves: bounds are finite or null, never NaN', () => {
    const curves: RangeCurve[] = [
      { lr: [0.1, 0.2], loss: [1, 2] },
      { lr, loss: lr.map(() => NaN) },
      { lr, loss: lr.map(() => 1), accuracy: lr.map(() => 0.5) },
      { lr, loss, stoppedAt: 0 },
    ];
    for (const c of curves) for (const rule of Object.values(suggestionRules)) expect(finite(rule(c))).toBe(true);
  });
});
