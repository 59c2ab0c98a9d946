/**
 * The zero-config test's several probes: their mean curve (meanProbe), the floor's center reading, and
 * the spread of the probes read alone, which caps confidence. Expected values follow from how each
 * curve was built (the comments say why), not from the code under test.
 */
import { meanProbe, thumbRule, type RangeTestResult } from '../src/index.js';
import { seededRandom } from '../examples/lib/kit.js';

/** A probe record with the given LRs and losses (stopped at `stoppedAt`, if given). */
function probe(lr: number[], loss: Array<number | null>, stoppedAt: number | null = null): RangeTestResult {
  return {
    mode: 'exponential',
    minLR: lr[0],
    maxLR: lr[lr.length - 1],
    numIterations: lr.length,
    iteration: lr.map((_, k) => k),
    lr,
    loss,
    accuracy: null,
    accuracyKey: null,
    optimizer: 'MomentumOptimizer',
    smoothedLoss: loss,
    batchSize: 10,
    validation: null,
    stopReason: stoppedAt === null ? 'completed' : 'diverged',
    stoppedAt,
    restored: true,
  };
}

describe('meanProbe', () => {
  test('the pointwise mean of the losses; the probes are kept in repeats', () => {
    const lr = [0.001, 0.01, 0.1];
    const m = meanProbe([probe(lr, [2, 1, 3]), probe(lr, [2, 3, 5]), probe(lr, [5, 2, 1])]);
    expect(m.loss).toEqual([3, 2, 3]); // (2+2+5)/3, (1+3+2)/3, (3+5+1)/3
    expect(m.lr).toEqual(lr);
    expect(m.stoppedAt).toBeNull();
    expect(m.repeats).toHaveLength(3);
  });

  test("the doc comment's example: two probes", () => {
    const lr = [1e-3, 3.16e-2, 1];
    expect(meanProbe([probe(lr, [2, 1, 3]), probe(lr, [2, 3, 5])]).loss).toEqual([2, 2, 4]);
  });

  test('stops where the median probe stopped, averaging only the probes still running', () => {
    const lr = [1, 2, 3, 4, 5, 6];
    // Usable lengths 2, 4 and 6: the median is 4. At batches 2 and 3 only the last two probes count.
    const m = meanProbe([probe(lr, [1, 1, 9, 9, 9, 9], 2), probe(lr, [3, 3, 4, 6, 9, 9], 4), probe(lr, [5, 5, 6, 8, 8, 8])]);
    expect(m.loss).toEqual([3, 3, 5, 7, null, null]);
    expect(m.stoppedAt).toBe(4);
    expect(m.stopReason).toBe('diverged');
  });

  test('a single probe is returned as it is; none is an error', () => {
    const p = probe([1, 2], [1, 1]);
    expect(meanProbe([p])).toBe(p);
    expect(() => meanProbe([])).toThrow(/meanProbe: no probes to average/);
  });
});

/** 121 LRs from 1e-6 to 1 (20 a decade). */
const lr = Array.from({ length: 121 }, (_, k) => 1e-6 * 10 ** (k / 20));
const log10 = Math.log10;
/**
 * A loss that falls linearly in log LR from 3 at 1e-6 to 1 at 1e-3, is flat at 1 from 1e-3 to 1e-1,
 * then rises steeply: the floor is [1e-3, 1e-1], its geometric center 1e-2.
 */
const floorLoss = (v: number) => (v < 1e-3 ? 1 + (2 * (log10(v) + 3)) / -3 : v <= 1e-1 ? 1 : 1 + 20 * (log10(v) + 1));

describe('thumbRule: the center reading', () => {
  test("reads the floor's geometric center (1e-2), where the minimum could be anywhere on it", () => {
    const curve = { lr, loss: lr.map(floorLoss), mode: 'exponential' as const };
    const s = thumbRule({ ...curve, probe: curve }, { reading: 'center' });
    // The smoother rounds the floor's corners by a few points; the center stays within 0.1 decades.
    expect(Math.abs(log10(s.maxLR as number) + 2)).toBeLessThanOrEqual(0.1);
    expect(s.maxLRReason).toBe('center');
    // 'bottom' is the floor's left end (1e-3), moved right by at most the smoother's reach: half-width
    // h = round(121/40) = 3, a triangular kernel spanning 2h = 6 points = 0.3 decades (the same pulls
    // the right end left by as much, so the center stays put).
    const bottom = log10(thumbRule({ ...curve, probe: curve }, { reading: 'bottom' }).maxLR as number);
    expect(bottom).toBeGreaterThanOrEqual(-3);
    expect(bottom).toBeLessThanOrEqual(-3 + 0.3 + 1e-9);
  });

  test('a floor of an odd number of steps has two middles: the lower one, whatever the last digits of the LRs', () => {
    // Floors whose ends move one grid step at a time (left 10^-3 … 10^-2.85, right 10^-1 … 10^-1.15):
    // about half span an odd number of steps, so their geometric center falls exactly between two LRs
    // of the grid (before the tie was broken, 8 of these 16 moved a whole step on such nudges).
    const rand = seededRandom(7);
    for (let l = 0; l < 4; l++) {
      for (let r = 0; r < 4; r++) {
        const left = 10 ** (-3 + l / 20);
        const right = 10 ** (-1 - r / 20);
        const loss = lr.map((v) => (v < left ? 1 + (2 * (log10(v) - log10(left))) / -3 : v <= right ? 1 : 1 + 20 * (log10(v) - log10(right))));
        const read = (lrs: number[]) => {
          const c = { lr: lrs, loss, mode: 'exponential' as const };
          return thumbRule({ ...c, probe: c }, { reading: 'center' }).maxLR as number;
        };
        const exact = read(lr);
        // The curve saved as JSON with 8 significant digits (as bench:suggest keeps it), and the LRs
        // nudged by a part in 10^9 either way: the same grid point, never the next one.
        expect(read(lr.map((v) => Number(v.toPrecision(8)))) / exact).toBeCloseTo(1, 6);
        for (let t = 0; t < 20; t++) {
          const nudged = lr.map((v) => v * (1 + 1e-9 * (rand() - 0.5)));
          expect(read(nudged) / exact).toBeCloseTo(1, 6);
        }
      }
    }
  });

  test("is the default for a Momentum probe; Adam's probe is read where the loss bottoms out", () => {
    const p = probe(lr, lr.map(floorLoss));
    const momentum = thumbRule({ ...p, probe: p });
    expect(momentum.maxLRReason).toBe('center');
    const adam = { ...p, optimizer: 'Adam' };
    expect(thumbRule({ ...adam, probe: adam }).maxLRReason).toBe('bottom');
  });
});

describe('thumbRule: the spread of the probes', () => {
  /** Noisy copies of a curve whose floor ends move: floor [a, b] per probe. */
  function noisyFloor(a: number, b: number, seed: number): number[] {
    const rand = seededRandom(seed);
    return lr.map((v) => {
      const clean = v < a ? 1 + (2 * (log10(v) - log10(a))) / (log10(1e-6) - log10(a)) : v <= b ? 1 : 1 + 20 * (log10(v) - log10(b));
      return clean + 0.01 * (rand() - 0.5);
    });
  }

  test('probes that agree: their readings are reported, and the spread is small', () => {
    const repeats = [1, 2, 3].map((seed) => probe(lr, noisyFloor(1e-3, 1e-1, seed)));
    const m = meanProbe(repeats);
    const s = thumbRule({ ...m, probe: m });
    expect(s.spread?.readings).toHaveLength(3);
    expect(s.spread?.ratio).toBeLessThan(1.5);
    expect(s.notes.join(' ')).toMatch(/the 3 probes read alone put maxLR at .* apart\); their mean curve at/);
  });

  test('probes that disagree by more than 2× never give confidence high', () => {
    // Floors centred at 1e-2.5 … 1e-1.5: the probes' own readings are ~10× apart.
    const repeats = [
      probe(lr, noisyFloor(1e-4, 1e-1, 1)),
      probe(lr, noisyFloor(1e-3, 1e-1, 2)),
      probe(lr, noisyFloor(1e-3, 1, 3)),
    ];
    const m = meanProbe(repeats);
    // A validation accuracy curve that agrees with the loss reading would otherwise make it 'high'.
    const sweepLR = Array.from({ length: 60 }, (_, k) => 0.001 + (0.05 * k) / 59);
    const acc = sweepLR.map((v) => Math.min(0.9, 0.1 + 40 * v));
    const curve = { ...probe(sweepLR, sweepLR.map(() => 1)), mode: 'linear' as const, validation: { lr: sweepLR, loss: sweepLR.map(() => 1), accuracy: acc, samples: 1000 }, probe: m };
    const s = thumbRule(curve);
    expect(s.spread?.ratio).toBeGreaterThan(2);
    expect(s.confidence).not.toBe('high');
  });
});
