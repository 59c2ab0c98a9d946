/**
 * CyclicLR and OneCycleLR inside real fit / fitDataset runs. The probe model (see helpers) turns each
 * batch's weight change into the LR that batch used, so these tests read back what training really
 * did, not what the callback says it did.
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, cyclicLR, OneCycleLR } from '../src/index.js';
import { expectClose, fitProbe, lrProbeModel, OpaqueOptimizer, useCpu, weightOf, WeightRecorder } from './helpers.js';

beforeAll(useCpu);

/** base 0.1, max 0.5, stepSize 4: the triangle 0.1, 0.2, …, 0.5, …, 0.1, worked out by hand. */
const TRIANGLE = [0.1, 0.2, 0.3, 0.4, 0.5, 0.4, 0.3, 0.2];
const triangle = (n: number, from = 0): number[] => Array.from({ length: n }, (_, k) => TRIANGLE[(from + k) % 8]);

function probeDataset(samples: number, batch: number): tf.data.Dataset<tf.TensorContainer> {
  const xs = tf.data.array(Array.from({ length: samples }, () => [1]));
  const ys = tf.data.array(Array.from({ length: samples }, () => [1000]));
  return tf.data.zip({ xs, ys }).batch(batch);
}

describe('CyclicLR in fit', () => {
  test('each batch uses lr(i) of the global iteration, across epochs', async () => {
    const model = lrProbeModel();
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4 });
    const rec = new WeightRecorder();
    await fitProbe(model, [clr, rec], 5); // 20 batches
    expectClose(rec.deltas(), triangle(20)); // what training did
    expectClose(clr.history.lr, triangle(20), 12); // what the callback recorded
    expect(clr.history.iteration).toEqual(Array.from({ length: 20 }, (_, k) => k));
    expect(clr.history.momentum).toBeUndefined();
    expect(clr.iteration).toBe(20);
    model.dispose();
  });

  test('a second fit continues the cycle', async () => {
    const model = lrProbeModel();
    const clr = cyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4 });
    await fitProbe(model, [clr], 1); // iterations 0..3
    const rec = new WeightRecorder();
    await fitProbe(model, [clr, rec], 2); // iterations 4..11
    expectClose(rec.deltas(), triangle(8, 4));
    expect(clr.history.iteration).toEqual(Array.from({ length: 12 }, (_, k) => k));
    model.dispose();
  });

  test('initialIteration resumes a run mid-cycle', async () => {
    const model = lrProbeModel();
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4, initialIteration: 4 });
    const rec = new WeightRecorder();
    await fitProbe(model, [clr, rec], 1);
    expectClose(rec.deltas(), [0.5, 0.4, 0.3, 0.2]);
    expect(clr.history.iteration).toEqual([4, 5, 6, 7]);
    model.dispose();
  });

  test('reset() restarts the cycle, optionally with new bounds; history is kept', async () => {
    const model = lrProbeModel();
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4 });
    await fitProbe(model, [clr], 1); // 0.1 … 0.4
    clr.reset({ maxLR: 0.9 });
    expect(clr.iteration).toBe(0);
    const rec = new WeightRecorder();
    await fitProbe(model, [clr, rec], 2);
    // base 0.1, max 0.9, step 4: 0.1 + 0.8·(0, ¼, ½, ¾, 1, ¾, ½, ¼)
    expectClose(rec.deltas(), [0.1, 0.3, 0.5, 0.7, 0.9, 0.7, 0.5, 0.3]);
    expect(clr.history.iteration).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7]);
    clr.reset(); // same options, counter back to 0
    expect(clr.iteration).toBe(0);
    expect(clr.options.maxLR).toBe(0.9);
    model.dispose();
  });

  test('reset() with a bad option throws and changes nothing', async () => {
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4, initialIteration: 3 });
    expect(() => clr.reset({ maxLR: 0.01 })).toThrow(/CyclicLR: maxLR must be >= baseLR \(0.1\), got 0.01/);
    expect(() => clr.reset({ initialIteration: -2 })).toThrow(/initialIteration must be an integer >= 0, got -2/);
    expect(clr.iteration).toBe(3);
    expect(clr.options.maxLR).toBe(0.5);
    expect(clr.lrAt(4)).toBeCloseTo(0.5, 12);
  });

  test('stepSizeEpochs is resolved from params: ceil(samples / batchSize) batches per epoch', async () => {
    const model = lrProbeModel();
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSizeEpochs: 1 });
    expect(() => clr.lrAt(1)).toThrow(/CyclicLR: lrAt\(\) needs the schedule's length, which comes from the first fit/); // not known before training
    const rec = new WeightRecorder();
    await fitProbe(model, [clr, rec], 3, 7); // 7 samples, batch 2 → 4 batches (the last has 1)
    expectClose(rec.deltas(), triangle(12));
    expect(clr.lrAt(4)).toBeCloseTo(0.5, 12);
    model.dispose();
  });

  test('logs.lr reaches later callbacks each batch and the fit History each epoch', async () => {
    const model = lrProbeModel();
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4 });
    const rec = new WeightRecorder();
    const history = await fitProbe(model, [clr, rec], 3);
    expectClose(rec.logs.map((l) => l.lr as number), clr.history.lr, 12);
    // Epoch logs carry the LR of each epoch's last batch: iterations 3, 7, 11.
    expectClose(history.history.lr as number[], [0.4, 0.2, 0.4], 12);
    model.dispose();
  });

  test('cycleMomentum on a Momentum optimizer: the update uses both cycled values', async () => {
    const model = lrProbeModel(tf.train.momentum(0.01, 0.9));
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4, cycleMomentum: true, baseMomentum: 0.5, maxMomentum: 0.9 });
    const rec = new WeightRecorder();
    await fitProbe(model, [clr, rec], 2);
    // Momentum opposite to the LR: 0.9 at the trough, 0.5 at the peak.
    const moms = [0.9, 0.8, 0.7, 0.6, 0.5, 0.6, 0.7, 0.8];
    expectClose(clr.history.momentum ?? [], moms, 12);
    // tfjs Momentum with gradient −1: acc_k = m_k·acc_{k−1} + 1 (in −g units), Δw_k = lr_k·acc_k.
    let acc = 0;
    const expected = triangle(8).map((lr, k) => {
      acc = moms[k] * acc + 1;
      return lr * acc;
    });
    expectClose(rec.deltas(), expected, 4);
    model.dispose();
  });

  test('cycleMomentum on an optimizer without momentum fails before the first batch', async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4, cycleMomentum: true });
    await expect(fitProbe(model, [clr], 1)).rejects.toThrow(/CyclicLR: cycleMomentum is true but optimizer "SGD" has no momentum/);
    expect(weightOf(model)).toBe(0);
    model.dispose();
  });

  test('an optimizer whose LR cannot be set fails before the first batch', async () => {
    const model = lrProbeModel(new OpaqueOptimizer());
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4 });
    await expect(fitProbe(model, [clr], 1)).rejects.toThrow(/"Opaque" has no numeric learningRate field/);
    expect(clr.history.lr).toEqual([]);
    model.dispose();
  });

  test('no tensor is leaked over hundreds of batches (SGD, and Momentum with cycled momentum)', async () => {
    for (const [opt, extra] of [
      [tf.train.sgd(0.01), {}],
      [tf.train.momentum(0.01, 0.9), { cycleMomentum: true }],
    ] as const) {
      const model = lrProbeModel(opt);
      const clr = new CyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSize: 50, mode: 'triangular2', ...extra });
      await fitProbe(model, [clr], 1); // creates the optimizer's slots
      const before = tf.memory().numTensors;
      await fitProbe(model, [clr], 3, 200); // 300 batches
      expect(tf.memory().numTensors).toBe(before);
      expect(clr.history.lr).toHaveLength(304);
      model.dispose();
    }
  });
});

describe('CyclicLR in fitDataset', () => {
  test('each batch uses lr(i); stepSizeEpochs comes from the dataset size', async () => {
    const model = lrProbeModel();
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSizeEpochs: 2 }); // 2 batches/epoch → stepSize 4
    const rec = new WeightRecorder();
    await model.fitDataset(probeDataset(4, 2), { epochs: 6, verbose: 0, callbacks: [clr, rec] });
    expectClose(rec.deltas(), triangle(12));
    model.dispose();
  });

  test('stepSizeEpochs on a dataset of unknown size: clear error, or batchesPerEpoch', async () => {
    const model = lrProbeModel();
    const gen = () =>
      tf.data.generator(function* () {
        for (;;) yield { xs: tf.ones([2, 1]), ys: tf.fill([2, 1], 1000) };
      });
    const clr = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSizeEpochs: 1 });
    await expect(model.fitDataset(gen(), { epochs: 1, batchesPerEpoch: 4, verbose: 0, callbacks: [clr] })).resolves.toBeDefined();
    expectClose(clr.history.lr, triangle(4), 12);
    const blind = new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSizeEpochs: 1 });
    // tfjs itself refuses an infinite dataset without batchesPerEpoch, so use a finite generator.
    const finite = tf.data.generator(function* () {
      for (let k = 0; k < 3; k++) yield { xs: tf.ones([2, 1]), ys: tf.fill([2, 1], 1000) };
    });
    await expect(model.fitDataset(finite, { epochs: 1, verbose: 0, callbacks: [blind] })).rejects.toThrow(
      /stepSizeEpochs needs the number of batches per epoch/,
    );
    model.dispose();
  });
});

describe('bad callback options throw at construction, naming the option', () => {
  test.each<[() => unknown, RegExp]>([
    [() => new CyclicLR({ baseLR: 0.1, maxLR: 0.05, stepSize: 4 }), /^CyclicLR: maxLR must be >= baseLR \(0.1\), got 0.05/],
    [() => new CyclicLR({ baseLR: 0.1, maxLR: 0.5 }), /CyclicLR: stepSize must be given \(iterations\), or stepSizeEpochs/],
    [() => new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4, stepSizeEpochs: 2 }), /stepSizeEpochs must be left out when stepSize is given/],
    [() => new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSizeEpochs: 0 }), /stepSizeEpochs must be a finite number > 0, got 0/],
    [() => new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSizeEpochs: 2, mode: 'tri' as never }), /CyclicLR: mode must be one of/],
    [() => new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4, baseMomentum: 0.8 }), /baseMomentum must be left out unless cycleMomentum is true/],
    [() => new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4, cycleMomentum: true, maxMomentum: 0.5 }), /CyclicLR: maxMomentum must be >= baseMomentum \(0.8\), got 0.5/],
    [() => new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4, initialIteration: 1.5 }), /initialIteration must be an integer >= 0, got 1.5/],
    [() => new CyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4, step_size: 2 } as never), /CyclicLR: unknown option "step_size"/],
    [() => new CyclicLR(undefined as never), /CyclicLR: options must be an object, got undefined/],
    [() => new OneCycleLR({ maxLR: -1 }), /^OneCycleLR: maxLR must be a finite number > 0, got -1/],
    [() => new OneCycleLR({ maxLR: 1, totalSteps: 0 }), /OneCycleLR: totalSteps must be an integer >= 2, got 0/],
    [() => new OneCycleLR({ maxLR: 1, pctStart: 1.5 }), /OneCycleLR: pctStart must be a number in \(0, 1\), got 1.5/],
    [() => new OneCycleLR({ maxLR: 1, cycleMomentum: 1 as never }), /cycleMomentum must be true or false, got 1/],
    [() => new OneCycleLR({ maxLR: 1, baseMomentum: 0.99 }), /OneCycleLR: maxMomentum must be >= baseMomentum \(0.99\), got 0.95/],
  ])('%#', (make, message) => {
    expect(make).toThrow(message);
  });
});
