/**
 * The learning-rate-free optimizers (tfjs-clr/optimizers) against an independent float64 NumPy
 * reference written from the papers (test/reference/lr_free.py → test/fixtures/lr-free-reference.json),
 * step by step to 1e-6; their state round trips exactly (setWeights, model.save/load in this process,
 * saveTraining/loadTraining in a second one); no tensor leaks; options fail with their name; the model
 * is evaluated at the averaged point; schedules act on their learning rate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LRScheduler, saveTraining } from '../src/index';
import { DoG, Prodigy, ScheduleFreeAdamW, ScheduleFreeSGD, dog, prodigy, scheduleFreeAdamW, scheduleFreeSGD, type LRFreeOptimizer } from '../src/optimizers/index';
import { LR_FREE_CLASSES } from '../src/optimizerFacts';
import { useCpu } from './helpers';
import { folderHandler } from './fixtures/resume';
import { classifier, classifierData, FIT, MAKERS, newCycle } from './fixtures/lr-free';
import reference from './fixtures/lr-free-reference.json';

beforeAll(useCpu);

type Factory = (options?: never) => LRFreeOptimizer;
const FACTORIES: Record<string, Factory> = { prodigy, scheduleFreeSGD, scheduleFreeAdamW, dog } as Record<string, Factory>;

/** y = x·W + b with the reference's initial weights, MSE over all entries (the reference's loss). */
function referenceModel(optimizer: tf.Optimizer): tf.Sequential {
  const p = reference.problem;
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
  model.setWeights([tf.tensor2d(p.W0), tf.tensor1d(p.b0)]);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  return model;
}

const flat = (model: tf.LayersModel) => model.getWeights().flatMap((w) => Array.from(w.dataSync()));
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
/** The largest difference relative to max(1, |reference|): float32 (tfjs) against float64 (NumPy). */
const relDiff = (a: number[], ref: number[]) => Math.max(...a.map((v, i) => Math.abs(v - ref[i]) / Math.max(1, Math.abs(ref[i]))));

type Step = (typeof reference.cases)[number]['steps'][number] & { grad?: number[][]; d?: number };
const CASES = reference.cases.map((c, i) => [i, c.optimizer, JSON.stringify(c.options)] as const);

describe('each update against the NumPy reference (float64, written from the papers)', () => {
  // One step at a time, from the reference's own state before it (rounded to float32): to 1e-6.
  test.each(CASES)('case %i: %s %s, step by step, to 1e-6', async (i) => {
    const c = reference.cases[i];
    const xs = tf.tensor2d(reference.problem.X);
    const ys = tf.tensor2d(reference.problem.T);
    let moved = 0;
    for (const want of c.steps as Step[]) {
      const { step, scalars, slots, weights } = want.before;
      const opt = FACTORIES[c.optimizer](c.options as never);
      const model = referenceModel(opt);
      const shapes = model.getWeights().map((w) => w.shape);
      model.setWeights(weights.map((w, k) => tf.tensor(w, shapes[k])));
      const slotTensors = Object.values(slots).flatMap((perVar) => perVar.map((v, k) => ({ name: `w${k}`, tensor: tf.tensor(v, v.length === 1 && shapes[k].length > 0 ? [] : shapes[k]) })));
      await opt.setWeights([
        { name: 'iter', tensor: tf.scalar(step, 'int32') },
        ...Object.entries(scalars).map(([name, v]) => ({ name: `${opt.getClassName()}/${name}`, tensor: tf.scalar(v) })),
        ...slotTensors,
      ]);
      await model.trainOnBatch(xs, ys);
      const evalPoint = flat(model);
      expect(relDiff(evalPoint, want.eval.flat())).toBeLessThan(1e-6);
      if (want.grad !== undefined) {
        opt.train(); // the gradient point y (Schedule-Free) or the iterate (DoG with averaging)
        expect(relDiff(flat(model), want.grad.flat())).toBeLessThan(1e-6);
        opt.eval();
        expect(flat(model)).toEqual(evalPoint);
      }
      if (want.d !== undefined) dErrors.push(Math.abs((await (opt as ReturnType<typeof prodigy>).estimate()) / want.d - 1));
      moved = Math.max(moved, maxDiff(evalPoint, weights.flat()));
      model.dispose();
      opt.dispose();
    }
    // Each comparison is between a state and its update: a no-op optimizer would fail it.
    expect(moved).toBeGreaterThan(1e-5);
    tf.dispose([xs, ys]);
  });

  // All 20 steps from scratch (state made on the first step, the iteration count carried): float32
  // rounding compounds over the steps, most in Prodigy's d (see below; its default run ends 1.4e-4
  // off after moving 1.4), so 5e-4 here. Using d_{k+1} for d_k in a step misses by ~half a step.
  test.each(CASES)('case %i: %s %s, 20 steps from the start, to 5e-4', async (i) => {
    const c = reference.cases[i];
    const opt = FACTORIES[c.optimizer](c.options as never);
    const model = referenceModel(opt);
    const xs = tf.tensor2d(reference.problem.X);
    const ys = tf.tensor2d(reference.problem.T);
    for (const want of c.steps as Step[]) {
      await model.trainOnBatch(xs, ys);
      expect(relDiff(flat(model), want.eval.flat())).toBeLessThan(5e-4);
    }
    model.dispose();
    opt.dispose();
    tf.dispose([xs, ys]);
  });

  // Prodigy's d is a ratio whose numerator sums g·(x0 − x), tiny in the first steps: float32 loses
  // digits there, so d agrees to 1 % (the weights it moves agree to 1e-6 above).
  const dErrors: number[] = [];
  afterAll(() => expect(Math.max(...dErrors)).toBeLessThan(1e-2));
});

describe.each(Object.keys(MAKERS))('%s', (name) => {
  test('getWeights/setWeights round trip: a copy continues exactly as the original', async () => {
    const { xs, ys } = classifierData(32, 3);
    const a = classifier(MAKERS[name]());
    await a.fit(xs, ys, { ...FIT, epochs: 2 });
    const b = classifier(MAKERS[name]());
    b.setWeights(a.getWeights());
    await b.optimizer.setWeights(await a.optimizer.getWeights());
    await a.fit(xs, ys, { ...FIT, epochs: 2 });
    await b.fit(xs, ys, { ...FIT, epochs: 2 });
    expect(flat(b)).toEqual(flat(a));
    expect(maxDiff(flat(a), flat(classifier(MAKERS[name]())))).toBeGreaterThan(1e-3);
    tf.dispose([xs, ys]);
  });

  test('model.save/load with the optimizer (same process, renamed variables) continues exactly', async () => {
    const { xs, ys } = classifierData(32, 3);
    const a = classifier(MAKERS[name]());
    await a.fit(xs, ys, { ...FIT, epochs: 2 });
    let saved: tf.io.ModelArtifacts | undefined;
    await a.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }), { includeOptimizer: true });
    const b = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    expect(b.optimizer.getClassName()).toBe(a.optimizer.getClassName());
    expect(b.optimizer.getConfig()).toEqual(a.optimizer.getConfig());
    expect(flat(b)).toEqual(flat(a));
    await a.fit(xs, ys, { ...FIT, epochs: 2 });
    await b.fit(xs, ys, { ...FIT, epochs: 2 });
    expect(flat(b)).toEqual(flat(a));
    tf.dispose([xs, ys]);
  });

  test('no tensor leaks: a step allocates nothing that stays', async () => {
    const { xs, ys } = classifierData(16, 4);
    const model = classifier(MAKERS[name]());
    await model.trainOnBatch(xs, ys); // the state is made on the first step
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await model.trainOnBatch(xs, ys);
    model.optimizer.getClassName();
    expect(tf.memory().numTensors).toBe(before);
    const opt = model.optimizer;
    const withModel = tf.memory().numTensors;
    opt.dispose();
    expect(tf.memory().numTensors).toBeLessThan(withModel);
    tf.dispose([xs, ys]);
  });

  test('a schedule acts on its learning rate; logs.learning_rate reports it', async () => {
    const { xs, ys } = classifierData(32, 3);
    const opt = MAKERS[name]();
    const model = classifier(opt);
    const base = opt.learningRate;
    const lrs: number[] = [];
    const seen: number[] = [];
    const sched = new LRScheduler({ lr: (i: number) => base * (i % 2 === 0 ? 1 : 0) });
    await model.fit(xs, ys, {
      ...FIT,
      epochs: 1,
      callbacks: [sched, new tf.CustomCallback({ onBatchEnd: async (_b: number, logs?: tf.Logs) => { lrs.push(Number(logs?.learning_rate)); seen.push(opt.learningRate); } })],
    });
    expect(lrs).toEqual([base, 0, base, 0]);
    expect(seen).toEqual(lrs);
    // An LR of 0 is a step that leaves the base iterate where it was (Prodigy's weights, Schedule-Free's
    // z, DoG's iterate; the averages may still move toward it).
    const ITERATE: Record<string, string> = { scheduleFreeSGD: '/z', scheduleFreeAdamW: '/z', dog: '/x' };
    const iterate = async () =>
      name in ITERATE
        ? (await opt.getWeights()).filter((w) => w.name.endsWith(ITERATE[name])).flatMap((w) => Array.from(w.tensor.dataSync()))
        : flat(model);
    const before = await iterate();
    opt.learningRate = 0;
    await model.trainOnBatch(xs, ys);
    expect(await iterate()).toEqual(before);
    opt.learningRate = base;
    await model.trainOnBatch(xs, ys);
    expect(maxDiff(await iterate(), before)).toBeGreaterThan(1e-6);
    tf.dispose([xs, ys]);
  });
});

test('Schedule-Free: fit validates and evaluate scores at x; the gradient point y scores differently; train()/eval() switch exactly', async () => {
  const train = classifierData(64, 5, 0.1);
  const test = classifierData(200, 6);
  const opt = scheduleFreeSGD({ learningRate: 2, momentum: 0.7 });
  const model = classifier(opt);
  const h = await model.fit(train.xs, train.ys, { ...FIT, epochs: 3, validationData: [test.xs, test.ys] });
  const atX = (model.evaluate(test.xs, test.ys) as tf.Scalar[]).map((t) => t.dataSync()[0]);
  expect(h.history.val_loss.at(-1)).toBeCloseTo(atX[0], 5);
  expect(h.history.val_acc.at(-1)).toBeCloseTo(atX[1], 5);
  const weightsAtX = flat(model);
  opt.train();
  const atY = (model.evaluate(test.xs, test.ys) as tf.Scalar[]).map((t) => t.dataSync()[0]);
  expect(Math.abs(atY[1] - atX[1])).toBeGreaterThan(0.01); // test accuracy differs between the two points
  opt.eval();
  expect(flat(model)).toEqual(weightsAtX);
  // Training after train() (no eval()) is the same as without: each step starts from y.
  const twin = classifier(scheduleFreeSGD({ learningRate: 2, momentum: 0.7 }));
  await twin.fit(train.xs, train.ys, { ...FIT, epochs: 3 });
  opt.train();
  await model.fit(train.xs, train.ys, { ...FIT, epochs: 1 });
  await twin.fit(train.xs, train.ys, { ...FIT, epochs: 1 });
  expect(flat(model)).toEqual(flat(twin));
  tf.dispose([train.xs, train.ys, test.xs, test.ys]);
});

test('gradients taken at the evaluation point are refused (after loading, without a varList)', async () => {
  const { xs, ys } = classifierData(16, 4);
  const a = classifier(scheduleFreeAdamW());
  await a.trainOnBatch(xs, ys);
  const b = classifier(scheduleFreeAdamW());
  await b.optimizer.setWeights(await a.optimizer.getWeights());
  const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(ys, b.predict(xs) as tf.Tensor) as tf.Scalar);
  expect(() => b.optimizer.applyGradients(grads)).toThrow(/taken at the evaluation point.*computeGradients\(f, varList\)/);
  tf.dispose([xs, ys, value, ...Object.values(grads)]);
});

test('options: each bad value names its option and the value', () => {
  expect(() => prodigy({ beta1: 1 })).toThrow('prodigy: beta1 must be a number in [0, 1), got 1');
  expect(() => prodigy({ d0: 0 })).toThrow('prodigy: d0 must be a finite number > 0, got 0');
  expect(() => prodigy({ growthRate: 0.5 })).toThrow('prodigy: growthRate must be a number >= 1 (Infinity for no limit), got 0.5');
  expect(() => prodigy({ decouple: 'yes' as unknown as boolean })).toThrow('prodigy: decouple must be true or false, got "yes"');
  expect(() => scheduleFreeSGD({ learningRate: -1 })).toThrow('scheduleFreeSGD: learningRate must be a finite number > 0, got -1');
  expect(() => scheduleFreeSGD({ momentum: 1 })).toThrow('scheduleFreeSGD: momentum must be a number in (0, 1), got 1');
  expect(() => scheduleFreeAdamW({ warmupSteps: 2.5 })).toThrow('scheduleFreeAdamW: warmupSteps must be an integer >= 0, got 2.5');
  expect(() => scheduleFreeAdamW({ lr: 0.1 } as never)).toThrow('scheduleFreeAdamW: unknown option "lr" (known: learningRate, beta1, beta2, epsilon, weightDecay, warmupSteps, r, weightLRPower)');
  expect(() => dog({ averaging: -1 })).toThrow('dog: averaging must be a number >= 0 (γ) or false, got -1');
  expect(() => dog({ repsRel: 0 })).toThrow('dog: repsRel must be a finite number > 0, got 0');
  expect(() => dog('fast' as never)).toThrow('dog: options must be an object, got "fast"');
});

test('saveTraining/loadTraining: each optimizer, its LR cycled by CyclicLR, resumes exactly in a second process', async () => {
  const { xs, ys } = classifierData(32, 3);
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-clr-lr-free-'));
  const expected: Record<string, { lr: number[]; weights: number[][] }> = {};
  try {
    for (const name of Object.keys(MAKERS)) {
      const whole = classifier(MAKERS[name]());
      const ref = newCycle(name);
      await whole.fit(xs, ys, { ...FIT, epochs: 4, callbacks: [ref] });
      expected[name] = { lr: ref.history.lr.slice(8), weights: whole.getWeights().map((w) => Array.from(w.dataSync())) };
      const first = classifier(MAKERS[name]());
      const clr = newCycle(name);
      await first.fit(xs, ys, { ...FIT, epochs: 2, callbacks: [clr] });
      await saveTraining(first, folderHandler(path.join(dir, name)), { clr });
    }
    const out = path.join(dir, 'after.json');
    execFileSync(path.join(__dirname, '..', 'node_modules', '.bin', 'tsx'), [path.join(__dirname, 'fixtures', 'lr-free-resume-child.ts'), dir, out], { stdio: 'pipe' });
    const after = JSON.parse(readFileSync(out, 'utf8')) as Record<string, { className: string; lr: number[]; weights: number[][] }>;
    for (const name of Object.keys(MAKERS)) {
      expect(after[name].className).toBe(MAKERS[name]().getClassName());
      expect(after[name].lr).toEqual(expected[name].lr);
      expect(new Set(after[name].lr).size).toBeGreaterThan(1); // the LR was cycled
      expected[name].weights.forEach((w, k) => w.forEach((v, j) => expect(Math.abs(after[name].weights[k][j] - v)).toBeLessThan(1e-6)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  tf.dispose([xs, ys]);
}, 60000);

test("the core's list of LR-free class names (what loadTraining's hint recognises) is these classes' names", () => {
  expect([...LR_FREE_CLASSES].sort()).toEqual([Prodigy, ScheduleFreeSGD, ScheduleFreeAdamW, DoG].map((c) => c.className).sort());
});
