/**
 * The registry of training kernels for tfjs's `wasm` backend (tfjs 4.22), one file each under
 * `kernels/`, as tfjs-backend-wasm lays out its own: which kernel replaces which, in which set.
 * Every one is checked against the cpu backend's reference kernels in test/kernels.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeConvolutions, nativeKernels } from './native.js';
import { batchMatMulFactory } from './kernels/batch-mat-mul.js';
import { conv2DBackpropFilter, conv2DBackpropFilterIm2col } from './kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInputFactory } from './kernels/conv2d-backprop-input.js';
import { identity } from './kernels/identity.js';
import { avgPoolGrad, maxPoolGrad } from './kernels/pool-grad.js';
import { sumFactory } from './kernels/sum.js';

/** One registry entry: the kernel's name, and its function given the kernel registered before (null: keep that one). */
interface Entry {
  name: string;
  make: (original: tf.KernelConfig | undefined) => tf.KernelFunc | null;
}

/** The two kernels without which the stock backend cannot train a convnet, or trains it slowly. */
const BASELINE: Entry[] = [
  { name: 'Conv2DBackpropInput', make: (original) => conv2DBackpropInputFactory(original) },
  { name: 'Conv2DBackpropFilter', make: () => conv2DBackpropFilterIm2col as tf.KernelFunc },
];

/** The `fast` set: the baseline's dx, and one entry a kernel. */
const FAST: Entry[] = [
  BASELINE[0],
  { name: 'Conv2DBackpropFilter', make: () => conv2DBackpropFilter as tf.KernelFunc },
  { name: 'MaxPoolGrad', make: () => maxPoolGrad as tf.KernelFunc },
  { name: 'AvgPoolGrad', make: () => avgPoolGrad as tf.KernelFunc },
  { name: 'BatchMatMul', make: (original) => (original ? batchMatMulFactory(original) : null) },
  { name: 'Sum', make: (original) => (original ? sumFactory(original) : null) },
  { name: 'Identity', make: () => identity as tf.KernelFunc },
];

/** Which kernels `registerWasmTrainingKernels` installs. */
export type KernelSet = 'baseline' | 'fast' | 'native';

let registered: KernelSet | null = null;
const originals = new Map<string, tf.KernelConfig | undefined>();

function replace(name: string, kernelFunc: tf.KernelFunc): void {
  if (!originals.has(name)) originals.set(name, tf.getKernel(name, 'wasm'));
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
}

function restore(name: string): void {
  if (!originals.has(name)) return;
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  const k = originals.get(name);
  if (k) tf.registerKernel(k);
}

/**
 * Registers the training kernels for the wasm backend (idempotent; a different set replaces the
 * current one):
 * - `'fast'` (default): dW as one XNNPACK convolution, MaxPoolGrad / AvgPoolGrad in JS with contiguous
 *   reads, BatchMatMul's transposed paths as transpose + product, Sum over leading axes in JS,
 *   Identity without a copy (kernels/), and the flipped-filter dx;
 * - `'baseline'`: only the two kernels the backend lacks or runs slowly (im2col dW, flipped-filter dx),
 *   the reference bench/speed.ts compares the others with;
 * - `'native'`: `'fast'` with the convolutions by the oneDNN addon (native.ts); throws where it
 *   is not built.
 */
export function registerWasmTrainingKernels(set: KernelSet = 'fast'): void {
  if (registered === set) return;
  let native: ReturnType<typeof nativeConvolutions>['addon'] = null;
  if (set === 'native') {
    const n = nativeConvolutions();
    if (!n.addon) throw new Error(`--kernels native: ${n.why}`);
    native = n.addon;
  }
  registered = set;
  for (const name of [...new Set([...FAST.map((k) => k.name), 'Conv2D', 'FusedConv2D'])]) restore(name);
  for (const k of set === 'baseline' ? BASELINE : FAST) {
    const original = originals.has(k.name) ? originals.get(k.name) : tf.getKernel(k.name, 'wasm');
    const kernelFunc = k.make(original);
    if (kernelFunc !== null) replace(k.name, kernelFunc);
  }
  if (native) {
    // Each native kernel falls back to what is registered now (the fast or stock kernel of that name).
    const before = new Map(['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPoolGrad', 'AvgPoolGrad', 'Sum'].map((name) => [name, tf.getKernel(name, 'wasm')]));
    for (const [name, kernelFunc] of Object.entries(nativeKernels(native, (name) => before.get(name)))) replace(name, kernelFunc);
  }
}
