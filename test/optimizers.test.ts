/**
 * Optimizer adapters tested by their effect on real weights: after setting the LR (or momentum), a
 * known gradient must move the weights by what the optimizer's update rule implies, worked out by hand.
 */
import * as tf from '@tensorflow/tfjs';
import {
  getLearningRate,
  getMomentum,
  hasMomentum,
  setLearningRate,
  setMomentum,
  checkLearningRateSupport,
  OPTIMIZER_FACTS,
} from '../src/index.js';
import { ADAPTIVE_OPTIMIZERS } from '../src/analysis/thumbRule.js';
import { OpaqueOptimizer, useCpu } from './helpers.js';

beforeAll(useCpu);

const W0 = [1, 2, 3];
const G = [1, -2, 0.5];
const G2 = [0.5, 1, -1];

let counter = 0;
/** A fresh variable holding W0 and a function applying a gradient to it with `opt`. */
function setup(opt: tf.Optimizer) {
  const w = tf.variable(tf.tensor1d(W0), true, `w${counter++}`);
  const step = (g: number[]): number[] => {
    const grad = tf.tensor1d(g);
    opt.applyGradients({ [w.name]: grad });
    grad.dispose();
    return Array.from(w.dataSync());
  };
  return { w, step };
}
function expectVec(actual: number[], expected: number[], tol = 1e-5): void {
  actual.forEach((v, k) => {
    if (!(Math.abs(v - expected[k]) <= tol)) throw new Error(`element ${k}: got ${v}, expected ${expected[k]}`);
  });
}
const sign = (x: number): number => Math.sign(x);

describe('learning rate, by effect', () => {
  test('SGD: Δw = −lr·g with the LR we set (assigning the field alone does nothing in tfjs)', () => {
    const opt = tf.train.sgd(0.1);
    const { step } = setup(opt);
    setLearningRate(opt, 0.5);
    expect(getLearningRate(opt)).toBe(0.5);
    const w1 = step(G);
    expectVec(w1, W0.map((w, k) => w - 0.5 * G[k]));
    // The tfjs fact we work around: the field is not what SGD reads.
    (opt as unknown as { learningRate: number }).learningRate = 0.25;
    const w2 = step(G);
    expectVec(w2, w1.map((w, k) => w - 0.5 * G[k]));
    setLearningRate(opt, 0.25); // the field already says 0.25; the kept scalar must still change
    const w3 = step(G);
    expectVec(w3, w2.map((w, k) => w - 0.25 * G[k]));
  });

  test('Momentum: the first step is −lr·g; Nesterov adds lr·m·g', () => {
    const opt = tf.train.momentum(0.1, 0.9);
    setLearningRate(opt, 0.5);
    expectVec(setup(opt).step(G), W0.map((w, k) => w - 0.5 * G[k]));
    const nesterov = tf.train.momentum(0.1, 0.9, true);
    setLearningRate(nesterov, 0.5);
    // acc = g; w −= lr·(g + m·acc) = lr·1.9·g
    expectVec(setup(nesterov).step(G), W0.map((w, k) => w - 0.5 * 1.9 * G[k]));
  });

  test('RMSProp: first step −lr·g/√(0.1·g² + ε)', () => {
    const opt = tf.train.rmsprop(0.01, 0.9, 0, 1e-8);
    setLearningRate(opt, 0.5);
    expect(getLearningRate(opt)).toBe(0.5);
    expectVec(setup(opt).step(G), W0.map((w, k) => w - (0.5 * G[k]) / Math.sqrt(0.1 * G[k] ** 2 + 1e-8)));
  });

  test('Adam: first step −lr·g/(|g| + ε) (bias-corrected moments are g and g²)', () => {
    const opt = tf.train.adam(0.001, 0.9, 0.999, 1e-8);
    setLearningRate(opt, 0.5);
    expectVec(setup(opt).step(G), W0.map((w, k) => w - 0.5 * sign(G[k])));
  });

  test('Adamax: first step −lr·(0.1·g/0.1)/|g|', () => {
    const opt = tf.train.adamax(0.002, 0.9, 0.999, 1e-8, 0);
    setLearningRate(opt, 0.5);
    expectVec(setup(opt).step(G), W0.map((w, k) => w - 0.5 * sign(G[k])));
  });

  test('Adagrad: first step −lr·g/√(0.1 + g²)', () => {
    const opt = tf.train.adagrad(0.01, 0.1);
    setLearningRate(opt, 0.5);
    expectVec(setup(opt).step(G), W0.map((w, k) => w - (0.5 * G[k]) / Math.sqrt(0.1 + G[k] ** 2)));
  });

  test('Adadelta: first step −lr·g (tfjs scales g by √(0+ε)/√(0+ε) on the first step)', () => {
    const opt = tf.train.adadelta(0.01, 0.95, 1e-6);
    setLearningRate(opt, 0.5);
    expectVec(setup(opt).step(G), W0.map((w, k) => w - 0.5 * G[k]));
  });

  test('the LR can change between steps (SGD and a field-reading optimizer)', () => {
    const sgd = tf.train.sgd(0.1);
    const s = setup(sgd);
    const lrs = [0.1, 0.3, 0.05, 0.3];
    let expected = W0;
    for (const lr of lrs) {
      setLearningRate(sgd, lr);
      expected = expected.map((w, k) => w - lr * G[k]);
      expectVec(s.step(G), expected);
    }
    const ada = tf.train.adadelta(1, 0.95, 1e-6);
    const a = setup(ada);
    setLearningRate(ada, 0.2);
    const w1 = a.step(G);
    expectVec(w1, W0.map((w, k) => w - 0.2 * G[k]));
    setLearningRate(ada, 0); // LR 0 freezes the weights
    expectVec(a.step(G), w1, 0);
  });

  test('string optimizers from compile expose the live instance, and setting its LR works', async () => {
    const names: Record<string, string> = {
      sgd: 'SGD',
      adam: 'Adam',
      adamax: 'Adamax',
      rmsprop: 'RMSProp',
      adagrad: 'Adagrad',
      adadelta: 'Adadelta',
    };
    for (const [id, className] of Object.entries(names)) {
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros', useBias: false })] });
      model.compile({ optimizer: id, loss: 'meanAbsoluteError' });
      expect(model.optimizer.getClassName()).toBe(className);
      setLearningRate(model.optimizer, 0.125);
      expect(getLearningRate(model.optimizer)).toBe(0.125);
      model.dispose();
    }
    // By effect on SGD from a string: one batch of the MAE probe moves w by +lr.
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros', useBias: false })] });
    model.compile({ optimizer: 'sgd', loss: 'meanAbsoluteError' });
    setLearningRate(model.optimizer, 0.125);
    const xs = tf.ones([4, 1]);
    const ys = tf.fill([4, 1], 1000);
    await model.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(model.getWeights()[0].dataSync()[0]).toBeCloseTo(0.125, 6);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  test('setting the same LR again creates no tensor; a new one replaces the kept scalar', () => {
    const opt = tf.train.sgd(0.1);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 100; k++) setLearningRate(opt, k % 2 === 0 ? 0.1 : 0.2);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('momentum, by effect', () => {
  test('Momentum: setMomentum changes the update (tfjs’s own setMomentum does not)', () => {
    const opt = tf.train.momentum(0.5, 0.9);
    const { step } = setup(opt);
    const w1 = step(G); // acc = g
    setMomentum(opt, 0.5);
    expect(getMomentum(opt)).toBe(0.5);
    // acc2 = 0.5·g + g2; w2 = w1 − 0.5·acc2 (with 0.9 it would be 0.9·g + g2)
    expectVec(step(G2), w1.map((w, k) => w - 0.5 * (0.5 * G[k] + G2[k])));

    const native = tf.train.momentum(0.5, 0.9);
    const n = setup(native);
    const v1 = n.step(G);
    native.setMomentum(0.5); // the tfjs fact: this leaves the kept scalar at 0.9
    const v2 = n.step(G2);
    expectVec(v2, v1.map((w, k) => w - 0.5 * (0.9 * G[k] + G2[k])));
    // Our setMomentum must not trust the field tfjs's setMomentum left at 0.5.
    setMomentum(native, 0.5);
    const acc2 = G.map((g, k) => 0.9 * g + G2[k]);
    expectVec(n.step(G), v2.map((w, k) => w - 0.5 * (0.5 * acc2[k] + G[k])));
  });

  test('Momentum: cycling momentum replaces one kept scalar, leaking nothing', () => {
    const opt = tf.train.momentum(0.1, 0.9);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 100; k++) setMomentum(opt, 0.8 + (k % 10) / 100);
    for (let k = 0; k < 10; k++) setMomentum(opt, 0.85); // unchanged: skipped
    expect(tf.memory().numTensors).toBe(before);
    expect(getMomentum(opt)).toBe(0.85);
  });

  test('RMSProp: momentum carries the previous step', () => {
    const opt = tf.train.rmsprop(0.5, 0.9, 0, 1e-8);
    const { step } = setup(opt);
    const ms1 = G.map((g) => 0.1 * g * g);
    const mom1 = G.map((g, k) => (0.5 * g) / Math.sqrt(ms1[k] + 1e-8));
    const w1 = step(G);
    expectVec(w1, W0.map((w, k) => w - mom1[k]));
    setMomentum(opt, 0.5);
    const ms2 = ms1.map((m, k) => 0.9 * m + 0.1 * G2[k] ** 2);
    const mom2 = G2.map((g, k) => 0.5 * mom1[k] + (0.5 * g) / Math.sqrt(ms2[k] + 1e-8));
    expectVec(step(G2), w1.map((w, k) => w - mom2[k]));
  });

  test.each([
    ['Adam', () => tf.train.adam(0.5, 0.9, 0.999, 1e-8)],
    ['Adamax', () => tf.train.adamax(0.5, 0.9, 0.999, 1e-8, 0)],
  ])('%s: momentum is beta1', (_name, make) => {
    const opt = make();
    const { step } = setup(opt);
    expect(getMomentum(opt)).toBe(0.9);
    const w1 = step(G);
    setMomentum(opt, 0.5);
    expect(getMomentum(opt)).toBe(0.5);
    // m2 = 0.5·(0.1·g) + 0.5·g = 0.55·g, bias-corrected by 1 − 0.9² = 0.19 (tfjs's accBeta1 after one
    // step); the second moment's correction leaves |g|. So Δ = −0.5·(0.55/0.19)·sign(g).
    // Had beta1 stayed 0.9: m2 = 0.19·g → Δ = −0.5·sign(g).
    expectVec(step(G), w1.map((w, k) => w - 0.5 * (0.55 / 0.19) * sign(G[k])), 1e-4);
  });

  test('optimizers without momentum say so', () => {
    for (const opt of [tf.train.sgd(0.1), tf.train.adagrad(0.1), tf.train.adadelta(0.1)]) {
      expect(hasMomentum(opt)).toBe(false);
      expect(() => getMomentum(opt)).toThrow(/has no momentum to cycle/);
      expect(() => setMomentum(opt, 0.9)).toThrow(new RegExp(`optimizer "${opt.getClassName()}" has no momentum`));
    }
    for (const opt of [tf.train.momentum(0.1, 0.9), tf.train.rmsprop(0.1), tf.train.adam(), tf.train.adamax()]) {
      expect(hasMomentum(opt)).toBe(true);
    }
  });
});

describe('bad input and unknown optimizers', () => {
  test('invalid values name the option', () => {
    const opt = tf.train.sgd(0.1);
    expect(() => setLearningRate(opt, NaN)).toThrow(/setLearningRate: lr must be a finite number >= 0, got NaN/);
    expect(() => setLearningRate(opt, -1)).toThrow(/got -1/);
    expect(() => setMomentum(tf.train.adam(), 1)).toThrow(/setMomentum: momentum must be a number in \[0, 1\), got 1/);
  });

  test('an unknown optimizer class with a numeric learningRate is used through its field or setter', () => {
    class Custom extends tf.Optimizer {
      learningRate = 0.1;
      static get className() {
        return 'Custom';
      }
      applyGradients(): void {}
      getConfig() {
        return {};
      }
    }
    const opt = new Custom();
    setLearningRate(opt, 0.3);
    expect(getLearningRate(opt)).toBe(0.3);
    expect(hasMomentum(opt)).toBe(false);
  });

  test('an optimizer whose LR cannot be set and read back is a clear error', () => {
    const opt = new OpaqueOptimizer();
    expect(() => checkLearningRateSupport(opt)).toThrow(
      /optimizer "Opaque" has no numeric learningRate field, so its learning rate cannot be set and read back/,
    );
    expect(() => setLearningRate(opt, 0.1)).toThrow(/"Opaque"/);
    expect(() => getLearningRate({} as tf.Optimizer)).toThrow(/expected a tfjs optimizer/);
  });
});

describe('the table of optimizer facts (OPTIMIZER_FACTS)', () => {
  test.each(OPTIMIZER_FACTS.map((f) => [f.className, f] as const))('%s: its factory, class name and momentum are as the row says', (_name, f) => {
    const make = tf.train[f.factory] as (lr: number, momentum?: number) => tf.Optimizer;
    const opt = f.factory === 'momentum' ? make(0.1, 0.9) : make(0.1);
    expect(opt.getClassName()).toBe(f.className);
    expect(hasMomentum(opt)).toBe(f.momentum !== undefined);
    if (f.momentum !== undefined) expect(getMomentum(opt) > 0).toBe(f.momentumByDefault === true);
    expect(ADAPTIVE_OPTIMIZERS.includes(f.className)).toBe(f.adaptive);
    opt.dispose();
  });

  test('messages name the optimizers from the table', () => {
    expect(() => setMomentum(tf.train.sgd(0.1), 0.9)).toThrow(/momentum is supported on Momentum and RMSProp \(momentum\) and on Adam and Adamax \(beta1\)/);
  });
});
