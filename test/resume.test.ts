/**
 * Resuming a run across processes (saveTraining / loadTraining): 6 epochs in one go against 3 epochs,
 * a save to disk, a new process that loads and trains 3 more. Same LRs and momenta batch by batch, and
 * the same weights within 1e-6 (Adam's moments and step count come back with the optimizer's state).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadTraining, saveTraining, CyclicLR } from '../src/index';
import { memoryHandler, useCpu } from './helpers';
import { FIT, folderHandler, newSchedule, resumeData, resumeModel } from './fixtures/resume';

beforeAll(useCpu);

test('6 epochs = 3 epochs + saveTraining to disk + a new process that loads and trains 3 more', async () => {
  const { xs, ys } = resumeData();
  const whole = resumeModel();
  const ref = newSchedule();
  await whole.fit(xs, ys, { ...FIT, epochs: 6, callbacks: [ref] });

  const first = resumeModel();
  const clr = newSchedule();
  await first.fit(xs, ys, { ...FIT, epochs: 3, callbacks: [clr] });
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-clr-resume-'));
  try {
    await saveTraining(first, folderHandler(dir), { clr });
    const out = path.join(dir, 'after.json');
    execFileSync(path.join(__dirname, '..', 'node_modules', '.bin', 'tsx'), [path.join(__dirname, 'fixtures', 'resume-child.ts'), dir, out], { stdio: 'pipe' });
    const after = JSON.parse(readFileSync(out, 'utf8')) as { lr: number[]; momentum: number[]; iteration: number[]; weights: number[][] };
    expect(after.iteration).toEqual(ref.history.iteration.slice(12));
    expect([...clr.history.lr, ...after.lr]).toEqual(ref.history.lr);
    expect([...(clr.history.momentum ?? []), ...after.momentum]).toEqual(ref.history.momentum);
    expect(ref.history.momentum).toHaveLength(24);
    const expected = whole.getWeights().map((w) => Array.from(w.dataSync()));
    expected.forEach((w, k) => w.forEach((v, j) => expect(Math.abs(after.weights[k][j] - v)).toBeLessThan(1e-6)));
    // Training moved the weights: the comparison is not between two untouched models.
    expect(Math.abs(expected[0][0] - resumeModel().getWeights()[0].dataSync()[0])).toBeGreaterThan(1e-3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  tf.dispose([xs, ys]);
}, 60000);

test('loadTraining: clear errors for callbacks that do not match the save, and for a plain model', async () => {
  const model = resumeModel();
  const { xs, ys } = resumeData();
  const clr = newSchedule();
  await model.fit(xs, ys, { ...FIT, epochs: 1, callbacks: [clr] });
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-clr-resume-'));
  try {
    await saveTraining(model, folderHandler(dir), { clr });
    expect(model.getUserDefinedMetadata()).toBeUndefined(); // the user's metadata is left as it was
    await expect(loadTraining(folderHandler(dir), { schedule: newSchedule() })).rejects.toThrow(/the save has states for clr, the callbacks given are schedule/);
    const other = new CyclicLR({ baseLR: 0.1, maxLR: 0.2, stepSize: 3 });
    const restored = await loadTraining(folderHandler(dir), { clr: other });
    expect(other.iteration).toBe(4);
    expect(restored.getUserDefinedMetadata()).toEqual({});
    await model.save(folderHandler(dir));
    await expect(loadTraining(folderHandler(dir), { clr })).rejects.toThrow(/not saved by saveTraining/);
    await expect(saveTraining(model, folderHandler(dir), [clr] as never)).rejects.toThrow(/an object naming each callback/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  tf.dispose([xs, ys]);
});

test("loading a run saved with an LR-free optimizer without import 'tfjs-clr/optimizers' names the import", async () => {
  const io = memoryHandler();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: tf.train.adam(0.1), loss: 'meanSquaredError' });
  const clr = newSchedule();
  await saveTraining(model, io, { clr });
  // This file never imports tfjs-clr/optimizers: the class is unknown to tfjs here, as in a fresh process.
  const saved = (await io.load?.()) as unknown as { trainingConfig: { optimizer_config: { class_name: string } } };
  saved.trainingConfig.optimizer_config.class_name = 'ScheduleFreeAdamW'; // the same object the next load returns
  await expect(loadTraining(io, { clr })).rejects.toThrow(/tfjs-clr's ScheduleFreeAdamW.*import 'tfjs-clr\/optimizers' before loading/);
  model.dispose();
});
