/**
 * Weight averaging (SWA, EMA), keeping the best weights, and BatchNorm statistics recomputed: exact
 * values on the one-weight model whose weight after batch k is 0.01·(k + 1) (SGD at 0.01, gradient −1),
 * and statistics computed here from the layer's own input.
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, KeepBest, WeightAveraging, cosineRestartsSchedule, loadTraining, lrScheduler, saveTraining, updateBatchNorm } from '../src/index.js';
import { scheduleFreeAdamW } from '../src/optimizers/index.js';
import { blobModel, blobs, lrProbeData, lrProbeModel, memoryHandler, useCpu, weightOf, weightValues } from './helpers.js';

beforeAll(useCpu);

/** Fits the probe model `batches` batches (one per epoch's batch of 1), with `callbacks`. */
async function probeFit(model: tf.LayersModel, batches: number, callbacks: tf.Callback[], epochs = 1): Promise<void> {
  const { xs, ys } = lrProbeData(batches / epochs);
  await model.fit(xs, ys, { epochs, batchSize: 1, shuffle: false, verbose: 0, callbacks });
  tf.dispose([xs, ys]);
}

describe('WeightAveraging', () => {
  test('SWA every 2 batches: the equal average of the weights after batches 2, 4, 6; swapped in at the end, swapped back for the next fit', async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    const swa = new WeightAveraging({ every: 2, start: 0 });
    await probeFit(model, 6, [swa]);
    expect(swa.updates).toBe(3);
    expect(weightOf(model)).toBeCloseTo((0.02 + 0.04 + 0.06) / 3, 6); // the average is in the model
    const [avg] = swa.averaged();
    expect(avg.dataSync()[0]).toBeCloseTo(0.04, 6);
    avg.dispose();
    await probeFit(model, 1, [swa]); // starts from the raw 0.06, not from the average
    expect(swa.updates).toBe(3); // iteration 6: (6 + 1) % 2 ≠ 0
    swa.dispose(); // raw weights back
    expect(weightOf(model)).toBeCloseTo(0.07, 6);
    model.dispose();
  });

  test('EMA with an explicit decay: exactly a ← decay·a + (1 − decay)·w, the first update a copy', async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    const ema = new WeightAveraging({ mode: 'ema', decay: 0.5, swapAtEnd: false });
    await probeFit(model, 3, [ema]);
    const [a] = ema.averaged();
    expect(a.dataSync()[0]).toBeCloseTo(0.5 * (0.5 * 0.01 + 0.5 * 0.02) + 0.5 * 0.03, 7);
    expect(weightOf(model)).toBeCloseTo(0.03, 6); // swapAtEnd false: the model keeps its raw weights
    ema.applyTo(model);
    expect(weightOf(model)).toBeCloseTo(0.0225, 7);
    tf.dispose(a);
    ema.dispose();
    model.dispose();
  });

  test('EMA without a decay warms it up: min(0.999, (1 + n) / (10 + n)) after n updates', async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    const ema = new WeightAveraging({ mode: 'ema', swapAtEnd: false });
    await probeFit(model, 3, [ema]);
    let a = 0.01;
    for (const [n, w] of [[1, 0.02], [2, 0.03]]) {
      const d = Math.min(0.999, (1 + n) / (10 + n));
      a = d * a + (1 - d) * w;
    }
    const [got] = ema.averaged();
    expect(got.dataSync()[0]).toBeCloseTo(a, 7);
    tf.dispose(got);
    ema.dispose();
    model.dispose();
  });

  test("SWA at each cycle's end of a CyclicLR (cycle length 4): after batches 4 and 8", async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.01, stepSize: 2 }); // a constant LR, cycles of 4
    const swa = new WeightAveraging({ every: 'cycle', schedule: clr });
    await probeFit(model, 10, [clr, swa]);
    expect(swa.updates).toBe(2);
    expect(weightOf(model)).toBeCloseTo((0.04 + 0.08) / 2, 6);
    swa.dispose();
    model.dispose();
  });

  test("SWA at each restart of cosine restarts (period 2, ×2: periods end after batches 2, 6 and 14)", async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    // minLR = maxLR: the LR stays 0.01, so the weight after batch k is still 0.01·k; only the periods matter.
    const sgdr = lrScheduler({ lr: cosineRestartsSchedule({ maxLR: 0.01, minLR: 0.01, period: 2, periodMult: 2 }) });
    const swa = new WeightAveraging({ every: 'cycle', schedule: sgdr });
    await probeFit(model, 16, [sgdr, swa]);
    expect(swa.updates).toBe(3);
    expect(weightOf(model)).toBeCloseTo((0.02 + 0.06 + 0.14) / 3, 6);
    swa.dispose();
    // An lrScheduler whose schedule has no cycles cannot be followed.
    expect(() => new WeightAveraging({ every: 'cycle', schedule: lrScheduler({ lr: () => 0.01 }) })).toThrow(/WeightAveraging: schedule must be a scheduling callback with cycles/);
    model.dispose();
  });

  test('withAverage: evaluates with the average mid-run and puts the raw weights back, also when the body throws', async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    const ema = new WeightAveraging({ mode: 'ema', decay: 0.5, swapAtEnd: false });
    await expect(ema.withAverage(() => 1)).rejects.toThrow(/WeightAveraging.withAverage: nothing averaged yet/);
    const before = tf.memory().numTensors;
    await probeFit(model, 2, [ema]);
    expect(await ema.withAverage(() => weightOf(model))).toBeCloseTo(0.5 * 0.01 + 0.5 * 0.02, 7);
    expect(weightOf(model)).toBeCloseTo(0.02, 6);
    await expect(ema.withAverage(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(weightOf(model)).toBeCloseTo(0.02, 6);
    await probeFit(model, 1, [ema]); // training goes on from the raw weights
    expect(weightOf(model)).toBeCloseTo(0.03, 6);
    ema.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  test('SWA by default: once an epoch from ¾ of the run planned (8 batches, 2 an epoch: from iteration 6)', async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    const swa = new WeightAveraging();
    await probeFit(model, 8, [swa], 4);
    expect(swa.getState()).toMatchObject({ start: 6, every: 2, updates: 1, iteration: 8 });
    expect(weightOf(model)).toBeCloseTo(0.08, 6); // one update: the weights after batch 8
    swa.dispose();
    model.dispose();
  });

  test('with fitDataset: SWA every 2 batches, and the default (once an epoch from ¾ of the run) read from the dataset', async () => {
    // 8 samples in batches of 2: 4 batches an epoch; 2 epochs = 8 batches, the weight after batch k is 0.01·k.
    const ds = () => tf.data.zip({ xs: tf.data.array(Array.from({ length: 8 }, () => [1])), ys: tf.data.array(Array.from({ length: 8 }, () => [1000])) }).batch(2) as unknown as tf.data.Dataset<tf.TensorContainer>;
    const model = lrProbeModel(tf.train.sgd(0.01));
    const swa = new WeightAveraging({ every: 2, start: 0 });
    await model.fitDataset(ds(), { epochs: 2, verbose: 0, callbacks: [swa] });
    expect(swa.updates).toBe(4);
    expect(weightOf(model)).toBeCloseTo((0.02 + 0.04 + 0.06 + 0.08) / 4, 6);
    swa.dispose();
    const other = lrProbeModel(tf.train.sgd(0.01));
    const byDefault = new WeightAveraging();
    await other.fitDataset(ds(), { epochs: 2, verbose: 0, callbacks: [byDefault] });
    expect(byDefault.getState()).toMatchObject({ start: 6, every: 4, updates: 1 });
    expect(weightOf(other)).toBeCloseTo(0.08, 6);
    byDefault.dispose();
    model.dispose();
    other.dispose();
  });

  test('with Schedule-Free AdamW: a run split in two fits trains exactly as one (the swap is undone before the next batch)', async () => {
    const { xs, ys } = blobs(90);
    const a = blobModel(scheduleFreeAdamW());
    const b = blobModel(scheduleFreeAdamW());
    const swa = new WeightAveraging({ mode: 'ema', decay: 0.9 });
    const fit = { batchSize: 30, epochs: 2, shuffle: false, verbose: 0 as const };
    await a.fit(xs, ys, { ...fit, callbacks: [swa] });
    await b.fit(xs, ys, fit);
    expect(weightValues(a)).not.toEqual(weightValues(b)); // a holds the average now
    await a.fit(xs, ys, { ...fit, callbacks: [swa] });
    await b.fit(xs, ys, fit);
    swa.dispose();
    expect(weightValues(a)).toEqual(weightValues(b));
    tf.dispose([xs, ys]);
    a.dispose();
    b.dispose();
  });

  test('leaks nothing; bad options are named', async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    const before = tf.memory().numTensors;
    const swa = new WeightAveraging({ every: 1 });
    await probeFit(model, 5, [swa]);
    swa.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    expect(() => new WeightAveraging({ decay: 0.9 })).toThrow(/WeightAveraging: decay must be left out unless mode is "ema", got 0.9/);
    expect(() => new WeightAveraging({ every: 'cycle' })).toThrow(/WeightAveraging: schedule must be the CyclicLR whose cycles every: "cycle" follows/);
    expect(() => new WeightAveraging({ every: 0 })).toThrow(/WeightAveraging: every must be an integer >= 1 or "cycle", got 0/);
    expect(() => new WeightAveraging({ mode: 'ema', decay: 1 })).toThrow(/WeightAveraging: decay must be a number in \(0, 1\), got 1/);
  });
});

describe('updateBatchNorm', () => {
  function bnModel(): tf.Sequential {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 4, inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    return model;
  }

  test("the moving statistics become the mean over batches of the layer input's batch mean and (biased) variance", async () => {
    const model = bnModel();
    const x = tf.randomNormal([64, 3], 0, 1, 'float32', 7);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, k) => k % 2), 'int32'), 2);
    await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    expect(await updateBatchNorm(model, { x }, { batchSize: 16 })).toBe(1);
    // Here, independently: the dense layer's output, batch by batch, in plain numbers.
    const h = (model.layers[0].apply(x) as tf.Tensor).arraySync() as number[][];
    const means: number[][] = [];
    const vars: number[][] = [];
    for (let b = 0; b < 64; b += 16) {
      const rows = h.slice(b, b + 16);
      const m = [0, 1, 2, 3].map((c) => rows.reduce((s, r) => s + r[c], 0) / 16);
      means.push(m);
      vars.push([0, 1, 2, 3].map((c) => rows.reduce((s, r) => s + (r[c] - m[c]) ** 2, 0) / 16));
    }
    const avg = (v: number[][]) => [0, 1, 2, 3].map((c) => v.reduce((s, r) => s + r[c], 0) / v.length);
    const [, , movingMean, movingVariance] = model.layers[1].getWeights();
    Array.from(movingMean.dataSync()).forEach((v, c) => expect(v).toBeCloseTo(avg(means)[c], 5));
    Array.from(movingVariance.dataSync()).forEach((v, c) => expect(v).toBeCloseTo(avg(vars)[c], 5));
    tf.dispose([x, y]);
    model.dispose();
  });

  test('a model without BatchNorm is left alone (0 layers); WeightAveraging says when it swaps into a model with BatchNorm', async () => {
    const plain = lrProbeModel();
    const x = tf.ones([4, 1]);
    expect(await updateBatchNorm(plain, { x })).toBe(0);
    plain.dispose();
    x.dispose();
    const model = bnModel();
    const xs = tf.randomNormal([32, 3], 0, 1, 'float32', 3);
    const ys = tf.oneHot(tf.zeros([32], 'int32'), 2);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const swa = new WeightAveraging({ every: 1 });
    await model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [swa] });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/BatchNormalization.*updateBatchNorm\(model, data\)/));
    warn.mockRestore();
    swa.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe('KeepBest', () => {
  test("restores the weights of the epoch with the best val_loss at the end, also when another callback stops the fit", async () => {
    const { xs, ys } = blobs(120);
    const model = blobModel(tf.train.sgd(2)); // a large LR: val_loss goes up and down
    const perEpoch: number[][][] = [];
    const recorder = new (class extends tf.Callback {
      override async onEpochEnd(epoch: number): Promise<void> {
        perEpoch.push(weightValues(this.model));
        if (epoch === 4) this.model.stopTraining = true;
      }
    })();
    const best = new KeepBest();
    const h = await model.fit(xs, ys, { epochs: 20, batchSize: 30, validationSplit: 0.25, verbose: 0, callbacks: [recorder, best] });
    const val = h.history.val_loss as number[];
    expect(val).toHaveLength(5);
    const k = val.indexOf(Math.min(...val));
    expect(best.best?.epoch).toBe(k);
    expect(best.restored).toBe(true);
    expect(weightValues(model)).toEqual(perEpoch[k]);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test("with Schedule-Free AdamW and val_acc: the weights the best epoch was evaluated at (the average x, not the gradient point y) come back, and score that epoch's val_acc", async () => {
    const { xs, ys } = blobs(120);
    const [vx, vy] = [xs.slice(90), ys.slice(90)];
    const [tx, ty] = [xs.slice(0, 90), ys.slice(0, 90)];
    const model = blobModel(scheduleFreeAdamW({ learningRate: 0.3 })); // large: val_acc goes up and down
    const perEpoch: number[][][] = [];
    const recorder = new (class extends tf.Callback {
      override async onEpochEnd(): Promise<void> {
        perEpoch.push(weightValues(this.model));
      }
    })();
    const best = new KeepBest({ monitor: 'val_acc' });
    const h = await model.fit(tx, ty, { epochs: 12, batchSize: 15, shuffle: false, validationData: [vx, vy], verbose: 0, callbacks: [recorder, best] });
    const val = h.history.val_acc as number[];
    const k = val.indexOf(Math.max(...val)); // the first best, as KeepBest keeps it
    expect(k).toBeLessThan(val.length - 1); // the test needs a best epoch before the last
    expect(best.best).toEqual({ epoch: k, value: val[k] });
    expect(weightValues(model)).toEqual(perEpoch[k]);
    const scores = model.evaluate(vx, vy) as tf.Scalar[];
    expect(scores[1].dataSync()[0]).toBeCloseTo(val[k], 6);
    tf.dispose([xs, ys, vx, vy, tx, ty, ...scores]);
    model.optimizer.dispose();
    model.dispose();
  });
});

describe('WeightAveraging resumes through saveTraining / loadTraining', () => {
  test('a run saved mid-way (average swapped in) and loaded into a new model trains on to the same raw weights and average', async () => {
    const io = memoryHandler();
    const { xs, ys } = blobs(90);
    const fit = { batchSize: 30, epochs: 2, shuffle: false, verbose: 0 as const };
    // One run, uninterrupted except between its fits.
    const a = blobModel(tf.train.adam(0.01));
    const swaA = new WeightAveraging({ every: 2, start: 0 });
    await a.fit(xs, ys, { ...fit, callbacks: [swaA] });
    await a.fit(xs, ys, { ...fit, callbacks: [swaA] });
    // The same, saved after the first fit and resumed in a new model and callback.
    const b = blobModel(tf.train.adam(0.01));
    const swaB = new WeightAveraging({ every: 2, start: 0 });
    await b.fit(xs, ys, { ...fit, callbacks: [swaB] });
    await saveTraining(b, io, { swa: swaB });
    const before = tf.memory().numTensors;
    const swaC = new WeightAveraging({ every: 2, start: 0 });
    const c = await loadTraining(io, { swa: swaC });
    expect(swaC.getState()).toEqual(swaB.getState());
    await c.fit(xs, ys, { ...fit, callbacks: [swaC] });
    expect(weightValues(c)).toEqual(weightValues(a)); // the average of the whole run, in the model
    swaA.dispose();
    swaC.dispose(); // raw weights back in both
    expect(weightValues(c)).toEqual(weightValues(a));
    c.optimizer.dispose(); // loaded with the model, not owned by it
    c.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before); // the state tensors went to swaC, and with it
    swaB.dispose();
    tf.dispose([xs, ys]);
    a.dispose();
    b.dispose();
  });

  test('a bad state is refused, naming the field', () => {
    const swa = new WeightAveraging();
    expect(() => swa.setState({ kind: 'WeightAveraging', iteration: -1, updates: 0, start: null, every: null, swapped: false })).toThrow(/WeightAveraging.setState: iteration must be an integer >= 0, got -1/);
  });
});
