/**
 * The zero-config range test on real (small) models: it finds the region by itself (an exponential
 * probe until divergence, then the paper's linear sweep below it), costs what its budget says, puts the
 * model back, and its bounds train the model well. Bad input gets clear errors, never a NaN bound.
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, PROBE_RANGE, rangeTest, suggestionRules, type RangeTestResult } from '../src/index.js';
import { blobModel, blobs, useCpu, weightValues } from './helpers.js';

beforeAll(useCpu);

async function accuracyOf(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor): Promise<number> {
  const out = model.evaluate(xs, ys) as tf.Scalar[];
  const acc = (await out[1].data())[0];
  tf.dispose(out);
  return acc;
}

describe('zero-config rangeTest', () => {
  test('probe then sweep, within the budget; restores the model; its bounds train well', async () => {
    // Inputs scaled ×10 (as unnormalised data often is): the loss blows up well below LR 10.
    const scaled = (d: { xs: tf.Tensor2D; ys: tf.Tensor2D }) => ({ xs: tf.tidy(() => d.xs.mul(10)) as tf.Tensor2D, ys: d.ys, raw: d.xs });
    const train = scaled(blobs(600, 1));
    const val = scaled(blobs(300, 2));
    tf.dispose([train.raw, val.raw]);
    const model = blobModel(tf.train.momentum(0.01, 0.9));
    const before = weightValues(model);
    const tensors = tf.memory().numTensors;
    const out = await rangeTest(model, { x: train.xs, y: train.ys }, { batchSize: 20, shuffle: false, validationData: [val.xs, val.ys] });
    const { result } = out;
    const probe = result.probe;
    if (!probe) throw new Error('no probe');
    // Stage 1: three probes, each exponential from 1e-7 over the default 500/(3 + 2) = 100 batches
    // (×1.2 per batch); the rule reads their mean, and each is kept.
    expect(probe.mode).toBe('exponential');
    expect(probe.lr[0]).toBeCloseTo(PROBE_RANGE.minLR, 15);
    expect(probe.numIterations).toBe(100);
    const repeats = probe.repeats ?? [];
    expect(repeats).toHaveLength(3);
    for (const r of repeats) expect(r.numIterations).toBe(100);
    const probeBatches = repeats.reduce((a, r) => a + r.lr.length, 0);
    expect(out.suggestion.spread ?? null).toBeNull(); // shuffle: false makes the probes identical: no spread to report
    // Stage 2: linear up to `top`, one of the probe's LRs, where its loss had turned up: below 10, and
    // the loss there is well above the probe's lowest.
    const top = result.maxLR;
    const k = probe.lr.indexOf(top);
    expect(k).toBeGreaterThan(0);
    expect(top).toBeLessThan(PROBE_RANGE.maxLR);
    const losses = probe.loss.filter((v): v is number => v !== null);
    expect(Math.max(...(probe.loss.slice(k).filter((v): v is number => v !== null)), Infinity)).toBeGreaterThan(1.2 * Math.min(...losses));
    expect(result.mode).toBe('linear');
    expect(result.minLR).toBeCloseTo(top / 1000, 15);
    expect(result.numIterations).toBe(500 - probeBatches);
    expect(out.iterations).toBe(probeBatches + result.lr.length);
    expect(out.iterations).toBeLessThanOrEqual(500);
    // Validation after the first batch and then densely (>= 30 points).
    expect(result.validation?.iteration[0]).toBe(0);
    expect(result.validation?.samples).toBe(300);
    // Every ⌊n/60⌋ batches: about 60 points over the whole sweep (fewer if it stops at divergence).
    const every = Math.floor(result.numIterations / 60);
    expect(result.validation?.iteration.slice(1, 4)).toEqual([every - 1, 2 * every - 1, 3 * every - 1]);
    expect(result.batchSize).toBe(20);
    // Nothing changed, nothing leaked.
    expect(weightValues(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    // The suggestion, used as the README says, trains this model to near-perfect validation accuracy.
    const s = out.suggestion;
    expect(s.confidence).not.toBe('none');
    expect(out.cyclicLROptions).not.toBeNull();
    const opts = out.cyclicLROptions as NonNullable<typeof out.cyclicLROptions>;
    expect(opts.baseLR).toBe(s.baseLR);
    expect(opts.maxLR).toBe(s.maxLR);
    expect(opts.maxLR).toBeLessThan(top);
    await model.fit(train.xs, train.ys, { epochs: 6, batchSize: 20, shuffle: false, callbacks: [new CyclicLR({ ...opts, stepSize: 30, mode: 'triangular2' })], verbose: 0 });
    expect(await accuracyOf(model, val.xs, val.ys)).toBeGreaterThanOrEqual(0.95);
    tf.dispose([train.xs, train.ys, val.xs, val.ys]);
    model.dispose();
  });

  test('easy data that learns at any LR (the old test called it flat): bounds that train it', async () => {
    const train = blobs(400, 1);
    const val = blobs(200, 11);
    const model = blobModel(tf.train.sgd(0.01));
    const out = await rangeTest(model, { x: train.xs, y: train.ys }, { batchSize: 20, shuffle: false, validationData: [val.xs, val.ys] });
    const s = out.suggestion;
    // Plain SGD on three well-separated blobs: the loss still falls at LR 10, the probe's end; the
    // suggestion says so (low) but still gives bounds rather than nothing.
    expect(s.confidence).toBe('low');
    expect(s.notes.join(' ')).toMatch(/still falling at the end of the probe/);
    const opts = out.cyclicLROptions as NonNullable<typeof out.cyclicLROptions>;
    await model.fit(train.xs, train.ys, { epochs: 6, batchSize: 20, shuffle: false, callbacks: [new CyclicLR({ ...opts, stepSize: 20, mode: 'triangular2' })], verbose: 0 });
    expect(await accuracyOf(model, val.xs, val.ys)).toBeGreaterThanOrEqual(0.95);
    tf.dispose([train.xs, train.ys, val.xs, val.ys]);
    model.dispose();
  });

  test('probes: 1 runs a single probe of a third of the budget (the test before probes)', async () => {
    const { xs, ys } = blobs(400, 4);
    const model = blobModel(tf.train.momentum(0.01, 0.9));
    const out = await rangeTest(model, { x: xs, y: ys }, { batchSize: 20, budget: 90, probes: 1, shuffle: false });
    expect(out.result.probe?.numIterations).toBe(30);
    expect(out.result.probe?.repeats ?? null).toBeNull();
    expect(out.suggestion.spread ?? null).toBeNull();
    expect(out.iterations).toBe((out.result.probe?.lr.length as number) + out.result.lr.length);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test("probeWeights 'fresh': probes 2 and 3 start from fresh initializations of the architecture; the model is put back exactly", async () => {
    const { xs, ys } = blobs(400, 4);
    const model = blobModel(tf.train.momentum(0.01, 0.9)); // seeded initializers (seeds 5 and 6)
    const before = weightValues(model);
    const tensors = tf.memory().numTensors;
    const out = await rangeTest(model, { x: xs, y: ys }, { batchSize: 20, shuffle: false, probeWeights: 'fresh' });
    expect(weightValues(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    const repeats = out.result.probe?.repeats ?? [];
    expect(repeats).toHaveLength(3);
    // The loss of batch 0 (LR 1e-7, the weights as they start) is each start's own loss on the first 20
    // rows: the model's for probe 1, and for probe k a model built with its seeds moved by (k − 1) × 104,729.
    const firstBatchLoss = (m: tf.LayersModel) => tf.tidy(() => (m.evaluate(xs.slice(0, 20), ys.slice(0, 20)) as tf.Scalar[])[0].dataSync()[0]);
    for (let k = 0; k < 3; k++) {
      const start = blobModel('sgd', 5 + k * 104_729);
      expect(repeats[k].loss[0]).toBeCloseTo(firstBatchLoss(start), 4);
      start.dispose();
    }
    expect(repeats[1].loss[0]).not.toBeCloseTo(repeats[0].loss[0] as number, 3);
    // Deterministic for a seeded model: a rerun draws the same fresh weights.
    const again = await rangeTest(model, { x: xs, y: ys }, { batchSize: 20, shuffle: false, probeWeights: 'fresh' });
    expect(again.result.probe?.repeats?.map((r) => r.loss[0])).toEqual(repeats.map((r) => r.loss[0]));
    // A model tfjs cannot rebuild from its JSON (an unregistered custom layer) is refused, and left as it was.
    class Unregistered extends tf.layers.Layer {
      static className = 'UnregisteredForTest';
      override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return Array.isArray(x) ? x[0] : x;
      }
    }
    const custom = tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: 'softmax', inputShape: [2] }), new Unregistered({})] });
    custom.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
    const customBefore = weightValues(custom);
    await expect(rangeTest(custom, { x: xs, y: ys }, { batchSize: 20, probeWeights: 'fresh' })).rejects.toThrow(/rangeTest: probeWeights 'fresh': the model could not be rebuilt from its JSON.*registerClass/);
    expect(weightValues(custom)).toEqual(customBefore);
    custom.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('scheduleFreeAdamWOptions: with Adam, twice the suggested maxLR when that is over 2× from the default 0.0025 (held within 8× of it), else 0.0025, said in a note, warmed up over 10 % of trainingSteps when given; null with Momentum (an SGD LR)', async () => {
    const { xs, ys } = blobs(400, 4);
    const adam = blobModel(tf.train.adam(0.001));
    const withAdam = await rangeTest(adam, { x: xs, y: ys }, { batchSize: 20, budget: 150 });
    const max = withAdam.suggestion.maxLR as number;
    expect(max).not.toBeNull();
    // The rule, from its numbers: 2 × maxLR held within 8× of 0.0025 where that is over 2× from 0.0025, else 0.0025.
    const expectedLR = (m: number) => (2 * m > 0.005 || 2 * m < 0.00125 ? Math.min(Math.max(2 * m, 0.0025 / 8), 0.0025 * 8) : 0.0025);
    expect(withAdam.scheduleFreeAdamWOptions?.learningRate).toBeCloseTo(expectedLR(max), 12);
    const note = (o: { suggestion: { notes: string[] } }) => o.suggestion.notes.find((n) => n.startsWith('scheduleFreeAdamWOptions: Schedule-Free AdamW at'));
    // Without trainingSteps no warmup, and the note says how to get one; with them, a warmup over 10 % of them.
    expect(withAdam.scheduleFreeAdamWOptions).not.toHaveProperty('warmupSteps');
    expect(note(withAdam)).toMatch(/; no warmup: give trainingSteps \(the batches you will train for\) for one over 10 % of them$/);
    const withSteps = await rangeTest(adam, { x: xs, y: ys }, { batchSize: 20, budget: 150, trainingSteps: 1234 });
    expect(withSteps.scheduleFreeAdamWOptions?.warmupSteps).toBe(123);
    expect(withSteps.scheduleFreeAdamWOptions?.learningRate).toBeCloseTo(expectedLR(withSteps.suggestion.maxLR as number), 12);
    expect(note(withSteps)).toMatch(/; warmed up over 123 of the 1234 training steps$/);
    const momentum = blobModel(tf.train.momentum(0.01, 0.9));
    const withMomentum = await rangeTest(momentum, { x: xs, y: ys }, { batchSize: 20, budget: 150 });
    expect(withMomentum.suggestion.maxLR).not.toBeNull();
    expect(withMomentum.scheduleFreeAdamWOptions).toBeNull();
    tf.dispose([xs, ys]);
    adam.dispose();
    momentum.dispose();
  });

  test('scheduleFreeSGDOptions: with Momentum SGD 0.9 and trainingSteps, 15 × the suggested maxLR (20× from 1,500 steps; 10× where the test found the edge) warmed up over 10 % of them; null with a note without trainingSteps, with Nesterov, with Adam', async () => {
    const { xs, ys } = blobs(400, 4);
    const note = (o: { suggestion: { notes: string[] } }) => o.suggestion.notes.find((n) => n.startsWith('scheduleFreeSGDOptions: '));
    // Where the probes' mean curve and the sweep broke, read off the result as a user would: the LR at stoppedAt, over maxLR.
    const edge = (o: { result: RangeTestResult; suggestion: { maxLR: number | null } }) => {
      const max = o.suggestion.maxLR as number;
      const at = (c: RangeTestResult) => (c.stoppedAt === null ? Infinity : c.lr[c.stoppedAt] / max);
      expect(o.result.probe).toBeTruthy();
      const probe = at(o.result.probe as RangeTestResult);
      const sweep = at(o.result);
      const say = (x: number) => (x === Infinity ? 'never' : `at ${x.toPrecision(2)} × maxLR`);
      const near = probe < 8 || sweep < 3;
      return { near, room: `the probes broke ${say(probe)}, the sweep ${say(sweep)}${near ? ': near the edge, where larger multiples diverged' : ''}` };
    };
    const momentum = blobModel(tf.train.momentum(0.01, 0.9));
    const withSteps = await rangeTest(momentum, { x: xs, y: ys }, { batchSize: 20, budget: 150, trainingSteps: 1000 });
    const max = withSteps.suggestion.maxLR as number;
    expect(max).not.toBeNull();
    const e = edge(withSteps);
    const m = e.near ? 10 : 15;
    expect(withSteps.scheduleFreeSGDOptions).toEqual({ learningRate: m * max, warmupSteps: 100 });
    expect(note(withSteps)).toBe(`scheduleFreeSGDOptions: Schedule-Free SGD at ${m} × maxLR = ${(m * max).toPrecision(3)} (${e.room}), warmed up over 100 of the 1000 training steps`);
    const long = await rangeTest(momentum, { x: xs, y: ys }, { batchSize: 20, budget: 150, trainingSteps: 2000 });
    const longMax = long.suggestion.maxLR as number;
    const longE = edge(long);
    const longM = longE.near ? 10 : 20;
    expect(long.scheduleFreeSGDOptions).toEqual({ learningRate: longM * longMax, warmupSteps: 200 });
    expect(note(long)).toBe(`scheduleFreeSGDOptions: Schedule-Free SGD at ${longM} × maxLR = ${(longM * longMax).toPrecision(3)} (${longE.room}), warmed up over 200 of the 2000 training steps`);
    const without = await rangeTest(momentum, { x: xs, y: ys }, { batchSize: 20, budget: 150 });
    expect(without.scheduleFreeSGDOptions).toBeNull();
    expect(note(without)).toBe('scheduleFreeSGDOptions: null: give trainingSteps (the batches you will train for) for its multiple of maxLR (larger from 1500 steps) and its warmup over 10 % of them');
    const nesterov = blobModel(tf.train.momentum(0.01, 0.9, true));
    const withNesterov = await rangeTest(nesterov, { x: xs, y: ys }, { batchSize: 20, budget: 150, trainingSteps: 1000 });
    expect(withNesterov.scheduleFreeSGDOptions).toBeNull();
    expect(note(withNesterov)).toMatch(/^scheduleFreeSGDOptions: null: the test ran with momentum 0\.9 \(Nesterov\); the (10|15) × maxLR rule was measured with plain momentum 0\.9$/);
    const adam = blobModel(tf.train.adam(0.001));
    const withAdam = await rangeTest(adam, { x: xs, y: ys }, { batchSize: 20, budget: 150, trainingSteps: 1000 });
    expect(withAdam.scheduleFreeSGDOptions).toBeNull();
    expect(note(withAdam)).toMatch(/^scheduleFreeSGDOptions: null: the test ran with Adam; Schedule-Free SGD's LR is read from a test with Momentum SGD/);
    const quiet = await rangeTest(adam, { x: xs, y: ys }, { batchSize: 20, budget: 150 });
    expect(note(quiet)).toBeUndefined(); // neither Momentum nor trainingSteps: nothing to say
    await expect(rangeTest(momentum, { x: xs, y: ys }, { batchSize: 20, trainingSteps: 0 })).rejects.toThrow(/^rangeTest: trainingSteps must be an integer >= 1, got 0/);
    tf.dispose([xs, ys]);
    for (const m of [momentum, nesterov, adam]) m.dispose();
  });

  test('budget in epochs, and no validation data: training accuracy is read', async () => {
    const { xs, ys } = blobs(400, 3);
    const model = blobModel(tf.train.sgd(0.01));
    const out = await rangeTest(model, { x: xs, y: ys }, { batchSize: 20, budget: { epochs: 3 }, shuffle: false }); // 3 × 20 = 60 batches
    expect(out.result.probe?.numIterations).toBe(12); // 60 / (3 probes + 2)
    expect(out.iterations).toBeLessThanOrEqual(60);
    expect(out.suggestion.source).not.toBe('validation-accuracy');
    for (const v of [out.suggestion.baseLR, out.suggestion.maxLR]) expect(v === null || (Number.isFinite(v) && v > 0)).toBe(true);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('a tf.data dataset (fitDataset): both stages get their batches, over as many epochs as needed', async () => {
    const { xs, ys } = blobs(200, 9);
    const [xr, yr] = [tf.unstack(xs), tf.unstack(ys)];
    const ds = tf.data.zip({ xs: tf.data.array(xr), ys: tf.data.array(yr) }).batch(20) as unknown as tf.data.Dataset<tf.TensorContainer>;
    const model = blobModel(tf.train.sgd(0.01));
    const before = weightValues(model);
    const out = await rangeTest(model, ds, { budget: 60 }); // 10 batches an epoch: 3 probes of 12 (2 epochs each), sweep the rest
    expect(out.result.probe?.numIterations).toBe(12);
    const probeBatches = (out.result.probe?.repeats ?? []).reduce((a, r) => a + r.lr.length, 0);
    expect(probeBatches).toBeGreaterThanOrEqual(3 * 10); // each probe ran past its burn-in
    expect(out.result.numIterations).toBe(60 - probeBatches);
    expect(out.iterations).toBeLessThanOrEqual(60);
    expect(out.plan?.iterationsPerEpoch).toBe(10);
    expect(weightValues(model)).toEqual(before);
    tf.dispose([xs, ys, ...xr, ...yr]);
    model.dispose();
  });

  test('a model without an accuracy metric: bounds from the loss, with a note, never NaN', async () => {
    const { xs, ys } = blobs(400, 4);
    const model = blobModel(tf.train.sgd(0.01));
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
    const out = await rangeTest(model, { x: xs, y: ys }, { batchSize: 20, budget: 90, shuffle: false });
    expect(out.result.accuracy).toBeNull();
    for (const v of [out.suggestion.baseLR, out.suggestion.maxLR]) expect(v === null || (Number.isFinite(v) && v > 0)).toBe(true);
    expect(out.suggestion.notes.join(' ')).toMatch(/no accuracy was recorded|loss/);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('a NaN loss at the first batch is a clear error, after the model is put back', async () => {
    const { xs, ys } = blobs(100, 5);
    const bad = tf.tidy(() => xs.mul(NaN));
    const model = blobModel(tf.train.sgd(0.01));
    const before = weightValues(model);
    await expect(rangeTest(model, { x: bad, y: ys }, { batchSize: 20, budget: 60 })).rejects.toThrow(
      /rangeTest: the loss was not a finite number at the very first batch \(LR 1e-7, too small to matter\): check the data/,
    );
    expect(weightValues(model)).toEqual(before);
    tf.dispose([xs, ys, bad]);
    model.dispose();
  });

  test('an already trained model: no rule claims confidence, and the notes say why', async () => {
    const { xs, ys } = blobs(600, 8);
    const model = blobModel(tf.train.momentum(0.05, 0.9));
    await model.fit(xs, ys, { epochs: 20, batchSize: 20, shuffle: false, verbose: 0 });
    const out = await rangeTest(model, { x: xs, y: ys }, { batchSize: 20, budget: 150, shuffle: false });
    for (const [name, rule] of Object.entries(suggestionRules)) {
      const s = rule(out.result);
      expect([name, s.confidence, s.notes]).toEqual([name, expect.stringMatching(/^(low|none)$/), expect.anything()]);
      expect(s.notes.join(' ')).toMatch(/already trained/);
    }
    tf.dispose([xs, ys]);
    model.dispose();
  }, 60000);

  test('divergence inside the burn-in (a sweep that starts far too high): no rule suggests a bound', async () => {
    const { xs, ys } = blobs(600, 7);
    const model = blobModel(tf.train.sgd(0.01));
    // LR 30 → 3000: the loss blows up by the third batch, before the 10-batch burn-in ends.
    const out = await rangeTest(model, { x: xs, y: ys }, { minLR: 30, maxLR: 3000, mode: 'exponential', numIterations: 30, batchSize: 20, shuffle: false });
    expect(['diverged', 'non-finite-loss']).toContain(out.result.stopReason);
    expect(out.result.stoppedAt).toBeLessThan(10);
    for (const rule of Object.values(suggestionRules)) {
      const s = rule(out.result);
      expect([s.baseLR, s.maxLR]).toEqual([null, null]);
      expect(s.confidence).toBe('none');
    }
    expect(out.cyclicLROptions).toBeNull();
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('bad input names the option', async () => {
    const { xs, ys } = blobs(40, 6);
    const model = blobModel(tf.train.sgd(0.01));
    const cases: Array<[Parameters<typeof rangeTest>[2], RegExp]> = [
      [{ budget: 10 }, /rangeTest: budget must be an integer >= 50, got 10/], // 10 a probe (3) and 20 for the sweep
      [{ probes: 0 }, /rangeTest: probes must be an integer >= 1, got 0/],
      [{ probes: 1, budget: 20 }, /rangeTest: budget must be an integer >= 30, got 20/],
      [{ maxLR: 1, probes: 2 }, /rangeTest: probes must be left out when maxLR is given/],
      [{ probeWeights: 'random' as never }, /rangeTest: probeWeights must be one of "current", "fresh", got "random"/],
      [{ maxLR: 1, probeWeights: 'fresh' }, /rangeTest: probeWeights must be left out when maxLR is given/],
      [{ budget: { epochs: -1 } }, /rangeTest: budget.epochs must be a finite number > 0, got -1/],
      [{ minLR: 0.001 }, /rangeTest: minLR must be left out of a zero-config test \(give maxLR/],
      [{ epochs: 3 }, /rangeTest: epochs must be left out of a zero-config test \(use budget: \{ epochs \}\)/],
      [{ maxLR: 1, budget: 100 }, /rangeTest: budget must be left out when maxLR is given/],
      [{ maxLr: 1 } as never, /rangeTest: unknown option "maxLr"/], // named for rangeTest, not for the LRFinder it builds
      [{ batchSize: 0 }, /rangeTest: batchSize must be an integer >= 1, got 0/],
      [{ callbacks: {} as never }, /rangeTest: callbacks must be an array of tf.Callback instances/],
    ];
    for (const [opts, message] of cases) await expect(rangeTest(model, { x: xs, y: ys }, opts)).rejects.toThrow(message);
    await expect(rangeTest(model, { x: tf.zeros([0, 2]), y: tf.zeros([0, 3]) })).rejects.toThrow(/rangeTest: data.x must be a tensor with at least one example, got 0/);
    await expect(rangeTest(model, undefined as never)).rejects.toThrow(/rangeTest: data must be tensors \{ x, y \} or a tf.data.Dataset, got undefined/);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe('a dataset that runs out', () => {
  test('says so, names .repeat(), and leaves the model as it was', async () => {
    const { xs, ys } = blobs(320, 12);
    const xa = xs.arraySync();
    const ya = ys.arraySync();
    // 16 batches of 20, once: no .repeat().
    const ds = tf.data
      .generator(function* () {
        for (let k = 0; k < xa.length; k++) yield { xs: tf.tensor1d(xa[k]), ys: tf.tensor1d(ya[k]) };
      })
      .batch(20) as unknown as tf.data.Dataset<tf.TensorContainer>;
    const model = blobModel(tf.train.sgd(0.01));
    const before = weightValues(model);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await expect(rangeTest(model, ds)).rejects.toThrow(/rangeTest: the dataset ran out of data after 16 batches; this stage needed 100\. Give a dataset that repeats \(dataset\.repeat\(\)\)/);
    } finally {
      warn.mockRestore();
    }
    expect(weightValues(model)).toEqual(before);
    // With .repeat() the same data is fine.
    const out = await rangeTest(model, ds.repeat(), { budget: 100 });
    expect(out.iterations).toBeGreaterThan(16);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

test('zero-config with shuffle: false says its probes cannot differ (and reports no spread)', async () => {
  const { xs, ys } = blobs(300);
  const model = blobModel(tf.train.momentum(0.01, 0.9));
  const same = await rangeTest(model, { x: xs, y: ys }, { batchSize: 30, budget: 60, shuffle: false });
  expect(same.suggestion.notes.join(' ')).toMatch(/shuffle: false made the probes identical/);
  expect(same.suggestion.spread ?? null).toBeNull();
  const shuffled = await rangeTest(model, { x: xs, y: ys }, { batchSize: 30, budget: 60 });
  expect(shuffled.suggestion.notes.join(' ')).not.toMatch(/probes identical/);
  tf.dispose([xs, ys]);
  model.dispose();
});
