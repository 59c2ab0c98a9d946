/**
 * One owner of training state: whatever runs between two fits — a range test (zero-config or the
 * paper's explicit sweep), an LRFinder inside a fit, a re-test in the middle of a CyclicLR run, a
 * save and a load — the next fit takes the same steps as a twin model that never ran it. Every
 * built-in tfjs optimizer and every learning-rate-free optimizer of tfjs-clr.
 */
import * as tf from '@tensorflow/tfjs';
import { CyclicLR, LRFinder, copyOptimizerState, loadTraining, rangeTest, saveTraining, snapshotTraining } from '../src';
import { dog, prodigy, scheduleFreeAdamW, scheduleFreeSGD } from '../src/optimizers';
import { blobModel, blobs, memoryHandler, useCpu } from './helpers';

beforeAll(useCpu);

const OPTIMIZERS: Array<[string, () => tf.Optimizer]> = [
  ['sgd', () => tf.train.sgd(0.05)],
  ['momentum', () => tf.train.momentum(0.05, 0.9)],
  ['nesterov', () => tf.train.momentum(0.05, 0.9, true)],
  ['rmsprop', () => tf.train.rmsprop(0.01, 0.9, 0.5)],
  ['adam', () => tf.train.adam(0.01)],
  ['adamax', () => tf.train.adamax(0.01)],
  ['adagrad', () => tf.train.adagrad(0.05)],
  ['adadelta', () => tf.train.adadelta(0.5)],
  ['prodigy', () => prodigy()],
  ['scheduleFreeSGD', () => scheduleFreeSGD({ learningRate: 0.2, warmupSteps: 3 })],
  ['scheduleFreeAdamW', () => scheduleFreeAdamW()],
  ['dog', () => dog()],
];

const FIT = { batchSize: 30, shuffle: false, verbose: 0 as const };

/** The optimizers that scale each step by a running gradient statistic. */
const ADAPTIVE = new Set(['rmsprop', 'adam', 'adamax', 'adagrad', 'adadelta', 'prodigy', 'scheduleFreeAdamW']);

/** The largest absolute difference between two models' weights. */
function maxDiff(a: tf.LayersModel, b: tf.LayersModel): number {
  const wa = a.getWeights().map((w) => w.dataSync());
  const wb = b.getWeights().map((w) => w.dataSync());
  let d = 0;
  wa.forEach((v, k) => v.forEach((x, i) => (d = Math.max(d, Math.abs(x - wb[k][i])))));
  return d;
}


/**
 * Trains two twins one epoch, runs `between` on the first (it may return a replacement model, as a
 * load does), then two more epochs on both through `train`; returns the largest weight difference
 * and the tensors the first left behind.
 */
async function twins(
  make: () => tf.Optimizer,
  between: (m: tf.LayersModel, data: { xs: tf.Tensor2D; ys: tf.Tensor2D }) => Promise<tf.LayersModel | void>,
  train: (m: tf.LayersModel, xs: tf.Tensor2D, ys: tf.Tensor2D) => Promise<unknown> = (m, xs, ys) => m.fit(xs, ys, { ...FIT, epochs: 2 }),
): Promise<{ diff: number; leaked: number }> {
  const { xs, ys } = blobs(90);
  const a = blobModel(make());
  const b = blobModel(make());
  await a.fit(xs, ys, { ...FIT, epochs: 1 }); // both have state now: slots, counters, averages
  await b.fit(xs, ys, { ...FIT, epochs: 1 });
  const before = tf.memory().numTensors;
  const replaced = (await between(a, { xs, ys })) ?? a;
  const leaked = replaced === a ? tf.memory().numTensors - before : 0;
  await train(replaced, xs, ys);
  await train(b, xs, ys);
  const diff = maxDiff(replaced, b);
  tf.dispose([xs, ys]);
  for (const m of new Set([a, b, replaced])) m.dispose();
  return { diff, leaked };
}

describe.each(OPTIMIZERS)('%s: the next fit is the same as if nothing had run in between', (name, make) => {
  test('after a zero-config rangeTest (which reads the probe as the optimizer calls for)', async () => {
    const { diff, leaked } = await twins(make, async (m, { xs, ys }) => {
      const out = await rangeTest(m, { x: xs, y: ys }, { batchSize: 30, budget: 50 });
      // Adam-like optimizers, tfjs's and tfjs-clr's, are read where the loss bottoms out; SGD-like ones at the floor's center.
      expect(out.result.probe?.adaptive).toBe(ADAPTIVE.has(name));
      if (out.suggestion.maxLR !== null) {
        expect(out.suggestion.maxLRReason).toBe(ADAPTIVE.has(name) ? 'bottom' : 'center');
        expect(out.oneCycleLROptions?.maxLR).toBeGreaterThanOrEqual(out.suggestion.maxLR);
      } else {
        expect(out.oneCycleLROptions).toBeNull();
      }
    });
    expect(leaked).toBe(0);
    expect(diff).toBeLessThanOrEqual(1e-6);
  });

  test("after the paper's explicit sweep (rangeTest with maxLR)", async () => {
    const { diff, leaked } = await twins(make, async (m, { xs, ys }) => {
      await rangeTest(m, { x: xs, y: ys }, { minLR: 1e-4, maxLR: 0.5, epochs: 2, batchSize: 30 });
    });
    expect(leaked).toBe(0);
    expect(diff).toBeLessThanOrEqual(1e-6);
  });

  test('after an LRFinder in a fit', async () => {
    const { diff, leaked } = await twins(make, async (m, { xs, ys }) => {
      const finder = new LRFinder({ minLR: 1e-4, maxLR: 0.5 });
      await m.fit(xs, ys, { ...FIT, epochs: 2, callbacks: [finder] });
      expect(finder.result.restored).toBe(true);
    });
    expect(leaked).toBe(0);
    expect(diff).toBeLessThanOrEqual(1e-6);
  });

  test('after a re-test in the middle of a CyclicLR run', async () => {
    // The same schedule object per model, carried across fits: a range test between two of them.
    const schedules = new Map<tf.LayersModel, CyclicLR>();
    const clrFor = (m: tf.LayersModel): CyclicLR => {
      if (!schedules.has(m)) schedules.set(m, new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 4 }));
      return schedules.get(m) as CyclicLR;
    };
    const train = async (m: tf.LayersModel, xs: tf.Tensor2D, ys: tf.Tensor2D): Promise<void> => {
      await m.fit(xs, ys, { ...FIT, epochs: 1, callbacks: [clrFor(m)] });
      if ((m.getUserDefinedMetadata() as { retest?: boolean } | undefined)?.retest === true) await rangeTest(m, { x: xs, y: ys }, { batchSize: 30, budget: 50 });
      await m.fit(xs, ys, { ...FIT, epochs: 1, callbacks: [clrFor(m)] });
    };
    const { diff } = await twins(
      make,
      async (m) => {
        m.setUserDefinedMetadata({ retest: true });
      },
      train,
    );
    expect(diff).toBeLessThanOrEqual(1e-6);
  });

  test('after saveTraining and loadTraining', async () => {
    const clrA = new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 4 });
    const clrB = new CyclicLR({ baseLR: 0.01, maxLR: 0.05, stepSize: 4 });
    const trainWith = (clr: CyclicLR) => (m: tf.LayersModel, xs: tf.Tensor2D, ys: tf.Tensor2D) => m.fit(xs, ys, { ...FIT, epochs: 2, callbacks: [clr] });
    const io = memoryHandler();
    if (name === 'adamax') {
      // tfjs 4.22 cannot save Adamax's state (its getWeights throws): said plainly, not half-saved.
      const model = blobModel(make());
      await expect(saveTraining(model, io, { clr: clrA })).rejects.toThrow(/Adamax.*cannot be saved.*tfjs/);
      model.dispose();
      return;
    }
    let loaded: tf.LayersModel | null = null;
    const { diff } = await twins(
      make,
      async (m) => {
        await saveTraining(m, io, { clr: clrA });
        loaded = await loadTraining(io, { clr: clrA });
        return loaded;
      },
      (m, xs, ys) => trainWith(m === loaded ? clrA : clrB)(m, xs, ys),
    );
    expect(diff).toBeLessThanOrEqual(1e-6);
  });
});

describe('copies are copies, and restores leak nothing', () => {
  test.each(OPTIMIZERS)('%s: a state copy put back after training twice over leaves the tensor count where it was', async (_name, make) => {
    const { xs, ys } = blobs(60);
    const m = blobModel(make());
    await m.fit(xs, ys, { ...FIT, epochs: 1 });
    const before = tf.memory().numTensors;
    const snap = await snapshotTraining(m);
    await m.fit(xs, ys, { ...FIT, epochs: 2 });
    await snap.restore();
    expect(tf.memory().numTensors).toBe(before);
    await expect(snap.restore()).rejects.toThrow(/already restored or disposed/);
    const dropped = await copyOptimizerState(m.optimizer);
    dropped.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
    m.dispose();
  });

  test('an optimizer of your own whose state cannot be copied is refused before the test trains, naming it', async () => {
    class Custom extends tf.SGDOptimizer {
      static override get className(): string {
        return 'Custom';
      }
      override async getWeights(): Promise<never> {
        throw new Error('not implemented');
      }
    }
    const { xs, ys } = blobs(60);
    const m = blobModel(new Custom(0.05));
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    await expect(rangeTest(m, { x: xs, y: ys }, { batchSize: 30, budget: 50 })).rejects.toThrow(/cannot copy the state of optimizer "Custom".*restore: false/);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    tf.dispose([xs, ys]);
    m.dispose();
  });
});
