/**
 * ReduceLROnPlateau (Keras's semantics, alone and scaling a schedule), resumable state of every
 * scheduling callback, and the misuse messages.
 */
import * as tf from '@tensorflow/tfjs';
import {
  CyclicLR,
  LRScheduler,
  OneCycleLR,
  ReduceLROnPlateau,
  cyclicLearningRate,
  getLearningRate,
  reduceLROnPlateau,
  type ScheduleState,
  type ReduceLROnPlateauState,
} from '../src/index.js';
import { lrProbeData, lrProbeModel, useCpu, WeightRecorder } from './helpers.js';

beforeAll(useCpu);

/** Feeds a callback epoch ends with `val_loss` values; returns the optimizer's LR after each. */
async function feed(cb: ReduceLROnPlateau, values: Array<number | undefined>, lr = 0.1): Promise<number[]> {
  const model = lrProbeModel(tf.train.sgd(lr));
  cb.setModel(model);
  await cb.onTrainBegin();
  const out: number[] = [];
  for (const [epoch, v] of values.entries()) {
    await cb.onEpochEnd(epoch, v === undefined ? { loss: 1 } : { val_loss: v });
    out.push(getLearningRate(model.optimizer));
  }
  model.dispose();
  return out;
}

describe('ReduceLROnPlateau: Keras semantics', () => {
  test('patience, cooldown (which resets the wait), minLR, and no reduction once at minLR: a hand-traced sequence', async () => {
    const cb = reduceLROnPlateau({ factor: 0.5, patience: 2, cooldown: 1, minLR: 0.02 });
    const lrs = await feed(cb, [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    // e2: 2 epochs without improvement → 0.05, cooldown 1. e3 (cooldown → 0, wait 0) improves to 0.5.
    // e4 wait 1, e5 wait 2 → 0.025; e6 cooldown ends and counts (wait 1); e7 → max(0.0125, 0.02) = 0.02;
    // from then on the LR is not above minLR: no more reductions.
    expect(lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02].map((v) => expect.closeTo(v, 12)));
    expect(cb.reductions.map((r) => r.epoch)).toEqual([2, 5, 7]);
  });

  test('minDelta: a change smaller than it is no improvement; mode max for accuracy keys', async () => {
    expect(await feed(reduceLROnPlateau({ factor: 0.5, patience: 1, minDelta: 0.1 }), [1, 0.95, 0.8])).toEqual([0.1, 0.05, 0.05]);
    const acc = reduceLROnPlateau({ monitor: 'val_acc', factor: 0.5, patience: 1 });
    const model = lrProbeModel(tf.train.sgd(0.1));
    acc.setModel(model);
    await acc.onTrainBegin();
    await acc.onEpochEnd(0, { val_acc: 0.5 });
    await acc.onEpochEnd(1, { val_acc: 0.6 }); // higher is better: no reduction
    expect(getLearningRate(model.optimizer)).toBeCloseTo(0.1, 12);
    await acc.onEpochEnd(2, { val_acc: 0.55 });
    expect(getLearningRate(model.optimizer)).toBeCloseTo(0.05, 12);
  });

  test('a missing monitor key warns once and changes nothing', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const lrs = await feed(reduceLROnPlateau({ patience: 0 }), [undefined, undefined, undefined]);
    expect(lrs).toEqual([0.1, 0.1, 0.1]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/monitor "val_loss" is not in the epoch logs \(keys: loss\)/);
    warn.mockRestore();
  });

  test('bad options name the option', () => {
    expect(() => reduceLROnPlateau({ factor: 1 })).toThrow(/ReduceLROnPlateau: factor must be a number in \(0, 1\), got 1/);
    expect(() => reduceLROnPlateau({ patience: -1 })).toThrow(/ReduceLROnPlateau: patience must be an integer >= 0, got -1/);
    expect(() => reduceLROnPlateau({ mode: 'up' as never })).toThrow(/ReduceLROnPlateau: mode must be/);
    expect(() => reduceLROnPlateau({ minLr: 0 } as never)).toThrow(/unknown option "minLr"/);
  });

  test('with a CyclicLR in the same fit it scales the schedule (both bounds), not overwritten at the next batch', async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    const { xs, ys } = lrProbeData(4); // 4 batches of 1 per epoch
    const clr = new CyclicLR({ baseLR: 1, maxLR: 3, stepSize: 2 });
    // minDelta so large nothing improves after the first epoch, patience 0: halve at every later epoch end.
    const plateau = new ReduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 0, minDelta: 1e9 });
    const rec = new WeightRecorder();
    await model.fit(xs, ys, { epochs: 3, batchSize: 1, shuffle: false, callbacks: [clr, plateau, rec] });
    const sched = cyclicLearningRate({ baseLR: 1, maxLR: 3, stepSize: 2 });
    const want = Array.from({ length: 12 }, (_, i) => sched(i) * 0.5 ** Math.max(0, Math.floor(i / 4) - 0));
    // Epoch 0 ends with the first reading (an improvement); epoch 1 ends with a reduction, so epoch 2 runs at ×0.5.
    const scale = (i: number) => (i < 8 ? 1 : 0.5);
    expect(clr.history.lr).toEqual(want.map((_, i) => expect.closeTo(sched(i) * scale(i), 12)));
    // The weights moved by exactly those LRs (the probe model's weight change is the LR used).
    const steps = rec.weights.slice(1).map((w, k) => w - rec.weights[k]);
    expect(steps).toEqual(clr.history.lr.map((v) => expect.closeTo(v, 4)));
    expect(plateau.reductions.map((r) => r.epoch)).toEqual([1, 2]);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe('getState / setState: resume a run', () => {
  test('6 epochs in one fit = 3 epochs, save model + states, new model and callbacks restored, 3 more epochs', async () => {
    const data = () => {
      const xs = tf.tensor2d(Array.from({ length: 32 }, (_, k) => [Math.sin(k), Math.cos(3 * k)]));
      const ys = tf.tensor2d(Array.from({ length: 32 }, (_, k) => [Math.sin(k) * 0.5 - Math.cos(3 * k)]));
      return { xs, ys };
    };
    const build = () => {
      const m = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2], activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) })] });
      m.compile({ optimizer: tf.train.momentum(0.05, 0.9), loss: 'meanSquaredError' });
      return m;
    };
    const callbacks = () => [
      new CyclicLR({ baseLR: 0.01, maxLR: 0.1, stepSize: 5, mode: 'triangular2' }),
      new ReduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 0, minDelta: 1e9, minLR: 0.003 }),
    ] as const;
    const { xs, ys } = data();
    const fitOpts = (epochs: number, cbs: readonly tf.Callback[]) => ({ epochs, batchSize: 8, shuffle: false, verbose: 0 as const, callbacks: [...cbs] });

    const whole = build();
    const [clrA, plA] = callbacks();
    await whole.fit(xs, ys, fitOpts(6, [clrA, plA]));

    const first = build();
    const [clrB, plB] = callbacks();
    await first.fit(xs, ys, fitOpts(3, [clrB, plB]));
    let artifacts: tf.io.ModelArtifacts | null = null;
    await first.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })), { includeOptimizer: true });
    const states = JSON.parse(JSON.stringify({ clr: clrB.getState(), plateau: plB.getState() })) as { clr: ScheduleState; plateau: ReduceLROnPlateauState };
    const resumed = (await tf.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts))) as tf.LayersModel;
    const [clrC, plC] = callbacks();
    clrC.setState(states.clr);
    plC.setState(states.plateau);
    await resumed.fit(xs, ys, fitOpts(3, [clrC, plC]));

    expect([...clrB.history.lr, ...clrC.history.lr]).toEqual(clrA.history.lr.map((v) => expect.closeTo(v, 12)));
    expect(states.clr).toMatchObject({ kind: 'CyclicLR', iteration: 12, lrScale: 0.25 });
    const wA = whole.getWeights().map((w) => Array.from(w.dataSync()));
    const wC = resumed.getWeights().map((w) => Array.from(w.dataSync()));
    wA.forEach((w, k) => w.forEach((v, j) => expect(Math.abs(v - wC[k][j])).toBeLessThan(1e-6)));
    // Not trivially equal: training changed the weights.
    expect(wA[0].some((v, j) => Math.abs(v - first.getWeights()[0].dataSync()[j]) > 1e-4)).toBe(true);
    tf.dispose([xs, ys]);
    [whole, first, resumed].forEach((m) => m.dispose());
  });

  test('OneCycleLR and LRScheduler states round-trip through JSON; a length from the first fit is kept', async () => {
    const one = new OneCycleLR({ maxLR: 0.1 });
    const model = lrProbeModel(tf.train.sgd(0.01));
    const { xs, ys } = lrProbeData(4);
    await model.fit(xs, ys, { epochs: 2, batchSize: 2, callbacks: [one] });
    const state = JSON.parse(JSON.stringify(one.getState()));
    expect(state).toEqual({ kind: 'OneCycleLR', iteration: 4, lrScale: 1, lrFloor: 0, options: { maxLR: 0.1, totalSteps: 4 } });
    const again = new OneCycleLR({ maxLR: 0.5 });
    again.setState(state);
    expect(again.lrAt(2)).toBeCloseTo(one.lrAt(2), 15);
    const sched = new LRScheduler({ lr: (i) => 0.1 / (i + 1) });
    sched.setState({ kind: 'LRScheduler', iteration: 7, lrScale: 0.5, lrFloor: 0 });
    expect(sched.getState()).toEqual({ kind: 'LRScheduler', iteration: 7, lrScale: 0.5, lrFloor: 0 });
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('a state from another kind of callback, or with bad values, is a clear error and changes nothing', () => {
    const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.1, stepSize: 5 });
    const one = new OneCycleLR({ maxLR: 0.1, totalSteps: 10 });
    expect(() => clr.setState(one.getState())).toThrow(/CyclicLR.setState: kind must be "CyclicLR" \(a state from getState\(\) of a CyclicLR\), got "OneCycleLR"/);
    expect(() => clr.setState({ ...clr.getState(), iteration: -2 })).toThrow(/CyclicLR.setState: iteration must be an integer >= 0, got -2/);
    expect(() => clr.setState({ ...clr.getState(), options: { baseLR: 1, maxLR: 0.1, stepSize: 5 } })).toThrow(/CyclicLR.setState options: maxLR must be >= baseLR/);
    expect(clr.getState()).toEqual({ kind: 'CyclicLR', iteration: 0, lrScale: 1, lrFloor: 0, options: { baseLR: 0.01, maxLR: 0.1, stepSize: 5 } });
    expect(() => new ReduceLROnPlateau().setState(clr.getState() as never)).toThrow(/ReduceLROnPlateau.setState: (unknown option|kind must be)/);
  });
});

describe('misuse a user makes, explained', () => {
  test('a callbacks array starting with a plain object and holding our class: a message that says what to do', async () => {
    const model = lrProbeModel(tf.train.sgd(0.01));
    const { xs, ys } = lrProbeData(2);
    const clr = new CyclicLR({ baseLR: 0.01, maxLR: 0.1, stepSize: 2 });
    await expect(model.fit(xs, ys, { epochs: 1, callbacks: [{ onEpochEnd: async () => {} }, clr] as never })).rejects.toThrow(
      /called it as part of a plain \{ onEpochEnd… \} callback.*wrap plain ones with new tf.CustomCallback/,
    );
    // The fix it names works.
    await model.fit(xs, ys, { epochs: 1, callbacks: [new tf.CustomCallback({ onEpochEnd: async () => {} }), clr] });
    expect(clr.history.lr.length).toBeGreaterThan(0);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test("a finished OneCycleLR in a second fit warns once (it would run at its final LR), or restarts with afterEnd: 'restart'", async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    const { xs, ys } = lrProbeData(8);
    const model = lrProbeModel(tf.train.sgd(0.01));
    const one = new OneCycleLR({ maxLR: 0.1 });
    await model.fit(xs, ys, { epochs: 1, batchSize: 2, callbacks: [one] });
    await model.fit(xs, ys, { epochs: 1, batchSize: 2, callbacks: [one] });
    await model.fit(xs, ys, { epochs: 1, batchSize: 2, callbacks: [one] });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/OneCycleLR: the cycle ended at iteration 4 \(this is 4\); this fit runs at its final LR .*Call reset\(\) before it, or create the callback with afterEnd: 'restart'/);
    const again = new OneCycleLR({ maxLR: 0.1, afterEnd: 'restart' });
    await model.fit(xs, ys, { epochs: 1, batchSize: 2, callbacks: [again] });
    await model.fit(xs, ys, { epochs: 1, batchSize: 2, callbacks: [again] });
    expect(again.history.iteration).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
