/**
 * A NaN in the data during a fit with a schedule callback: one warning naming the iteration and the
 * LR (not silence with `loss: NaN` every epoch), or a stop after that batch with onNaN: 'stop' (as
 * Keras's TerminateOnNaN), or nothing with 'ignore'.
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, LRScheduler, OneCycleLR } from '../src/index.js';
import { blobModel, blobs, useCpu } from './helpers.js';

beforeAll(useCpu);

/** 100 examples, batch 10 (10 batches an epoch); row 35 has a NaN input: batch 3 of each epoch (iteration 3 of the first). */
function poisoned(): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const { xs, ys } = blobs(100, 4);
  const values = xs.arraySync();
  values[35][0] = NaN;
  xs.dispose();
  return { xs: tf.tensor2d(values), ys };
}

async function fitWith(cb: tf.Callback, epochs = 2): Promise<{ warnings: string[]; batches: number }> {
  const { xs, ys } = poisoned();
  const model = blobModel(tf.train.sgd(0.01));
  const warnings: string[] = [];
  const spy = jest.spyOn(console, 'warn').mockImplementation((m: unknown) => void warnings.push(String(m)));
  let batches = 0;
  const counter = new (class extends tf.Callback {
    override async onBatchEnd(): Promise<void> {
      batches++;
    }
  })();
  try {
    await model.fit(xs, ys, { epochs, batchSize: 10, shuffle: false, callbacks: [cb, counter], verbose: 0 });
  } finally {
    spy.mockRestore();
    tf.dispose([xs, ys]);
    model.dispose();
  }
  return { warnings, batches };
}

test('default: one warning, with the iteration, the batch and the LR; training goes on', async () => {
  const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 5 });
  const { warnings, batches } = await fitWith(clr);
  expect(batches).toBe(20);
  expect(warnings).toHaveLength(1);
  // Iteration 3 uses 0.01 + 0.04 × 3/5 = 0.034.
  expect(warnings[0]).toMatch(/^CyclicLR: the loss was NaN at iteration 3 \(batch 3 of its epoch\), learning rate 0\.034\d*: training goes on.*pass onNaN: "stop"/);
});

test.each([
  ['OneCycleLR', () => new OneCycleLR({ maxLR: 0.05, onNaN: 'stop' })],
  ['CyclicLR', () => new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 5, onNaN: 'stop' })],
])("%s with onNaN: 'stop' stops after that batch, as Keras's TerminateOnNaN", async (name, make) => {
  const { warnings, batches } = await fitWith(make());
  expect(batches).toBe(4); // batches 0–3: the NaN one is the last
  expect(warnings).toEqual([expect.stringMatching(new RegExp(`^${name}: the loss was NaN at iteration 3 .*training stops after this batch`))]);
});

test("onNaN: 'ignore' reads nothing and says nothing; a bad value is named", async () => {
  const { warnings, batches } = await fitWith(new LRScheduler({ lr: () => 0.01, onNaN: 'ignore' }));
  expect([warnings, batches]).toEqual([[], 20]);
  expect(() => new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 5, onNaN: 'halt' as never })).toThrow(/CyclicLR: onNaN must be one of "warn", "stop", "ignore", got "halt"/);
});

describe("the per-batch check costs no sync: 'warn' never makes a batch wait for its loss", () => {
  /**
   * A loss tensor whose reads — its own, or a copy's (tf.clone shares its data) — stay pending until
   * `land()`; counts them. Undo with `restore()`.
   */
  function slowLoss(value: number): { loss: tf.Scalar; reads: () => number; land: () => void; restore: () => void } {
    const loss = tf.scalar(value);
    let reads = 0;
    const waiting: Array<() => void> = [];
    const data = tf.Tensor.prototype.data;
    const spy = jest.spyOn(tf.Tensor.prototype, 'data').mockImplementation(function (this: tf.Tensor) {
      if (this.dataId !== loss.dataId) return data.call(this) as never;
      reads++;
      return new Promise((resolve) => waiting.push(() => void data.call(this).then(resolve))) as never;
    });
    return { loss, reads: () => reads, land: () => waiting.splice(0).forEach((go) => go()), restore: () => spy.mockRestore() };
  }

  async function settles(p: Promise<unknown>): Promise<boolean> {
    return Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
  }

  async function started(cb: CyclicLR): Promise<tf.LayersModel> {
    const model = blobModel(tf.train.sgd(0.01));
    cb.setModel(model);
    cb.setParams({ epochs: 1, samples: 100, batchSize: 10, steps: 10 });
    await cb.onTrainBegin();
    await cb.onBatchBegin(0, {});
    return model;
  }

  test("'warn': the batch's onBatchEnd returns before its loss is read; the warning keeps that batch's iteration and LR", async () => {
    const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 5 });
    const model = await started(clr);
    const { loss, reads, land, restore } = slowLoss(NaN);
    const warnings: string[] = [];
    const spy = jest.spyOn(console, 'warn').mockImplementation((m: unknown) => void warnings.push(String(m)));
    try {
      expect(await settles(clr.onBatchEnd(0, { loss }))).toBe(true); // awaited reads in the batch: 0
      expect(reads()).toBe(1); // one read started, in the background
      loss.dispose(); // tfjs frees the batch's logs once the callbacks return
      await clr.onBatchBegin(1, {}); // the run moves on
      const end = clr.onTrainEnd();
      expect(await settles(end)).toBe(false); // the fit's end waits for the read
      land();
      await end;
      expect(warnings).toEqual([expect.stringMatching(/^CyclicLR: the loss was NaN at iteration 0 \(batch 0 of its epoch\), learning rate 0\.01:/)]);
    } finally {
      spy.mockRestore();
      restore();
      model.dispose();
    }
  });

  test("'stop' awaits the loss (it must stop before the next batch)", async () => {
    const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 5, onNaN: 'stop' });
    const model = await started(clr);
    const { loss, land, restore } = slowLoss(1);
    const batch = clr.onBatchEnd(0, { loss });
    expect(await settles(batch)).toBe(false);
    land();
    await batch;
    restore();
    tf.dispose(loss);
    await clr.onTrainEnd();
    model.dispose();
  });

  test("'warn' leaks no tensor over a fit", async () => {
    const { xs, ys } = blobs(100);
    const model = blobModel(tf.train.sgd(0.01));
    await model.fit(xs, ys, { epochs: 1, batchSize: 10, verbose: 0 }); // tfjs's own one-off tensors
    const before = tf.memory().numTensors;
    await model.fit(xs, ys, { epochs: 2, batchSize: 10, verbose: 0, callbacks: [new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 5 })] });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
