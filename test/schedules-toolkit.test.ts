/**
 * The composable schedules: every TSDoc example prints what it says, exact values on small integer
 * cases derived independently (PyTorch's step-by-step algorithms), and properties over random options
 * (fast-check).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as lib from '../src/index.js';
import {
  constantSchedule,
  cosineDecaySchedule,
  cosineRestartsSchedule,
  cyclicLearningRate,
  exponentialDecaySchedule,
  joinSchedules,
  linearSchedule,
  oneCycleLearningRate,
  piecewiseConstantSchedule,
  polynomialDecaySchedule,
  stepDecaySchedule,
  warmupCosineSchedule,
  type Schedule,
} from '../src/index.js';

/** The ```ts blocks of every @example in a source file, as plain lines. */
function examples(file: string): Array<{ name: string; lines: string[] }> {
  const src = readFileSync(path.join(__dirname, '..', 'src', 'schedules', file), 'utf8');
  const out: Array<{ name: string; lines: string[] }> = [];
  const re = /@example\s*\n\s*\*\s*```ts\n([\s\S]*?)\n\s*\*\s*```[\s\S]*?export function (\w+)/g;
  for (let m = re.exec(src); m; m = re.exec(src)) out.push({ name: m[2], lines: m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, '')) });
  return out;
}

const documented = [...examples('decay.ts'), ...examples('compose.ts')];

test('every exported schedule of decay.ts and compose.ts has an example', () => {
  expect(documented.map((d) => d.name).sort()).toEqual(
    ['constantSchedule', 'cosineDecaySchedule', 'cosineRestartsSchedule', 'exponentialDecaySchedule', 'joinSchedules', 'linearSchedule', 'piecewiseConstantSchedule', 'polynomialDecaySchedule', 'stepDecaySchedule', 'warmupCosineSchedule', 'warmupStableDecaySchedule'].sort(),
  );
});

test.each(documented)('the $name example prints the values its comment says', ({ lines }) => {
  // `expr; // [values]` lines are checked; other lines run as written.
  let checks = 0;
  const body = lines
    .map((line) => {
      const m = /^(.*);\s*\/\/\s*(\[.*\])\s*$/.exec(line);
      if (!m) return line;
      checks++;
      return `__check(${m[1]}, ${m[2]});`;
    })
    .join('\n');
  const check = (got: Array<number | boolean>, want: Array<number | boolean>) => {
    expect(got).toHaveLength(want.length);
    got.forEach((v, k) => (typeof want[k] === 'boolean' ? expect(v).toBe(want[k]) : expect(v).toBeCloseTo(want[k] as number, 12)));
  };
  const names = Object.keys(lib);
  new Function(...names, '__check', body)(...names.map((n) => (lib as Record<string, unknown>)[n]), check);
  expect(checks).toBeGreaterThan(0);
});

describe('exact values on small cases', () => {
  test('stepDecaySchedule is PyTorch StepLR (0.05, step 30, gamma 0.1)', () => {
    const s = stepDecaySchedule({ from: 0.05, every: 30, factor: 0.1 });
    expect([0, 29, 30, 59, 60, 90].map(s)).toEqual([0.05, 0.05, 0.005000000000000001, 0.005000000000000001, 0.0005000000000000001, 0.00005000000000000001].map((v, k) => (k < 2 ? v : expect.closeTo(v, 15))));
  });

  test('cosineRestartsSchedule follows PyTorch CosineAnnealingWarmRestarts step by step (T_0 3, T_mult 2, eta_min 0.1)', () => {
    const s = cosineRestartsSchedule({ maxLR: 1, minLR: 0.1, period: 3, periodMult: 2 });
    // PyTorch's own update: T_cur += 1; if T_cur >= T_i: T_cur -= T_i, T_i *= T_mult.
    let tCur = 0;
    let tI = 3;
    for (let i = 0; i < 40; i++) {
      expect(s(i)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * tCur) / tI)), 12);
      tCur += 1;
      if (tCur >= tI) {
        tCur -= tI;
        tI *= 2;
      }
    }
  });

  test('warmupCosineSchedule is linear warmup joined to a cosine decay with alpha = to / peak (Optax)', () => {
    const s = warmupCosineSchedule({ from: 0.1, peak: 0.5, warmupSteps: 5, steps: 15, to: 0.05 });
    for (let i = 0; i <= 5; i++) expect(s(i)).toBeCloseTo(0.1 + (0.4 * i) / 5, 12);
    for (let i = 5; i <= 20; i++) {
      const t = Math.min(i - 5, 10) / 10;
      expect(s(i)).toBeCloseTo(0.05 + 0.45 * 0.5 * (1 + Math.cos(Math.PI * t)), 12);
    }
  });

  test('exponentialDecaySchedule staircase multiplies in whole steps; a ceiling when rate > 1', () => {
    const s = exponentialDecaySchedule({ from: 1, steps: 4, rate: 0.1, staircase: true });
    expect([0, 3, 4, 7, 8].map(s)).toEqual([1, 1, 0.1, 0.1, expect.closeTo(0.01, 15)]);
    const up = exponentialDecaySchedule({ from: 1, steps: 1, rate: 2, to: 5 });
    expect([0, 1, 2, 3, 10].map(up)).toEqual([1, 2, 4, 5, 5]);
  });
});

describe('checked options: an Error naming the option, never a NaN value later', () => {
  test.each([
    ['constantSchedule', () => constantSchedule(-1), /constantSchedule: value must be a finite number >= 0, got -1/],
    ['linearSchedule steps', () => linearSchedule({ from: 1, to: 0, steps: 0 }), /linearSchedule: steps must be an integer >= 1, got 0/],
    ['linearSchedule unknown key', () => linearSchedule({ from: 1, to: 0, steps: 3, power: 2 } as never), /linearSchedule: unknown option "power"/],
    ['cosineDecaySchedule alpha', () => cosineDecaySchedule({ from: 1, steps: 3, alpha: 1.5 }), /cosineDecaySchedule: alpha must be a number in \[0, 1\], got 1.5/],
    ['exponentialDecaySchedule to', () => exponentialDecaySchedule({ from: 1, steps: 3, rate: 0.5, to: 2 }), /exponentialDecaySchedule: to must be <= from \(1\) for rate 0.5, got 2/],
    ['stepDecaySchedule factor', () => stepDecaySchedule({ from: 1, every: 3, factor: 0 }), /stepDecaySchedule: factor must be a finite number > 0, got 0/],
    ['piecewiseConstantSchedule boundaries', () => piecewiseConstantSchedule({ boundaries: [3, 3], values: [1, 2, 3] }), /piecewiseConstantSchedule: boundaries\[1\] must be an integer >= 4, got 3/],
    ['piecewiseConstantSchedule values', () => piecewiseConstantSchedule({ boundaries: [3], values: [1] }), /piecewiseConstantSchedule: values must be an array of boundaries.length \+ 1 = 2 numbers, got \[1\]/],
    ['joinSchedules boundaries', () => joinSchedules([constantSchedule(1), constantSchedule(2)], []), /joinSchedules: boundaries must be an array of schedules.length − 1 = 1 iterations, got \[\]/],
    ['warmupCosineSchedule steps', () => warmupCosineSchedule({ peak: 1, warmupSteps: 5, steps: 5 }), /warmupCosineSchedule: steps must be an integer >= 6, got 5/],
    ['cosineRestartsSchedule periodMult', () => cosineRestartsSchedule({ maxLR: 1, period: 3, periodMult: 1.5 }), /cosineRestartsSchedule: periodMult must be an integer >= 1, got 1.5/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  test('a bad iteration is an error, not NaN', () => {
    expect(() => linearSchedule({ from: 1, to: 0, steps: 3 })(-1)).toThrow(/linearSchedule: iteration must be a finite number >= 0, got -1/);
    expect(() => joinSchedules([constantSchedule(1)], [])(NaN)).toThrow(/joinSchedules: iteration must be a finite number >= 0, got NaN/);
  });
});

describe('properties over random options (fast-check)', () => {
  const lr = fc.double({ min: 1e-6, max: 10, noNaN: true });
  const steps = fc.integer({ min: 1, max: 500 });
  const iteration = fc.integer({ min: 0, max: 5000 });
  const within = (v: number, a: number, b: number) => Number.isFinite(v) && v >= Math.min(a, b) * (1 - 1e-12) && v <= Math.max(a, b) * (1 + 1e-12);

  test('linear, polynomial and cosine decays stay between their ends and hold the last value after `steps`', () => {
    fc.assert(
      fc.property(lr, lr, steps, fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), iteration, (a, b, n, power, alpha, i) => {
        const lin = linearSchedule({ from: a, to: b, steps: n });
        const poly = polynomialDecaySchedule({ from: a, to: b, steps: n, power });
        const cos = cosineDecaySchedule({ from: a, steps: n, alpha });
        expect(within(lin(i), a, b) && within(poly(i), a, b) && within(cos(i), a, a * alpha)).toBe(true);
        expect(lin(n + i)).toBe(b);
        expect(poly(n + i)).toBe(b);
        expect(cos(n + i)).toBeCloseTo(a * alpha, 12);
        expect(lin(0)).toBe(a);
      }),
    );
  });

  test('exponential decay with a floor never goes below it or above its start; step decay is non-increasing for factor < 1', () => {
    fc.assert(
      fc.property(lr, fc.double({ min: 0.01, max: 0.99, noNaN: true }), steps, fc.boolean(), iteration, (a, rate, n, staircase, i) => {
        const floor = a * rate ** 3;
        const s = exponentialDecaySchedule({ from: a, steps: n, rate, staircase, to: floor });
        expect(within(s(i), a, floor)).toBe(true);
        const d = stepDecaySchedule({ from: a, every: n, factor: rate });
        expect(d(i + 1)).toBeLessThanOrEqual(d(i));
      }),
    );
  });

  test('cosine restarts: within [minLR, maxLR], maxLR at every restart, periodic when periodMult is 1', () => {
    fc.assert(
      fc.property(lr, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 3 }), iteration, (max, f, period, mult, i) => {
        const min = max * f;
        const s = cosineRestartsSchedule({ maxLR: max, minLR: min, period, periodMult: mult });
        expect(within(s(i), min, max)).toBe(true);
        let restart = 0;
        for (let T = period, k = 0; k < 4; k++, T *= mult) {
          expect(s(restart)).toBeCloseTo(max, 12);
          restart += T;
        }
        if (mult === 1) expect(s(i + period)).toBeCloseTo(s(i), 12);
      }),
    );
  });

  test('joins are continuous where continuous parts meet (warmup + cosine at the end of the warmup)', () => {
    fc.assert(
      fc.property(lr, fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 500 }), fc.double({ min: 0, max: 1, noNaN: true }), (peak, w, d, f) => {
        const s = warmupCosineSchedule({ peak, warmupSteps: w, steps: w + d, to: peak * f });
        expect(s(w)).toBeCloseTo(peak, 12);
        expect(Math.abs(s(w) - s(w - 1))).toBeLessThanOrEqual(peak / w + 1e-12);
        expect(Math.abs(s(w + 1) - s(w))).toBeLessThanOrEqual((peak * Math.PI) / (2 * d) + 1e-12);
        for (const i of [0, w, w + d, 2 * (w + d)]) expect(within(s(i), 0, peak)).toBe(true);
      }),
    );
  });

  test('cyclic schedules: periodic (triangular), halved peaks (triangular2), inside the exp_range envelope', () => {
    fc.assert(
      fc.property(lr, fc.double({ min: 1, max: 20, noNaN: true }), fc.integer({ min: 1, max: 100 }), fc.double({ min: 0.9, max: 1, noNaN: true }), iteration, (base, ratio, step, gamma, i) => {
        const max = base * ratio;
        const tri = cyclicLearningRate({ baseLR: base, maxLR: max, stepSize: step });
        expect(tri(i + 2 * step)).toBeCloseTo(tri(i), 10);
        expect(within(tri(i), base, max)).toBe(true);
        const tri2 = cyclicLearningRate({ baseLR: base, maxLR: max, stepSize: step, mode: 'triangular2' });
        const k = Math.floor(i / (2 * step));
        expect(tri2(k * 2 * step + step) - base).toBeCloseTo((max - base) / 2 ** k, 8);
        const exp = cyclicLearningRate({ baseLR: base, maxLR: max, stepSize: step, mode: 'exp_range', gamma });
        expect(exp(i) - base).toBeLessThanOrEqual((max - base) * gamma ** i * (1 + 1e-9) + 1e-15);
        expect(exp(i)).toBeGreaterThanOrEqual(base * (1 - 1e-12));
      }),
    );
  });

  test("1cycle starts at maxLR / divFactor, peaks at maxLR where its warmup ends, ends at its final value", () => {
    fc.assert(
      fc.property(lr, fc.integer({ min: 10, max: 2000 }), fc.double({ min: 0, max: 1, noNaN: true }), (max, total, f) => {
        // pctStart such that the warmup ends on a whole step k (PyTorch: at pctStart · total − 1).
        const k = 2 + Math.floor(f * (total - 5));
        const s: Schedule = oneCycleLearningRate({ maxLR: max, totalSteps: total, pctStart: (k + 1) / total });
        const rel = (v: number, want: number) => Math.abs(v / want - 1);
        expect(rel(s(0), max / 25)).toBeLessThan(1e-12);
        expect(rel(s(k), max)).toBeLessThan(1e-9);
        expect(rel(s(total - 1), max / 25 / 1e4)).toBeLessThan(1e-9);
        const values = Array.from({ length: total }, (_, i) => s(i));
        expect(values.every((v) => Number.isFinite(v) && v > 0 && v <= max * (1 + 1e-12))).toBe(true);
      }),
    );
  });

  test('1cycle (built from joined phases) equals PyTorch OneCycleLR.get_lr step by step, bit for bit', () => {
    // PyTorch's algorithm, written out here: phases with fractional end steps, scanned in order.
    const reference = (max: number, total: number, pct: number, three: boolean, linear: boolean, steps: number): number[] => {
      const initial = max / 25;
      const min = initial / 1e4;
      const anneal = (a: number, b: number, p: number) => (linear ? (b - a) * p + a : b + ((a - b) / 2) * (Math.cos(Math.PI * p) + 1));
      const phases = three
        ? [{ end: pct * total - 1, a: initial, b: max }, { end: 2 * pct * total - 2, a: max, b: initial }, { end: total - 1, a: initial, b: min }]
        : [{ end: pct * total - 1, a: initial, b: max }, { end: total - 1, a: max, b: min }];
      return Array.from({ length: steps }, (_, i) => {
        const step = Math.min(i, total - 1);
        let start = 0;
        for (const [k, ph] of phases.entries()) {
          if (step <= ph.end || k === phases.length - 1) return anneal(ph.a, ph.b, (step - start) / (ph.end - start));
          start = ph.end;
        }
        throw new Error('unreachable');
      });
    };
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 80 }), fc.double({ min: 0.05, max: 0.45, noNaN: true }), fc.boolean(), fc.boolean(), (total, pct, three, linear) => {
        fc.pre(pct * total > 1.01 && 2 * pct * total - 2 > pct * total - 1 + 0.01); // every phase non-empty, as the schedule requires
        const s = oneCycleLearningRate({ maxLR: 0.5, totalSteps: total, pctStart: pct, threePhase: three, anneal: linear ? 'linear' : 'cos' });
        const got = Array.from({ length: total + 3 }, (_, i) => s(i));
        expect(got).toEqual(reference(0.5, total, pct, three, linear, total + 3));
      }),
      { numRuns: 300 },
    );
  });

  test('random invalid options throw an Error naming the option, never build a schedule', () => {
    const bad = fc.oneof(fc.constant(-1), fc.constant(NaN), fc.constant(Infinity), fc.constant('0.1'), fc.constant(undefined));
    fc.assert(
      fc.property(bad, fc.constantFrom('from', 'steps'), (v, key) => {
        const opts = { from: 0.1, to: 0.01, steps: 10, [key]: v };
        expect(() => linearSchedule(opts as never)).toThrow(new RegExp(`linearSchedule: ${key} must be`));
      }),
    );
  });
});
