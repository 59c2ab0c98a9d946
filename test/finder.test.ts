/**
 * The LR range test on a real (small) model that learns: the LR sweep, what is recorded, and that the
 * model and optimizer come back exactly as they were (when it stops: finder-stopping.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { LRFinder, lrFinder, rangeTest } from '../src/index.js';
import { blobModel, blobs, onBlobs, useCpu, weightValues } from './helpers.js';

beforeAll(useCpu);

/** linspace by hand: a + (b − a)·k/(n − 1). */
const linspace = (a: number, b: number, n: number): number[] => Array.from({ length: n }, (_, k) => a + ((b - a) * k) / (n - 1));

describe('LRFinder sweep and record', () => {
  test('linear sweep over every batch of the fit; loss and accuracy per batch; completed', async () => {
    const { xs, ys } = blobs(300);
    const model = blobModel(tf.train.sgd(0.01));
    const finder = new LRFinder({ minLR: 0.01, maxLR: 1 });
    await model.fit(xs, ys, { epochs: 3, batchSize: 20, shuffle: false, callbacks: [finder], verbose: 0 }); // 15 × 3 = 45 batches
    const r = finder.result;
    expect(r.numIterations).toBe(45);
    expect(r.lr).toHaveLength(45);
    r.lr.forEach((lr, k) => expect(lr).toBeCloseTo(linspace(0.01, 1, 45)[k], 12));
    expect(r.lr[0]).toBe(0.01);
    expect(r.lr[44]).toBe(1);
    expect(r.iteration).toEqual(Array.from({ length: 45 }, (_, k) => k));
    expect(r.loss).toHaveLength(45);
    expect(r.accuracy).toHaveLength(45);
    expect(r.accuracyKey).toBe('acc');
    expect(r.stopReason).toBe('completed');
    expect(r.stoppedAt).toBeNull();
    // The model learns: accuracy of the last 10 batches beats the first 5 (3 classes, chance 1/3).
    const mean = (a: Array<number | null>) => a.reduce((s: number, v) => s + (v ?? 0), 0) / a.length;
    expect(mean((r.accuracy ?? []).slice(-10))).toBeGreaterThan(mean((r.accuracy ?? []).slice(0, 5)) + 0.2);
    // Plain data: survives JSON unchanged.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('exponential sweep: minLR·(maxLR/minLR)^(i/(n−1)), numIterations shorter than the fit stops it', async () => {
    const { xs, ys } = blobs(300);
    const model = blobModel(tf.train.sgd(0.01));
    const finder = lrFinder({ minLR: 1e-3, maxLR: 10, mode: 'exponential', numIterations: 21, stopOnDivergence: false });
    const history = await model.fit(xs, ys, { epochs: 5, batchSize: 20, shuffle: false, callbacks: [finder], verbose: 0 });
    const r = finder.result;
    expect(r.lr).toHaveLength(21);
    r.lr.forEach((lr, k) => expect(Math.log10(lr)).toBeCloseTo(-3 + (4 * k) / 20, 10)); // a decade every 5 batches
    expect(r.stopReason).toBe('completed');
    expect(history.epoch.length).toBe(2); // stopped during the second epoch (15 + 6 batches)
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('validation accuracy every k batches, on a fixed set', async () => {
    const { xs, ys } = blobs(300);
    const val = blobs(90, 99);
    const model = blobModel(tf.train.sgd(0.01));
    const finder = new LRFinder({ minLR: 0.01, maxLR: 1, validationData: [val.xs, val.ys], evaluateEvery: 10 });
    await model.fit(xs, ys, { epochs: 3, batchSize: 20, shuffle: false, callbacks: [finder], verbose: 0 });
    const v = finder.result.validation;
    expect(v?.iteration).toEqual([0, 9, 19, 29, 39, 44]); // after the first batch, every 10th, and the last
    expect(v?.lr).toEqual([0, 9, 19, 29, 39, 44].map((i) => finder.result.lr[i]));
    expect(v?.accuracy).toHaveLength(6);
    v?.accuracy?.forEach((a) => expect(a).toBeGreaterThanOrEqual(0));
    // Evaluations are on 90 samples: multiples of 1/90.
    v?.accuracy?.forEach((a) => expect(Math.abs((a as number) * 90 - Math.round((a as number) * 90))).toBeLessThan(1e-3));
    tf.dispose([xs, ys, val.xs, val.ys]);
    model.dispose();
  });

  test('fitDataset: the sweep covers epochs × dataset batches', async () => {
    const { xs, ys } = blobs(120);
    const ds = tf.data.zip({ xs: tf.data.array(tf.unstack(xs)), ys: tf.data.array(tf.unstack(ys)) }).batch(20);
    const model = blobModel(tf.train.sgd(0.01));
    const finder = new LRFinder({ minLR: 0.01, maxLR: 0.5 });
    await model.fitDataset(ds, { epochs: 2, callbacks: [finder], verbose: 0 });
    expect(finder.result.numIterations).toBe(12);
    expect(finder.result.lr[11]).toBe(0.5);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

test('logs are read whether they hold numbers or tensors (and tensors are not kept)', async () => {
  const model = blobModel(tf.train.sgd(0.01));
  const finder = new LRFinder({ minLR: 0.1, maxLR: 0.2, numIterations: 2, restore: false });
  finder.setModel(model);
  finder.setParams({ epochs: 1, samples: 2, batchSize: 1 });
  await finder.onTrainBegin();
  await finder.onBatchBegin(0, {});
  await finder.onBatchEnd(0, { loss: 1.5, acc: 0.25 });
  const loss = tf.scalar(0.75);
  const acc = tf.scalar(0.5);
  await finder.onBatchBegin(1, {});
  await finder.onBatchEnd(1, { loss, acc });
  expect(finder.result.loss).toEqual([1.5, 0.75]);
  expect(finder.result.accuracy).toEqual([0.25, 0.5]);
  expect(finder.result.lr).toEqual([0.1, 0.2]);
  expect(loss.isDisposed).toBe(false); // tfjs disposes batch logs itself; the finder only reads them
  tf.dispose([loss, acc]);
  model.dispose();
});

describe('LRFinder restores the model and the optimizer exactly (every optimizer: training-state.test.ts)', () => {
  test('a fresh optimizer (no slots yet) is left without the slots the test created', async () => {
    const opt = tf.train.adam(0.01);
    await onBlobs(120, opt, async ({ xs, ys, model }) => {
      const before = tf.memory().numTensors;
      const finder = new LRFinder({ minLR: 0.001, maxLR: 0.5 });
      await model.fit(xs, ys, { epochs: 1, batchSize: 20, callbacks: [finder], verbose: 0 });
      expect(tf.memory().numTensors).toBe(before);
      expect((await opt.getWeights()).length).toBe(1); // just the iteration count, as before
      expect(opt.iterations).toBe(0);
    });
  });

  test('restore: false leaves the trained weights', async () => {
    await onBlobs(120, tf.train.sgd(0.05), async ({ xs, ys, model }) => {
      const before = weightValues(model);
      const finder = new LRFinder({ minLR: 0.001, maxLR: 0.5, restore: false });
      await model.fit(xs, ys, { epochs: 1, batchSize: 20, callbacks: [finder], verbose: 0 });
      expect(finder.result.restored).toBe(false);
      expect(weightValues(model)).not.toEqual(before);
    });
  });
});

describe('rangeTest', () => {
  test('runs the test, restores the model, and suggests bounds and CyclicLR options', async () => {
    const { xs, ys } = blobs(600);
    const model = blobModel(tf.train.sgd(0.01));
    const before = weightValues(model);
    const tensors = tf.memory().numTensors;
    const out = await rangeTest(model, { x: xs, y: ys }, { minLR: 0.001, maxLR: 3, epochs: 4, batchSize: 20 });
    expect(out.result.lr).toHaveLength(120);
    expect(weightValues(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(out.plan?.iterationsPerEpoch).toBe(30);
    expect(out.plan?.stepSize).toBe(120); // 4 epochs per half cycle
    expect(out.suggestion.confidence).not.toBe('none');
    const s = out.suggestion;
    expect(s.baseLR).toBeGreaterThan(0);
    expect(s.maxLR).toBeGreaterThan(s.baseLR as number);
    expect(s.maxLR).toBeLessThanOrEqual(3);
    expect(out.cyclicLROptions).toEqual({ baseLR: s.baseLR, maxLR: s.maxLR, stepSize: 120 });
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('restores the model even when fit throws', async () => {
    class Boom extends tf.Callback {
      override async onBatchEnd(batch: number): Promise<void> {
        if (batch === 3) throw new Error('boom');
      }
    }
    await onBlobs(120, tf.train.sgd(0.01), async ({ xs, ys, model }) => {
      const before = weightValues(model);
      await expect(rangeTest(model, { x: xs, y: ys }, { maxLR: 1, epochs: 1, batchSize: 20, callbacks: [new Boom()] })).rejects.toThrow('boom');
      expect(weightValues(model)).toEqual(before);
    });
  });
});

describe('bad finder options name the option', () => {
  test.each<[() => unknown, RegExp]>([
    [() => new LRFinder({ maxLR: 0 }), /LRFinder: maxLR must be a finite number > 0, got 0/],
    [() => new LRFinder({} as never), /LRFinder: maxLR must be a finite number > 0, got undefined/],
    [() => new LRFinder({ maxLR: 1, restore: 'no' as never }), /LRFinder: restore must be true or false, got "no"/],
    [() => new LRFinder({ maxLR: 1, accuracyKey: 3 as never }), /LRFinder: accuracyKey must be a string, got 3/],
    [() => new LRFinder({ minLR: 1, maxLR: 0.5 }), /LRFinder: maxLR must be > minLR \(1\), got 0.5/],
    [() => new LRFinder({ minLR: 0, maxLR: 1, mode: 'exponential' }), /minLR must be a finite number > 0 for an exponential sweep, got 0/],
    [() => new LRFinder({ maxLR: 1, mode: 'log' as never }), /mode must be one of "linear", "exponential", got "log"/],
    [() => new LRFinder({ maxLR: 1, numIterations: 1 }), /numIterations must be an integer >= 2, got 1/],
    [() => new LRFinder({ maxLR: 1, smoothing: 1 }), /smoothing must be a number in \[0, 1\), got 1/],
    [() => new LRFinder({ maxLR: 1, validationData: [tf.zeros([1])] as never }), /validationData must be an array \[x, y\]/],
    [() => new LRFinder({ maxLR: 1, divergenceFactor: -1 }), /divergenceFactor must be a finite number > 0, got -1/],
    [() => new LRFinder({ max_lr: 1 } as never), /unknown option "max_lr"/],
  ])('%#', (make, message) => expect(make).toThrow(message));

  test('reading the result before any fit is a clear error', () => {
    expect(() => new LRFinder({ maxLR: 1 }).result).toThrow(/no result yet/);
  });
});
