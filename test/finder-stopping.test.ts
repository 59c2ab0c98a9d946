/**
 * When the LR range test stops: the divergence rule on loss curves from real probes, and LRFinder on
 * models whose loss blows up or turns NaN at a known LR.
 */
import * as tf from '@tensorflow/tfjs';
import { LRFinder } from '../src/index.js';
import { divergenceMonitor } from '../src/finder/divergence.js';
import { blobModel, blobs, useCpu, weightValues } from './helpers.js';

beforeAll(useCpu);

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
