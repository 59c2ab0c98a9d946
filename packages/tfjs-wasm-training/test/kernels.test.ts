/**
 * The package's wasm training kernels against the cpu backend's reference kernels, on the shapes,
 * strides and paddings the CIFAR-10 models use (5×5 'same' stride 1) and a few others.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { nativeConvolutions, registerWasmTrainingKernels, type KernelSet } from '../src/index.js';
import { seeded } from './random.js';

/** A convnet shaped like Caffe's cifar10_quick (the example's `quick` net), with seeded initial weights. */
function quickNet(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const conv = (filters: number, seed: number, inputShape?: number[]) => tf.layers.conv2d({ filters, kernelSize: 5, padding: 'same', kernelInitializer: init(seed), ...(inputShape ? { inputShape } : {}) });
  return tf.sequential({
    layers: [
      conv(32, 1, [32, 32, 3]),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tf.layers.reLU(),
      conv(32, 2),
      tf.layers.reLU(),
      tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      conv(64, 3),
      tf.layers.reLU(),
      tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, kernelInitializer: init(4) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(5) }),
    ],
  });
}

type Case = { name: string; x: [number, number, number, number]; f: [number, number, number, number]; strides: number; pad: 'same' | 'valid' };
const cases: Case[] = [
  { name: 'conv1 of the CIFAR nets: 32×32×3 → 32, 5×5 same', x: [1, 32, 32, 3], f: [5, 5, 3, 32], strides: 1, pad: 'same' },
  { name: 'conv2: 16×16×32 → 32, 5×5 same', x: [1, 16, 16, 32], f: [5, 5, 32, 32], strides: 1, pad: 'same' },
  { name: 'conv3: 8×8×32 → 64, 5×5 same', x: [1, 8, 8, 32], f: [5, 5, 32, 64], strides: 1, pad: 'same' },
  { name: '3×3 valid, odd size', x: [3, 7, 9, 4], f: [3, 3, 4, 5], strides: 1, pad: 'valid' },
  { name: '4×4 same (asymmetric padding)', x: [1, 6, 6, 2], f: [4, 4, 2, 3], strides: 1, pad: 'same' },
  { name: 'stride 2 same (filter kernel; input kernel falls back)', x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: 'x larger than dy, stride 1 valid (fast: dy plays the filter)', x: [2, 8, 8, 16], f: [3, 3, 16, 4], strides: 1, pad: 'valid' },
  { name: 'stride 2 valid, odd 9×9 (fast: dy dilated as the filter)', x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  { name: 'stride 2 valid, 8×8 whose last row no window reads (fast: falls back to im2col)', x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 2, pad: 'valid' },
];

/** Gradients of sum(conv2d(x, f) · r) w.r.t. x and f, on the current backend. */
function grads(c: Case, x: Float32Array, f: Float32Array, r: Float32Array): { dx: Float32Array; df: Float32Array } {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.x);
    const ft = tf.tensor4d(f, c.f);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(r, y.shape)));
    });
    const [dx, df] = g([xt, ft]);
    return { dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
  });
}

function random(n: number, seed: number): Float32Array {
  const rand = seeded(seed);
  return Float32Array.from({ length: n }, () => rand() * 2 - 1);
}

function maxRelError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let k = 0; k < a.length; k++) err = Math.max(err, Math.abs(a[k] - b[k]));
  return err / Math.max(scale, 1e-12);
}

let stockHadFilterKernel: boolean;
beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  expect(await tf.setBackend('wasm')).toBe(true);
  stockHadFilterKernel = tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
});

test('the stock wasm backend has no Conv2DBackpropFilter (why the kernels exist)', () => {
  expect(stockHadFilterKernel).toBe(false);
});

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Elements of the convolution's output (tfjs's 'same' and 'valid' output sizes). */
function dyLength(c: Case): number {
  const out = (n: number, k: number) => (c.pad === 'same' ? Math.ceil(n / c.strides) : Math.ceil((n - k + 1) / c.strides));
  return c.x[0] * out(c.x[1], c.f[0]) * out(c.x[2], c.f[1]) * c.f[3];
}

/** Runs `f` on the cpu backend and on wasm with the given kernel set; returns both results. */
async function onBoth<T>(set: KernelSet, f: () => T): Promise<{ ref: T; got: T }> {
  await tf.setBackend('cpu');
  const ref = f();
  await tf.setBackend('wasm');
  registerWasmTrainingKernels(set);
  const got = f();
  return { ref, got };
}

// The oneDNN addon is optional (Debian's libdnnl-dev + `npm run build:native`): its set is tested where it is built.
const native = nativeConvolutions();
const sets: KernelSet[] = native.addon ? ['baseline', 'fast', 'native'] : ['baseline', 'fast'];
if (!native.addon) test.skip(`kernel set native: skipped, ${native.why}`, () => undefined);

describe.each(sets)('kernel set %s', (set) => {
  test.each(cases)('$name: dX and dW match the cpu reference kernels to 1e-4', async (c) => {
    const [x, f, r] = [random(size(c.x), 1), random(size(c.f), 2), random(dyLength(c), 3)];
    const { ref, got } = await onBoth(set, () => grads(c, x, f, r));
    expect(maxRelError(got.df, ref.df)).toBeLessThan(1e-4);
    expect(maxRelError(got.dx, ref.dx)).toBeLessThan(1e-4);
  });

  test('no tensor or byte is leaked by the kernels', async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels(set);
    const run = () => {
      for (const c of cases) grads(c, random(size(c.x), 4), random(size(c.f), 5), random(dyLength(c), 6));
    };
    run();
    const before = tf.memory().numTensors;
    const bytes = (tf.memory() as { numBytes: number }).numBytes;
    for (let k = 0; k < 2; k++) run();
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.memory() as { numBytes: number }).numBytes).toBe(bytes);
  });
});

(native.addon ? describe : describe.skip)(`native convolutions (oneDNN addon) beyond the gradients${native.addon ? '' : ` (skipped: ${native.why})`}`, () => {
  test.each(cases)('$name: conv2d and fusedConv2d (bias, ReLU) forward match the cpu backend to 1e-5', async (c) => {
    const [x, f, b] = [random(size(c.x), 12), random(size(c.f), 13), random(c.f[3], 14)];
    const { ref, got } = await onBoth('native', () =>
      tf.tidy(() => {
        const xt = tf.tensor4d(x, c.x);
        const ft = tf.tensor4d(f, c.f);
        return {
          plain: tf.conv2d(xt, ft, c.strides, c.pad).dataSync() as Float32Array,
          fused: tf.fused.conv2d({ x: xt, filter: ft, strides: c.strides, pad: c.pad, bias: tf.tensor1d(b), activation: 'relu' }).dataSync() as Float32Array,
        };
      }),
    );
    expect(maxRelError(got.plain, ref.plain)).toBeLessThan(1e-5);
    expect(maxRelError(got.fused, ref.fused)).toBeLessThan(1e-5);
    expect(got.fused.some((v) => v === 0) && got.fused.some((v) => v > 0)).toBe(true); // ReLU did cut
  });

  test('the addon refuses arrays that do not match the geometry (no write past a tensor), naming the function', () => {
    const addon = native.addon as NonNullable<typeof native.addon>;
    const g = [2, 8, 8, 3, 3, 3, 4, 8, 8, 1, 1, 1, 1, 1, 1]; // x [2, 8, 8, 3], filter [3, 3, 3, 4], y [2, 8, 8, 4]
    expect(() => addon.forward(new Float32Array(384), new Float32Array(108), new Float32Array(511), g)).toThrow('onednn_conv: forward: array sizes do not match the dims');
    expect(() => addon.backwardWeights(new Float32Array(384), new Float32Array(512), new Float32Array(108), g.slice(0, 14))).toThrow(/backwardWeights: expected an array of 15 integers/);
    const out = new Float32Array(3);
    addon.sumRows(Float32Array.from([1, 2, 3, 4, 5, 6]), out, [2, 3]);
    expect(Array.from(out)).toEqual([5, 7, 9]);
  });

  test('what the addon does not take (dilation 2, an elu activation) goes to the kernels before it, with the same results', async () => {
    const x = random(2 * 9 * 9 * 3, 15);
    const f = random(3 * 3 * 3 * 4, 16);
    const { ref, got } = await onBoth('native', () =>
      tf.tidy(() => {
        const xt = tf.tensor4d(x, [2, 9, 9, 3]);
        const ft = tf.tensor4d(f, [3, 3, 3, 4]);
        return {
          dilated: tf.conv2d(xt, ft, 1, 'same', 'NHWC', 2).dataSync() as Float32Array,
          elu: tf.fused.conv2d({ x: xt, filter: ft, strides: 1, pad: 'same', activation: 'elu' }).dataSync() as Float32Array,
        };
      }),
    );
    expect(maxRelError(got.dilated, ref.dilated)).toBeLessThan(1e-5);
    expect(maxRelError(got.elu, ref.elu)).toBeLessThan(1e-5);
  });

  test('a training step of the quick net trains the same weights as the fast set (to 1e-4)', async () => {
    const xs = random(4 * 32 * 32 * 3, 17);
    const labels = [0, 3, 7, 9];
    const step = async (set: KernelSet) => {
      registerWasmTrainingKernels(set);
      const model = quickNet();
      model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
      const x = tf.tensor4d(xs, [4, 32, 32, 3]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      for (let k = 0; k < 2; k++) await model.trainOnBatch(x, y);
      const w = model.getWeights().map((t) => t.dataSync().slice() as Float32Array);
      tf.dispose([x, y]);
      model.dispose();
      return w;
    };
    await tf.setBackend('wasm');
    const fast = await step('fast');
    const nat = await step('native');
    expect(nat.length).toBe(fast.length);
    for (let k = 0; k < fast.length; k++) expect(maxRelError(nat[k], fast[k])).toBeLessThan(1e-4);
  });
});

type PoolCase = { name: string; x: [number, number, number, number]; size: number; strides: number; pad: 'same' | 'valid'; ties?: boolean };
const poolCases: PoolCase[] = [
  { name: "the nets' 3×3/2 same on 32×32×8", x: [2, 32, 32, 8], size: 3, strides: 2, pad: 'same' },
  { name: '3×3/2 same, odd 7×9', x: [3, 7, 9, 5], size: 3, strides: 2, pad: 'same' },
  { name: '2×2/2 valid, odd 7×9', x: [2, 7, 9, 4], size: 2, strides: 2, pad: 'valid' },
  { name: '3×3/1 same', x: [1, 6, 5, 3], size: 3, strides: 1, pad: 'same' },
  { name: '3×3/2 same with ties (values from {0, 1, 2}): the first maximum gets the gradient', x: [2, 9, 9, 4], size: 3, strides: 2, pad: 'same', ties: true },
];

describe.each(sets.filter((v) => v !== 'baseline'))('%s kernels beyond convolution', (set) => {
  test.each(poolCases)('max and average pooling gradients, $name, match the cpu backend to 1e-4', async (c) => {
    const x = c.ties ? random(size(c.x), 7).map((v) => Math.floor((v + 1) * 1.5)) : random(size(c.x), 7);
    const { ref, got } = await onBoth(set, () =>
      tf.tidy(() => {
        const xt = tf.tensor4d(x, c.x);
        const out = (pool: (t: tf.Tensor4D) => tf.Tensor4D) => {
          const shape = pool(xt).shape;
          const r = tf.tensor(random(size(shape), 8), shape);
          return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor4D), r)))(xt).dataSync() as Float32Array;
        };
        return {
          max: out((t) => tf.maxPool(t, c.size, c.strides, c.pad)),
          avg: out((t) => tf.avgPool(t, c.size, c.strides, c.pad)),
        };
      }),
    );
    expect(maxRelError(got.max, ref.max)).toBeLessThan(1e-4);
    expect(maxRelError(got.avg, ref.avg)).toBeLessThan(1e-4);
    // With ties, the same inputs receive gradient (the sums may differ in the last bit).
    if (c.ties) expect(Array.from(got.max, (v) => v !== 0)).toEqual(Array.from(ref.max, (v) => v !== 0));
  });

  test.each([
    { a: [1, 50, 37], b: [1, 50, 11], tA: true, tB: false },
    { a: [3, 6, 4], b: [3, 5, 6], tA: true, tB: true },
    { a: [1, 50, 64], b: [1, 30, 64], tA: false, tB: true },
    { a: [2, 4, 6], b: [2, 6, 5], tA: false, tB: false },
  ])('matMul $a × $b (transposeA $tA, transposeB $tB) matches the cpu backend', async ({ a, b, tA, tB }) => {
    const { ref, got } = await onBoth(set, () => tf.tidy(() => tf.matMul(tf.tensor(random(size(a), 9), a), tf.tensor(random(size(b), 10), b), tA, tB).dataSync() as Float32Array));
    expect(maxRelError(got, ref)).toBeLessThan(1e-5);
  });

  test('Identity (tf.clone, and every tensor a gradient keeps) shares the data: same values, the clone outlives the original, nothing leaks', async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels(set);
    const bytes = (tf.memory() as { numBytes: number }).numBytes;
    const a = tf.tensor([1.5, -2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1.5, -2, 3]);
    b.dispose();
    expect((tf.memory() as { numBytes: number }).numBytes).toBe(bytes);
  });

  test.each([
    // 2¹⁶+ values summed over leading axes: the fast set's JS sum.
    { shape: [40, 16, 16, 8], axis: [0, 1, 2], keepDims: false },
    { shape: [40, 16, 16, 8], axis: [1, 0], keepDims: true },
    { shape: [301, 257], axis: 0, keepDims: false },
    // The stock kernel: not leading, every axis, small.
    { shape: [40, 16, 16, 8], axis: [1, 2], keepDims: false },
    { shape: [40, 16, 16, 8], axis: [0, 1, 2, 3], keepDims: false },
    { shape: [6, 5, 4, 3], axis: [0, 1, 2], keepDims: false },
  ])('sum over $axis of $shape (keepDims $keepDims) matches the cpu backend', async ({ shape, axis, keepDims }) => {
    const { ref, got } = await onBoth(set, () =>
      tf.tidy(() => {
        const s = tf.sum(tf.tensor(random(size(shape), 11), shape), axis, keepDims);
        return { shape: s.shape, values: s.dataSync() as Float32Array };
      }),
    );
    expect(got.shape).toEqual(ref.shape);
    // 1e-4 as for the other kernels: a float32 sum of 81,920 values in [−1, 1] differs ~1e-5 between the stock kernels.
    expect(maxRelError(got.values, ref.values)).toBeLessThan(1e-4);
  });
});
