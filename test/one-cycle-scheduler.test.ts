/**
 * OneCycleLR and LRScheduler inside real fits, read back from the weights through the LR probe model
 * (see helpers), as in callbacks.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { LRScheduler, lrScheduler, OneCycleLR, oneCycleLR } from '../src/index.js';
import { expectClose, fitProbe, lrProbeModel, useCpu, weightOf, WeightRecorder } from './helpers.js';

beforeAll(useCpu);

describe('OneCycleLR', () => {
  // maxLR 1, divFactor 10, finalDivFactor 10, pctStart 0.25, linear, 20 steps: phase 1 is steps 0..4
  // (0.1 → 1 by 0.225), phase 2 steps 4..19 (1 → 0.01 by 0.066 per step).
  const expected = Array.from({ length: 20 }, (_, k) => (k <= 4 ? 0.1 + 0.225 * k : 1 - (0.99 * (k - 4)) / 15));
  const opts = { maxLR: 1, divFactor: 10, finalDivFactor: 10, pctStart: 0.25, anneal: 'linear' as const };

  test('totalSteps from epochs × batches; each batch uses the 1cycle LR; later fits hold the final LR', async () => {
    const model = lrProbeModel();
    const one = new OneCycleLR(opts);
    const rec = new WeightRecorder();
    await fitProbe(model, [one, rec], 5);
    expectClose(rec.deltas(), expected);
    expect(one.history.momentum).toBeUndefined(); // SGD has none: 'auto' leaves it alone
    const more = new WeightRecorder();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined); // expected: the cycle has ended
    await fitProbe(model, [one, more], 1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^OneCycleLR: the cycle ended at iteration 20/));
    warn.mockRestore();
    expectClose(more.deltas(), [0.01, 0.01, 0.01, 0.01]);
    model.dispose();
  });

  test('fitDataset without batchesPerEpoch: totalSteps from the dataset\'s size; a clear error where tfjs does not know it', async () => {
    const model = lrProbeModel();
    // 10 examples in batches of 2: a dataset of size 5; 4 epochs = 20 steps, the schedule above.
    const sized = tf.data.zip({ xs: tf.data.array(Array.from({ length: 10 }, () => [1])), ys: tf.data.array(Array.from({ length: 10 }, () => [1000])) }).batch(2);
    expect(sized.size).toBe(5);
    const one = new OneCycleLR(opts);
    const rec = new WeightRecorder();
    await model.fitDataset(sized, { epochs: 4, verbose: 0, callbacks: [one, rec] });
    expectClose(rec.deltas(), expected);
    const unsized = tf.data.generator(function* () {
      for (let k = 0; k < 3; k++) yield { xs: tf.ones([2, 1]), ys: tf.fill([2, 1], 1000) };
    });
    await expect(model.fitDataset(unsized, { epochs: 1, verbose: 0, callbacks: [new OneCycleLR(opts)] })).rejects.toThrow(/totalSteps was not given and this run does not tell the batches per epoch/);
    model.dispose();
  });

  test('momentum is cycled by default where the optimizer has it (Adam beta1)', async () => {
    const opt = tf.train.adam(0.01);
    const model = lrProbeModel(opt);
    const one = oneCycleLR({ ...opts, totalSteps: 20 });
    await fitProbe(model, [one], 5);
    const m = one.history.momentum ?? [];
    expect(m).toHaveLength(20);
    // 0.95 → 0.85 over phase 1 (by 0.025), back to 0.95 over phase 2.
    expectClose(m.slice(0, 5), [0.95, 0.925, 0.9, 0.875, 0.85], 12);
    expect(m[19]).toBeCloseTo(0.95, 12);
    expect((opt as unknown as { beta1: number }).beta1).toBeCloseTo(0.95, 12);
    model.dispose();
  });

  test('cycleMomentum: true on SGD fails before the first batch; false leaves momentum alone', async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    await expect(fitProbe(model, [new OneCycleLR({ maxLR: 0.1, cycleMomentum: true })], 1)).rejects.toThrow(
      /OneCycleLR: cycleMomentum is true but optimizer "SGD" has no momentum/,
    );
    const adam = tf.train.adam(0.01);
    const model2 = lrProbeModel(adam);
    const one = new OneCycleLR({ maxLR: 0.1, cycleMomentum: false });
    await fitProbe(model2, [one], 1);
    expect(one.history.momentum).toBeUndefined();
    expect((adam as unknown as { beta1: number }).beta1).toBe(0.9);
    model.dispose();
    model2.dispose();
  });

  test('a derived totalSteps too short for pctStart fails at train begin, naming the options', async () => {
    const model = lrProbeModel();
    const one = new OneCycleLR({ maxLR: 0.1, pctStart: 0.1 }); // 4 steps: 0.1·4 − 1 < 0
    await expect(fitProbe(model, [one], 1)).rejects.toThrow(/OneCycleLR: pctStart must be such that both phases/);
    model.dispose();
  });
});

describe('LRScheduler', () => {
  test('any schedule function, per batch, e.g. step drops', async () => {
    const model = lrProbeModel();
    const sched = new LRScheduler({ lr: (i) => (i < 3 ? 0.4 : i < 6 ? 0.04 : 0.004) });
    const rec = new WeightRecorder();
    await fitProbe(model, [sched, rec], 2);
    expectClose(rec.deltas(), [0.4, 0.4, 0.4, 0.04, 0.04, 0.04, 0.004, 0.004]);
    model.dispose();
  });

  test('a schedule that returns NaN is stopped with a clear error before it reaches the optimizer', async () => {
    const model = lrProbeModel();
    await expect(fitProbe(model, [lrScheduler({ lr: (i) => (i < 2 ? 0.1 : NaN) })], 1)).rejects.toThrow(
      /LRScheduler: the schedule gave learning rate NaN at iteration 2/,
    );
    expect(weightOf(model)).toBeCloseTo(0.2, 5); // two batches ran, the third never did
    expect(() => new LRScheduler({ lr: 0.1 as never })).toThrow(/LRScheduler: lr must be a function of the iteration, got 0.1/);
    model.dispose();
  });
});
