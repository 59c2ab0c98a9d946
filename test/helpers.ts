/** Shared test fixtures: the cpu backend, and models whose weight changes reveal the LR used. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../examples/lib/kit.js';

/** Runs the suite on the stock cpu backend (deterministic, no native code). */
export async function useCpu(): Promise<void> {
  tf.env().set('IS_TEST', true); // no "install tfjs-node" banner in test output
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * A one-weight model y = w·x (w starts at 0) trained with mean absolute error on x = 1, y = 1000.
 * While w < 1000 the gradient of the loss w.r.t. w is exactly −1, so plain SGD moves w by +lr each
 * batch: the weight's change after a batch *is* the learning rate that batch used.
 */
export function lrProbeModel(optimizer: tf.Optimizer | string = tf.train.sgd(0.01)): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'zeros' }));
  model.compile({ optimizer, loss: 'meanAbsoluteError' });
  return model;
}

/** Inputs for {@link lrProbeModel}: `n` samples of x = 1, y = 1000. */
export function lrProbeData(n: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  return { xs: tf.ones([n, 1]), ys: tf.fill([n, 1], 1000) };
}

/** The model's single weight. */
export function weightOf(model: tf.LayersModel): number {
  return model.getWeights()[0].dataSync()[0];
}

/** A callback that records the single weight after every batch (add it after the one under test). */
export class WeightRecorder extends tf.Callback {
  readonly weights: number[] = [];
  readonly logs: Array<Record<string, unknown>> = [];
  override async onTrainBegin(): Promise<void> {
    if (this.weights.length === 0) this.weights.push(weightOf(this.model));
  }
  override async onBatchEnd(_batch: number, logs?: Record<string, unknown>): Promise<void> {
    this.weights.push(weightOf(this.model));
    this.logs.push({ ...logs });
  }
  /** The per-batch weight changes: for {@link lrProbeModel} with SGD, the LR each batch used. */
  deltas(): number[] {
    return this.weights.slice(1).map((w, k) => w - this.weights[k]);
  }
}

/** A seeded uniform generator in [0, 1) (Park–Miller; the examples' kit). */
export const seeded = seededRandom;

/**
 * A small classification task a tiny MLP learns in a few epochs: 3 Gaussian blobs in 2-D
 * (centres 120° apart on the unit circle, σ 0.35), one-hot labels.
 */
export function blobs(n: number, seed = 1): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const rand = seeded(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const x: number[][] = [];
  const labels: number[] = [];
  for (let k = 0; k < n; k++) {
    const c = k % 3;
    const a = (2 * Math.PI * c) / 3;
    x.push([Math.cos(a) + 0.35 * gauss(), Math.sin(a) + 0.35 * gauss()]);
    labels.push(c);
  }
  return tf.tidy(() => ({ xs: tf.tensor2d(x), ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 3) as tf.Tensor2D }));
}

/** A seeded MLP for {@link blobs}. */
export function blobModel(optimizer: tf.Optimizer | string, seed = 5): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, activation: 'relu', inputShape: [2], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Runs `body` on {@link blobs}(n) and a {@link blobModel}, and frees both afterwards, also when it throws. */
export async function onBlobs(n: number, optimizer: tf.Optimizer, body: (t: { xs: tf.Tensor2D; ys: tf.Tensor2D; model: tf.Sequential }) => Promise<void>): Promise<void> {
  const { xs, ys } = blobs(n);
  const model = blobModel(optimizer);
  try {
    await body({ xs, ys, model });
  } finally {
    tf.dispose([xs, ys]);
    model.dispose();
  }
}

/** Every weight's values, for exact comparison. */
export function weightValues(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

/** An optimizer class tfjs-clr does not know, with no learningRate field: its LR cannot be set. */
export class OpaqueOptimizer extends tf.Optimizer {
  static get className() {
    return 'Opaque';
  }
  applyGradients(): void {}
  getConfig() {
    return {};
  }
}

/**
 * A tiny CIFAR-10 folder in the official binary layout: `train` and `test` records of seeded random
 * pixels (`learnable`: brightness set by the label), labels 0…9 in turn, and batches.meta.txt. Returns the folder.
 */
export function writeTinyCifar(dir: string, train = 200, test = 100, learnable = false): string {
  const batch = (n: number, seed: number): Buffer => {
    const rand = seededRandom(seed);
    const b = Buffer.alloc(n * 3073);
    for (let k = 0; k < b.length; k++) b[k] = Math.floor(rand() * 256);
    for (let k = 0; k < n; k++) {
      b[k * 3073] = k % 10;
      // learnable: the image's brightness says its label (24 × label plus noise in 0–31), so a model can fit it.
      if (learnable) for (let j = 1; j < 3073; j++) b[k * 3073 + j] = 24 * (k % 10) + (b[k * 3073 + j] % 32);
    }
    return b;
  };
  const data = path.join(dir, 'cifar-10-batches-bin');
  mkdirSync(data, { recursive: true });
  writeFileSync(path.join(data, 'data_batch_1.bin'), batch(train, 1));
  writeFileSync(path.join(data, 'test_batch.bin'), batch(test, 2));
  writeFileSync(path.join(data, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
  return data;
}

/** Element-wise equality to `digits` decimals, naming the first index that differs. */
export function expectClose(actual: readonly number[], expected: readonly number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, k) => {
    if (Math.abs(v - expected[k]) > 10 ** -digits) throw new Error(`index ${k}: got ${v}, expected ${expected[k]}`);
  });
}

/** Fits the LR probe model on `samples` probe samples (default 8), batch 2 → 4 batches per epoch. */
export async function fitProbe(
  model: tf.LayersModel,
  callbacks: tf.Callback[],
  epochs: number,
  samples = 8,
): Promise<tf.History> {
  const { xs, ys } = lrProbeData(samples);
  try {
    return await model.fit(xs, ys, { epochs, batchSize: 2, verbose: 0, callbacks });
  } finally {
    tf.dispose([xs, ys]);
  }
}

/** An in-memory save target that loads back what was saved last (like tf.io.fromMemory, but also saving). */
export function memoryHandler(): tf.io.IOHandler {
  let saved: tf.io.ModelArtifacts | null = null;
  return {
    save: async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
    load: async () => {
      if (saved === null) throw new Error('memoryHandler: nothing saved yet');
      return saved;
    },
  };
}

/**
 * Type-checks `modules` (file name without extension → its source) as a user's project would compile
 * them: TypeScript strict, module NodeNext, `.mts`, in a folder inside the repository so 'tfjs-clr' and
 * '@tensorflow/tfjs' resolve to the built package and its peer. Returns tsc's error lines (none: []).
 */
export function typecheckModules(modules: Record<string, string>): string[] {
  const root = path.resolve(__dirname, '..');
  const dir = mkdtempSync(path.join(root, 'test', '.snippets-'));
  try {
    for (const [name, code] of Object.entries(modules)) writeFileSync(path.join(dir, `${name}.mts`), code);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], lib: ['ES2022', 'DOM'] }, include: ['*.mts'] }),
    );
    try {
      execFileSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', dir], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
      return [];
    } catch (e) {
      return String((e as { stdout?: string }).stdout).split('\n').filter(Boolean);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
