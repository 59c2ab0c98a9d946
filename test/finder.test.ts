/**
 * The LR range test on a real (small) model that learns: the LR sweep, what is recorded, when it
 * stops, and that the model and optimizer come back exactly as they were.
 */
import * as tf from '@tensorflow/tfjs';
import { LRFinder, lrFinder, rangeTest, getLearningRate, divergenceMonitor } from '../src/index.js';
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

describe('divergenceMonitor (the rule LRFinder runs)', () => {
  const opts = { smoothing: 0.9, burnIn: 10, factor: 1, patience: 3 };
  const run = (losses: number[]) => {
    const step = divergenceMonitor(opts);
    return losses.map((l, i) => step(i, l).divergedAt).find((v) => v !== null) ?? null;
  };

  test('a flat loss with tiny noise (a model not learning yet) is not divergence', () => {
    // 1.61 ± 0.004 with a slow drift of +0.02 (1.2 %): 3σ would be 0.012, the 2 % floor is 0.032.
    const flat = Array.from({ length: 100 }, (_, k) => 1.61 + 0.004 * Math.sin(k * 1.7) + 0.0002 * k);
    expect(run(flat)).toBeNull();
  });

  test('a flat loss drifting up with the batches (Fashion-MNIST at LR 1e-7) is not divergence', () => {
    // The first 10 losses of a probe that the old rule (first loss as start, 2 % floor, 5-batch burn-in)
    // stopped at batch 7; then more of the same, between 2.40 and 2.55.
    const seen = [2.4, 2.43, 2.44, 2.48, 2.47, 2.44, 2.5, 2.53, 2.48, 2.49];
    const more = Array.from({ length: 90 }, (_, k) => 2.47 + 0.05 * Math.sin(k * 2.3));
    expect(run([...seen, ...more])).toBeNull();
    const step = divergenceMonitor({ ...opts, burnIn: 5 });
    expect(seen.map((l, i) => step(i, l).divergedAt).some((v) => v !== null)).toBe(false);
  });

  test('a loss that falls and then climbs back above its start diverges, at the first batch of the run', () => {
    // Falls 2.3 → 0.5 over 50 batches, then climbs 0.1 per batch. The moving average (β 0.9) passes
    // 2.3 (start + (start − best)·1 above best 0.5) a few batches after the raw loss does.
    const losses = [...Array.from({ length: 50 }, (_, k) => 2.3 - (1.8 * k) / 49), ...Array.from({ length: 40 }, (_, k) => 0.5 + 0.1 * (k + 1))];
    const at = run(losses) as number;
    expect(at).toBeGreaterThan(68); // raw loss passes 2.3 at batch 68
    expect(at).toBeLessThan(80);
  });
});

describe('LRFinder stopping', () => {
  /**
   * y = w·x with x = 1 and targets alternating 1 and 3 (each batch of 2 holds both), MSE: the loss is
   * e² + 1 with e = w − 2, and each SGD step multiplies e by (1 − 2·lr): stable below lr = 1, growing
   * faster and faster above it.
   */
  function unstableModel(loss: string | ((yt: tf.Tensor, yp: tf.Tensor) => tf.Tensor) = 'meanSquaredError') {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'zeros' })] });
    model.compile({ optimizer: tf.train.sgd(0.01), loss });
    return model;
  }
  const data = () => ({ xs: tf.ones([200, 1]), ys: tf.tensor2d(Array.from({ length: 200 }, (_, k) => [k % 2 ? 3 : 1])) });
  const fit = (model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor, finder: LRFinder) =>
    model.fit(xs, ys, { epochs: 1, batchSize: 2, shuffle: false, callbacks: [finder], verbose: 0 }); // 100 batches

  test('divergence: no alarm while stable, a stop once the loss has really blown up, long before NaN', async () => {
    const { xs, ys } = data();
    const model = unstableModel();
    const finder = new LRFinder({ minLR: 0.9, maxLR: 3 });
    await fit(model, xs, ys, finder);
    const r = finder.result;
    expect(r.stopReason).toBe('diverged');
    const at = r.stoppedAt as number;
    const losses = r.loss as number[];
    expect(r.lr[at]).toBeGreaterThan(1); // nothing fired in the stable part
    expect(at).toBeLessThan(99); // stopped before the sweep's end
    expect(losses[at]).toBeGreaterThan(2 * Math.min(...losses)); // the loss really did blow up
    expect(losses.every((l) => l !== null && Number.isFinite(l))).toBe(true);
    expect(r.lr).toHaveLength(at + 3); // the rule held for 3 batches (divergencePatience) from `at` on
    expect(model.getWeights()[0].dataSync()[0]).toBe(0); // restored
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('divergence is shift-free: the same stop for the loss minus 10 (which goes negative)', async () => {
    const { xs, ys } = data();
    const plain = new LRFinder({ minLR: 0.9, maxLR: 3 });
    const m1 = unstableModel();
    await fit(m1, xs, ys, plain);
    const shifted = new LRFinder({ minLR: 0.9, maxLR: 3 });
    const m2 = unstableModel((yt, yp) => tf.losses.meanSquaredError(yt, yp).sub(10));
    await fit(m2, xs, ys, shifted);
    expect(Math.min(...(shifted.result.loss as number[]))).toBeLessThan(0); // it did go negative
    expect(shifted.result.stopReason).toBe('diverged');
    expect(shifted.result.stoppedAt).toBe(plain.result.stoppedAt);
    tf.dispose([xs, ys]);
    m1.dispose();
    m2.dispose();
  });

  test('an absurd maxLR on a real classifier stops early and leaves the model as it was', async () => {
    const { xs, ys } = blobs(300);
    const model = blobModel(tf.train.sgd(0.01));
    const before = weightValues(model);
    // 1e-3 … 1e6 exponentially over 45 batches: the LR passes 1 around batch 13, then blows the model up.
    const finder = new LRFinder({ minLR: 1e-3, maxLR: 1e6, mode: 'exponential' });
    await model.fit(xs, ys, { epochs: 3, batchSize: 20, shuffle: false, callbacks: [finder], verbose: 0 });
    expect(['diverged', 'non-finite-loss']).toContain(finder.result.stopReason);
    expect(finder.result.lr.length).toBeLessThan(45);
    expect(finder.result.lr[finder.result.stoppedAt as number]).toBeGreaterThan(1);
    expect(weightValues(model)).toEqual(before);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('a NaN loss stops the test at that batch', async () => {
    const { xs, ys } = blobs(300);
    // Batch 7 (rows 140–159, no shuffling) has a NaN target: its loss is NaN.
    const bad = tf.tidy(() => ys.mul(tf.tensor2d(Array.from({ length: 300 }, (_, k) => [k >= 140 && k < 160 ? NaN : 1]))));
    const model = blobModel(tf.train.sgd(0.01));
    const before = weightValues(model);
    const finder = new LRFinder({ minLR: 0.01, maxLR: 0.1 });
    await model.fit(xs, bad, { epochs: 1, batchSize: 20, shuffle: false, callbacks: [finder], verbose: 0 });
    expect(finder.result.stopReason).toBe('non-finite-loss');
    expect(finder.result.stoppedAt).toBe(7);
    expect(finder.result.loss[7]).toBeNull();
    expect(weightValues(model)).toEqual(before); // the NaN update is undone
    tf.dispose([xs, ys, bad]);
    model.dispose();
  });
});

describe('LRFinder restores the model and the optimizer exactly', () => {
  const makers: Array<[string, () => tf.Optimizer]> = [
    ['sgd', () => tf.train.sgd(0.05)],
    ['momentum', () => tf.train.momentum(0.05, 0.9)],
    ['nesterov', () => tf.train.momentum(0.05, 0.9, true)],
    ['rmsprop', () => tf.train.rmsprop(0.01, 0.9, 0.5)],
    ['adam', () => tf.train.adam(0.01)],
    ['adamax', () => tf.train.adamax(0.01)],
    ['adagrad', () => tf.train.adagrad(0.05)],
    ['adadelta', () => tf.train.adadelta(0.5)],
  ];

  test.each(makers)('%s: training after the test matches a twin that never ran it, bit for bit', async (_name, make) => {
    const { xs, ys } = blobs(120);
    const a = blobModel(make());
    const b = blobModel(make());
    const warm = { epochs: 1, batchSize: 40, shuffle: false, verbose: 0 as const };
    await a.fit(xs, ys, warm); // both have slots and an iteration count now
    await b.fit(xs, ys, warm);
    const lrBefore = getLearningRate(a.optimizer);
    const weightsBefore = weightValues(a);
    const tensorsBefore = tf.memory().numTensors;

    const finder = new LRFinder({ minLR: 0.001, maxLR: 0.5 });
    await a.fit(xs, ys, { epochs: 2, batchSize: 20, callbacks: [finder], verbose: 0 });
    expect(finder.result.restored).toBe(true);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(weightValues(a)).toEqual(weightsBefore);
    expect(getLearningRate(a.optimizer)).toBe(lrBefore);
    expect(a.optimizer.iterations).toBe(b.optimizer.iterations);

    await a.fit(xs, ys, warm);
    await b.fit(xs, ys, warm);
    expect(weightValues(a)).toEqual(weightValues(b));
    tf.dispose([xs, ys]);
    a.dispose();
    b.dispose();
  });

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
