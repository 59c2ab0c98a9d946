import { trainingEdge, scheduleFreeLR, scheduleFreeSGDFactor, scheduleFreeSGDSettings, SCHEDULE_FREE_ADAMW_DEFAULT_LR, SCHEDULE_FREE_MAX_RATIO } from '../src';
import { scheduleFreeAdamW, scheduleFreeSGD } from '../src/optimizers';
import { useCpu } from './helpers';

beforeAll(useCpu);

describe('scheduleFreeLR: the default unless twice the range test’s maxLR is over 2× away from it, and never more than 8× away', () => {
  test('far above the default (an MLP’s Adam maxLR): twice the maxLR', () => {
    const c = scheduleFreeLR(0.0085);
    expect(c.learningRate).toBeCloseTo(0.017, 12);
    expect(c.from).toBe('range test');
    expect(c.ratio).toBeCloseTo(6.8, 12);
    expect(c.why).toBe('Schedule-Free AdamW at 0.0170: 2 × maxLR = 0.0170 is 6.80× the default 0.0025, further than 2× from it');
  });

  test('further than 8× (a bag-of-n-grams model’s 0.055): held to 8× the default', () => {
    const c = scheduleFreeLR(0.055);
    expect(c.learningRate).toBeCloseTo(0.02, 12);
    expect(c.from).toBe('ceiling');
    expect(c.ratio).toBeCloseTo(44, 12);
    expect(c.why).toBe('Schedule-Free AdamW at 0.0200: 2 × maxLR = 0.110 is 44.00× the default 0.0025, held to 8× above it (a larger move cost accuracy in longer runs)');
    expect(SCHEDULE_FREE_MAX_RATIO).toBe(8);
  });

  test('near the default (the CIFAR-10 convnet’s): the default, whichever side', () => {
    expect(scheduleFreeLR(0.0016)).toMatchObject({ learningRate: 0.0025, from: 'default' });
    expect(scheduleFreeLR(0.0016).ratio).toBeCloseTo(1.28, 12);
    expect(scheduleFreeLR(0.0009)).toMatchObject({ learningRate: 0.0025, from: 'default' });
    expect(scheduleFreeLR(0.0009).why).toBe('Schedule-Free AdamW at its default 0.0025: 2 × maxLR = 0.00180 is 1/1.39 of the default 0.0025, within 2× of it (closer than the range test resolves)');
  });

  test('far below the default: twice the maxLR, held to 1/8 of it', () => {
    expect(scheduleFreeLR(0.0005)).toMatchObject({ learningRate: 0.001, from: 'range test' });
    const c = scheduleFreeLR(0.0001);
    expect(c).toMatchObject({ learningRate: 0.0025 / 8, from: 'ceiling' });
    expect(c.why).toBe('Schedule-Free AdamW at 0.000313: 2 × maxLR = 0.000200 is 1/12.50 of the default 0.0025, held to 8× below it (a larger move cost accuracy in longer runs)');
  });

  test('exactly 2× either way keeps the default; just past it takes the range test’s (exact binary fractions)', () => {
    expect(scheduleFreeLR(1, { defaultLR: 1 })).toEqual(expect.objectContaining({ learningRate: 1, from: 'default', ratio: 2 }));
    expect(scheduleFreeLR(0.25, { defaultLR: 1 })).toEqual(expect.objectContaining({ learningRate: 1, from: 'default', ratio: 0.5 }));
    expect(scheduleFreeLR(1.0001, { defaultLR: 1 }).from).toBe('range test');
    expect(scheduleFreeLR(0.2499, { defaultLR: 1 }).from).toBe('range test');
  });

  test('exactly 8× either way is the range test’s own; just past it, the ceiling (exact binary fractions)', () => {
    expect(scheduleFreeLR(4, { defaultLR: 1 })).toEqual(expect.objectContaining({ learningRate: 8, from: 'range test', ratio: 8 }));
    expect(scheduleFreeLR(1 / 16, { defaultLR: 1 })).toEqual(expect.objectContaining({ learningRate: 1 / 8, from: 'range test', ratio: 1 / 8 }));
    expect(scheduleFreeLR(4.5, { defaultLR: 1 })).toEqual(expect.objectContaining({ learningRate: 8, from: 'ceiling', ratio: 9 }));
    expect(scheduleFreeLR(1 / 32, { defaultLR: 1 })).toEqual(expect.objectContaining({ learningRate: 1 / 8, from: 'ceiling', ratio: 1 / 16 }));
  });

  test('maxRatio moves the ceiling; Infinity removes it', () => {
    expect(scheduleFreeLR(0.055, { maxRatio: 4 }).learningRate).toBeCloseTo(0.01, 12);
    expect(scheduleFreeLR(0.055, { maxRatio: Infinity })).toMatchObject({ from: 'range test' });
    expect(scheduleFreeLR(0.055, { maxRatio: Infinity }).learningRate).toBeCloseTo(0.11, 12);
    expect(scheduleFreeLR(1.5, { defaultLR: 1, trustRatio: 2, maxRatio: 2 })).toEqual(expect.objectContaining({ learningRate: 2, from: 'ceiling' }));
  });

  test('options: trustRatio 1 always takes the range test’s, factor scales it', () => {
    expect(scheduleFreeLR(0.0016, { trustRatio: 1 }).learningRate).toBeCloseTo(0.0032, 12);
    expect(scheduleFreeLR(0.01, { factor: 1 })).toMatchObject({ learningRate: 0.01, from: 'range test', ratio: 4 });
    expect(scheduleFreeLR(0.002, { factor: 1, trustRatio: 3 })).toMatchObject({ learningRate: 0.0025, from: 'default' });
  });

  test('the default is Schedule-Free AdamW’s own', () => {
    expect(SCHEDULE_FREE_ADAMW_DEFAULT_LR).toBe(0.0025);
    const opt = scheduleFreeAdamW();
    expect(opt.getConfig().learningRate).toBe(SCHEDULE_FREE_ADAMW_DEFAULT_LR);
    opt.dispose();
  });

  test('bad input names the option and the value', () => {
    expect(() => scheduleFreeLR(-1)).toThrow('scheduleFreeLR: maxLR must be a finite number > 0, got -1');
    expect(() => scheduleFreeLR(Number.NaN)).toThrow('scheduleFreeLR: maxLR must be a finite number > 0, got NaN');
    expect(() => scheduleFreeLR(0.01, { trustRatio: 0.5 })).toThrow('scheduleFreeLR: trustRatio must be a finite number >= 1, got 0.5');
    expect(() => scheduleFreeLR(0.01, { factor: 0 })).toThrow('scheduleFreeLR: factor must be a finite number > 0, got 0');
    expect(() => scheduleFreeLR(0.01, { maxRatio: 0.5 })).toThrow('scheduleFreeLR: maxRatio must be a number >= 1 (Infinity: no ceiling), got 0.5');
    expect(() => scheduleFreeLR(0.01, { trustRatio: 3, maxRatio: 2 })).toThrow('scheduleFreeLR: maxRatio must be >= trustRatio (3), got 2');
    expect(() => scheduleFreeLR(0.01, { fator: 2 } as never)).toThrow(/scheduleFreeLR: unknown option "fator"/);
  });
});

describe('scheduleFreeSGDFactor: 15 × below 1,500 training steps, 20× from 1,500, 10× where the range test found the edge', () => {
  test('exact cases at and around the boundary, near the edge or not', () => {
    expect([1, 300, 600, 1200, 1499].map((n) => scheduleFreeSGDFactor(n, false))).toEqual([15, 15, 15, 15, 15]);
    expect([1500, 3000, 8000, 100000].map((n) => scheduleFreeSGDFactor(n, false))).toEqual([20, 20, 20, 20]);
    expect([1, 600, 1499, 1500, 8000].map((n) => scheduleFreeSGDFactor(n, true))).toEqual([10, 10, 10, 10, 10]);
  });

  test('bad input names the argument and the value', () => {
    expect(() => scheduleFreeSGDFactor(0, false)).toThrow(/^scheduleFreeSGDFactor: trainingSteps must be an integer >= 1, got 0/);
    expect(() => scheduleFreeSGDFactor(1500.5, false)).toThrow(/^scheduleFreeSGDFactor: trainingSteps must be an integer >= 1, got 1500.5/);
    expect(() => scheduleFreeSGDFactor(600, 8 as never)).toThrow('scheduleFreeSGDFactor: nearEdge must be a boolean (trainingEdge(result, maxLR).nearEdge), got 8');
    expect(() => (scheduleFreeSGDFactor as (n: number) => number)(600)).toThrow('scheduleFreeSGDFactor: nearEdge must be a boolean (trainingEdge(result, maxLR).nearEdge), got undefined');
  });
});

describe('trainingEdge: where the range test broke, over maxLR, in its probes and in its sweep', () => {
  const lr = [0.001, 0.01, 0.1, 1, 10];
  test('exact cases: the probes’ break below 8 × maxLR or the sweep’s below 3× is near the edge', () => {
    expect(trainingEdge({ lr: [0.02, 0.04], stoppedAt: null, probe: { lr, stoppedAt: 3 } }, 0.0625)).toEqual({ probe: 16, sweep: Infinity, nearEdge: false }); // the probes broke at LR 1
    expect(trainingEdge({ lr: [0.02, 0.04], stoppedAt: null, probe: { lr, stoppedAt: 3 } }, 0.125)).toEqual({ probe: 8, sweep: Infinity, nearEdge: false }); // at the threshold: not near
    expect(trainingEdge({ lr: [0.02, 0.04], stoppedAt: null, probe: { lr, stoppedAt: 3 } }, 0.25)).toEqual({ probe: 4, sweep: Infinity, nearEdge: true });
    expect(trainingEdge({ lr: [0.25, 0.5, 0.75], stoppedAt: 2, probe: { lr, stoppedAt: 4 } }, 0.375)).toEqual({ probe: 10 / 0.375, sweep: 2, nearEdge: true }); // the sweep broke at LR 0.75
    expect(trainingEdge({ lr: [0.25, 0.5, 0.75], stoppedAt: 2, probe: { lr, stoppedAt: null } }, 0.25)).toEqual({ probe: Infinity, sweep: 3, nearEdge: false }); // at the threshold: not near
    expect(trainingEdge({ lr, stoppedAt: 2 }, 0.05)).toEqual({ probe: Infinity, sweep: 2, nearEdge: true }); // an explicit sweep: no probes
    expect(trainingEdge({ lr, stoppedAt: null }, 0.05)).toEqual({ probe: Infinity, sweep: Infinity, nearEdge: false });
    expect(trainingEdge({ lr, stoppedAt: 9 }, 2.5)).toEqual({ probe: Infinity, sweep: 4, nearEdge: false }); // past the recorded LRs: the last one
  });

  test('bad maxLR names the argument and the value', () => {
    expect(() => trainingEdge({ lr, stoppedAt: 2 }, 0)).toThrow('trainingEdge: maxLR must be a finite number > 0, got 0');
  });
});

describe('scheduleFreeSGDSettings: 15 × Momentum SGD’s suggested maxLR (20× from 1,500 steps, 10× near the edge), warmed up over 10 % of the training steps', () => {
  const far = { nearEdge: false };
  test('exact cases (binary fractions): lr = factor × maxLR, warmup = round(fraction × steps)', () => {
    expect(scheduleFreeSGDSettings(0.25, 600, far)).toEqual({ learningRate: 3.75, warmupSteps: 60 });
    expect(scheduleFreeSGDSettings(0.5, 1499, far)).toEqual({ learningRate: 7.5, warmupSteps: 150 }); // 149.9 rounds to 150
    expect(scheduleFreeSGDSettings(0.5, 1500, far)).toEqual({ learningRate: 10, warmupSteps: 150 });
    expect(scheduleFreeSGDSettings(0.25, 8000, far)).toEqual({ learningRate: 5, warmupSteps: 800 });
    expect(scheduleFreeSGDSettings(0.25, 7, far)).toEqual({ learningRate: 3.75, warmupSteps: 1 }); // 0.7 rounds to 1
    expect(scheduleFreeSGDSettings(0.25, 4, far)).toEqual({ learningRate: 3.75, warmupSteps: 0 }); // 0.4 rounds to 0: no warmup
    expect(scheduleFreeSGDSettings(0.5, 600, { nearEdge: true })).toEqual({ learningRate: 5, warmupSteps: 60 });
    expect(scheduleFreeSGDSettings(0.5, 8000, { nearEdge: true })).toEqual({ learningRate: 5, warmupSteps: 800 });
    expect(scheduleFreeSGDSettings(0.5, 600, { factor: 4, warmup: 0.25 })).toEqual({ learningRate: 2, warmupSteps: 150 });
    expect(scheduleFreeSGDSettings(0.5, 8000, { factor: 4, nearEdge: true })).toEqual({ learningRate: 2, warmupSteps: 800 }); // a given factor wins at any length, near the edge or not
    expect(scheduleFreeSGDSettings(0.5, 600, { warmup: 0, nearEdge: false })).toEqual({ learningRate: 7.5, warmupSteps: 0 });
  });

  test('what it returns is what scheduleFreeSGD takes: its LR ramps from lr / warmupSteps to lr', () => {
    const opt = scheduleFreeSGD(scheduleFreeSGDSettings(0.25, 40, far)); // lr 3.75, 4 warmup steps
    expect([0, 1, 2, 3, 4].map((k) => opt.scheduledLR(k))).toEqual([0.9375, 1.875, 2.8125, 3.75, 3.75]);
    opt.dispose();
  });

  test('bad input names the option and the value', () => {
    expect(() => scheduleFreeSGDSettings(0, 600)).toThrow('scheduleFreeSGDSettings: maxLR must be a finite number > 0, got 0');
    expect(() => scheduleFreeSGDSettings(0.1, 0)).toThrow(/^scheduleFreeSGDSettings: trainingSteps must be an integer >= 1, got 0/);
    expect(() => scheduleFreeSGDSettings(0.1, 12.5)).toThrow(/^scheduleFreeSGDSettings: trainingSteps must be an integer >= 1, got 12.5/);
    expect(() => scheduleFreeSGDSettings(0.1, 600, { warmup: 1 })).toThrow('scheduleFreeSGDSettings: warmup must be a fraction in [0, 1), got 1');
    expect(() => scheduleFreeSGDSettings(0.1, 600, { factor: -2 })).toThrow('scheduleFreeSGDSettings: factor must be a finite number > 0, got -2');
    expect(() => scheduleFreeSGDSettings(0.1, 600, { nearEdge: 'yes' as never })).toThrow('scheduleFreeSGDSettings: nearEdge must be a boolean (trainingEdge(result, maxLR).nearEdge), got "yes"');
    expect(() => scheduleFreeSGDSettings(0.1, 600)).toThrow('scheduleFreeSGDSettings: nearEdge must be given (trainingEdge(result, maxLR).nearEdge) unless factor is, got undefined');
    expect(() => scheduleFreeSGDSettings(0.1, 600, { warmupSteps: 5 } as never)).toThrow(/scheduleFreeSGDSettings: unknown option "warmupSteps"/);
  });
});
