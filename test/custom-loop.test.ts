/**
 * The README's recipe for custom training loops (optimizer.minimize / tf.variableGrads): the schedule
 * functions used directly, setLearningRate before each step. A loss of −w has gradient −1, so plain
 * SGD moves w by exactly the LR of the step: the moves must be the schedule's values.
 */
import * as tf from '@tensorflow/tfjs';
import { cyclicLearningRate, setLearningRate, warmupStableDecaySchedule } from '../src/index.js';
import { useCpu } from './helpers.js';

beforeAll(useCpu);

test('optimizer.minimize with setLearningRate(opt, lr(i)) before each step', () => {
  const lr = cyclicLearningRate({ baseLR: 0.1, maxLR: 0.5, stepSize: 4, mode: 'triangular2' });
  const w = tf.variable(tf.scalar(0));
  const opt = tf.train.sgd(lr(0));
  const moves: number[] = [];
  for (let i = 0; i < 12; i++) {
    const before = w.dataSync()[0];
    setLearningRate(opt, lr(i)); // before the step that uses it
    opt.minimize(() => w.neg() as tf.Scalar)?.dispose();
    moves.push(w.dataSync()[0] - before);
  }
  // triangular2, step 4: 0.1 → 0.5 → 0.1 over 8 steps, then the second cycle at half the amplitude.
  const expected = [0.1, 0.2, 0.3, 0.4, 0.5, 0.4, 0.3, 0.2, 0.1, 0.15, 0.2, 0.25];
  moves.forEach((m, k) => expect(m).toBeCloseTo(expected[k], 6));
  tf.dispose([w]);
  opt.dispose();
});

test('tf.variableGrads + applyGradients, with a WSD schedule', () => {
  const lr = warmupStableDecaySchedule({ peak: 0.4, warmupSteps: 2, decaySteps: 2, steps: 6, decay: 'linear' });
  const w = tf.variable(tf.scalar(0));
  const opt = tf.train.sgd(lr(0));
  const moves: number[] = [];
  for (let i = 0; i < 7; i++) {
    const before = w.dataSync()[0];
    const { value, grads } = tf.variableGrads(() => w.neg() as tf.Scalar, [w]);
    setLearningRate(opt, lr(i));
    opt.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
    moves.push(w.dataSync()[0] - before);
  }
  [0, 0.2, 0.4, 0.4, 0.4, 0.2, 0].forEach((v, k) => expect(moves[k]).toBeCloseTo(v, 6));
  tf.dispose([w]);
  opt.dispose();
});
