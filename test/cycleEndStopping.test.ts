/**
 * CycleEndStopping in real fits: it stops only at a cycle boundary (clr.iteration a multiple of the
 * cycle length), after `patience` cycle ends without improvement or after `maxCycles`, and can put
 * back the weights of the best cycle end.
 */
import * as tf from '@tensorflow/tfjs';
import { CycleEndStopping, CyclicLR, cycleEndStopping, type CycleEndStoppingOptions } from '../src/index.js';
import { blobModel, blobs, useCpu, weightValues } from './helpers.js';

beforeAll(useCpu);

/** Records the weights and the epoch logs at every epoch end (put it after the callbacks under test). */
class EpochRecorder extends tf.Callback {
  readonly weights: number[][][] = [];
  override async onEpochEnd(): Promise<void> {
    this.weights.push(weightValues(this.model));
  }
}

/**
 * Fits the blobs MLP (200 examples in batches of 20: 10 batches an epoch, no shuffling) with a CyclicLR
 * of the given step size and a CycleEndStopping with the given options; returns what the tests read.
 */
async function fitWith(stepSize: number, epochs: number, opts: Omit<CycleEndStoppingOptions, 'clr'>) {
  const { xs, ys } = blobs(200, 4);
  const model = blobModel(tf.train.sgd(0.05));
  const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.1, stepSize });
  const stop = cycleEndStopping({ clr, ...opts });
  const rec = new EpochRecorder();
  try {
    const h = await model.fit(xs, ys, { epochs, batchSize: 20, shuffle: false, callbacks: [clr, stop, rec], verbose: 0 });
    return { clr, stop, epochs: h.epoch, weightsAtEpochEnd: rec.weights, weights: weightValues(model) };
  } finally {
    tf.dispose([xs, ys]);
    model.dispose();
  }
}

describe('CycleEndStopping', () => {
  test('maxCycles: stops exactly at the end of cycle 2 (stepSize 5: a cycle is one epoch of 10 batches)', async () => {
    const { clr, stop, epochs } = await fitWith(5, 10, { monitor: 'loss', maxCycles: 2 });
    expect(clr.cycleLength).toBe(10);
    expect(clr.iteration).toBe(20);
    expect(epochs).toEqual([0, 1]);
    expect(stop.stoppedAt).toEqual({ iteration: 20, cycle: 2, reason: 'max-cycles' });
  });

  test('no improvement, cycles not aligned with epochs: decided at the epoch end, stopped at the next boundary', async () => {
    // Cycle = 12 batches, epoch = 10. mode 'max' on a falling loss: never an improvement after the first.
    const { clr, stop } = await fitWith(6, 10, { monitor: 'loss', mode: 'max', patience: 1 });
    // Cycle 1 ends at 12 → read at the end of epoch 2 (iteration 20): the first value, the best.
    // Cycle 2 ends at 24 → read at iteration 30: no improvement, patience 1 → stop at the next boundary, 36.
    expect(stop.record.cycle).toEqual([1, 2]);
    expect(stop.best?.cycle).toBe(1);
    expect(clr.iteration).toBe(36);
    expect(clr.iteration % (clr.cycleLength as number)).toBe(0);
    expect(stop.stoppedAt).toEqual({ iteration: 36, cycle: 3, reason: 'no-improvement' });
  });

  test('an improving value never stops it', async () => {
    // 'auto' is min for a loss; the training loss falls every epoch here, so all 6 epochs run.
    const { clr, stop } = await fitWith(5, 6, { monitor: 'loss', patience: 2 });
    const values = stop.record.value;
    expect(values).toHaveLength(6);
    values.slice(1).forEach((v, k) => expect(v).toBeLessThan(values[k]));
    expect(stop.stoppedAt).toBeNull();
    expect(clr.iteration).toBe(60);
  });

  test('restoreBestWeights puts back the weights of the epoch in which the best cycle ended', async () => {
    const { stop, weightsAtEpochEnd, weights } = await fitWith(5, 10, { monitor: 'loss', mode: 'max', patience: 2, restoreBestWeights: true });
    // Best (max loss) is the first cycle end; two more without improvement (patience 2): stop at cycle 3.
    expect(stop.best?.cycle).toBe(1);
    expect(stop.stoppedAt?.iteration).toBe(30);
    expect(weightsAtEpochEnd).toHaveLength(3);
    expect(weights).toEqual(weightsAtEpochEnd[0]);
    expect(weights).not.toEqual(weightsAtEpochEnd[2]);
  });

  test('restoreBestWeights also when the fit ends without it stopping (at the last epoch): Keras #12511', async () => {
    // mode 'max' on a falling loss: cycle 1's end stays the best; patience 10 never stops the 4 epochs.
    const { stop, weightsAtEpochEnd, weights } = await fitWith(5, 4, { monitor: 'loss', mode: 'max', patience: 10, restoreBestWeights: true });
    expect(stop.stoppedAt).toBeNull();
    expect(stop.restored).toBe(true);
    expect(weightsAtEpochEnd).toHaveLength(4);
    expect(weights).toEqual(weightsAtEpochEnd[0]);
    expect(weights).not.toEqual(weightsAtEpochEnd[3]);
  });

  test('a monitor missing from the logs is a clear error at the first cycle end', async () => {
    const { xs, ys } = blobs(200, 4);
    const model = blobModel(tf.train.sgd(0.05));
    const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.1, stepSize: 5 });
    const stop = new CycleEndStopping({ clr }); // val_loss, but no validation data
    await expect(model.fit(xs, ys, { epochs: 2, batchSize: 20, callbacks: [clr, stop], verbose: 0 })).rejects.toThrow(
      /CycleEndStopping: monitor "val_loss" is not a number in the epoch logs \(keys: .*loss.*\); pass validationData/,
    );
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('bad options name the option', () => {
    const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.1, stepSize: 5 });
    expect(() => new CycleEndStopping({} as never)).toThrow(/CycleEndStopping: clr must be the CyclicLR callback of the same fit/);
    expect(() => new CycleEndStopping({ clr, patience: 0 })).toThrow(/patience must be an integer >= 1, got 0/);
    expect(() => new CycleEndStopping({ clr, mode: 'up' as never })).toThrow(/mode must be one of "auto", "min", "max", got "up"/);
    expect(() => new CycleEndStopping({ clr, minDelta: -1 })).toThrow(/minDelta must be a finite number >= 0, got -1/);
    expect(() => new CycleEndStopping({ clr, maxCycles: 0 })).toThrow(/maxCycles must be an integer >= 1, got 0/);
    expect(() => new CycleEndStopping({ clr, patiense: 2 } as never)).toThrow(/unknown option "patiense"/);
  });
});
