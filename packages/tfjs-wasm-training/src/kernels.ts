/**
 * Two kernels that let tfjs's stock `wasm` backend train convnets (tfjs 4.22):
 *
 * - `Conv2DBackpropFilter` is not registered for wasm at all. Here: im2col in JS, then the wasm
 *   backend's own `BatchMatMul` (without `transposeA`, which is ~14× slower in wasm).
 * - `Conv2DBackpropInput` exists but is slow; for stride 1 it is a `Conv2D` of `dy` with the filter
 *   flipped spatially and its in/out channels swapped, with the complementary padding. Other strides
 *   go to the original kernel.
 *
 * Both are checked against the `cpu` backend's reference kernels in test/cifar-kernels.test.ts.
 * They live with the example, outside the library's core entry.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeConvolutions, nativeKernels } from './native.js';
import { avgPoolGrad, batchMatMulFactory, conv2DBackpropFilterByConv, f32, identity, kernel, maxPoolGrad, sumFactory, type Backend, type KernelArgs } from './fast-kernels.js';
type Attrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
};

/** dW[fh, fw, ci, co] = Σ x[b, oh·s + fh − top, ow·s + fw − left, ci] · dy[b, oh, ow, co]. */
function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  if (attrs.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm): only NHWC is supported, got ${attrs.dataFormat}`);
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: FH, filterWidth: FW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xs = backend.readSync(x.dataId) as Float32Array;
  const N = B * OH * OW;
  const K = FH * FW * C;
  // im2col straight into the wasm heap: row k = (fh, fw, ci), column n = (b, oh, ow), written row
  // by row (contiguous). Nothing allocates between taking the heap view and filling it.
  const a = backend.makeOutput([1, K, N], 'float32');
  const cols = f32(backend, a);
  for (let fh = 0; fh < FH; fh++) {
    for (let fw = 0; fw < FW; fw++) {
      for (let ci = 0; ci < C; ci++) {
        const row = ((fh * FW + fw) * C + ci) * N;
        let n = 0;
        for (let b = 0; b < B; b++) {
          const xb = b * H * W * C;
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh + fh - top;
            const inRow = ih >= 0 && ih < H;
            for (let ow = 0; ow < OW; ow++, n++) {
              const iw = ow * sw + fw - left;
              cols[row + n] = inRow && iw >= 0 && iw < W ? xs[xb + (ih * W + iw) * C + ci] : 0;
            }
          }
        }
      }
    }
  }
  const b = { dataId: dy.dataId, shape: [1, N, CO], dtype: dy.dtype } as tf.TensorInfo;
  const bmm = kernel('BatchMatMul');
  const out = bmm.kernelFunc({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
  backend.disposeData(a.dataId);
  return { dataId: out.dataId, shape: filterShape, dtype: out.dtype };
}

let originalBackpropInput: tf.KernelConfig | null = null;

/** Stride 1: dx = conv2d(dy, flip(W) with in/out swapped), padding fh − 1 − top (etc.). */
function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as Backend;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  const strides = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  if (strides[0] !== 1 || strides[1] !== 1 || attrs.dataFormat !== 'NHWC' || originalBackpropInput === null) {
    if (originalBackpropInput === null) throw new Error('Conv2DBackpropInput (wasm): original kernel missing');
    return originalBackpropInput.kernelFunc(args);
  }
  const inputShape = attrs.inputShape as [number, number, number, number];
  const [FH, FW, CI, CO] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, [FH, FW, CI, CO], 1, 1, attrs.pad, attrs.dimRoundingMode, false);
  const { top, left, bottom, right } = info.padInfo;
  const w = backend.readSync(filter.dataId) as Float32Array;
  const flipped = new Float32Array(w.length);
  for (let i = 0; i < FH; i++) {
    for (let j = 0; j < FW; j++) {
      for (let ci = 0; ci < CI; ci++) {
        for (let co = 0; co < CO; co++) {
          flipped[((i * FW + j) * CO + co) * CI + ci] = w[(((FH - 1 - i) * FW + (FW - 1 - j)) * CI + ci) * CO + co];
        }
      }
    }
  }
  const f = backend.makeOutput([FH, FW, CO, CI], 'float32', undefined, flipped);
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [FH - 1 - top, FH - 1 - bottom],
    [FW - 1 - left, FW - 1 - right],
    [0, 0],
  ];
  const conv = kernel('Conv2D');
  const out = conv.kernelFunc({
    inputs: { x: dy, filter: f },
    backend,
    attrs: { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: attrs.dimRoundingMode } as unknown as tf.NamedAttrMap,
  }) as tf.TensorInfo;
  backend.disposeData(f.dataId);
  return out;
}

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
 *   Identity without a copy (fast-kernels.ts), and the flipped-filter dx below;
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
  for (const name of ['MaxPoolGrad', 'AvgPoolGrad', 'BatchMatMul', 'Sum', 'Identity', 'Conv2D', 'FusedConv2D']) restore(name);
  originalBackpropInput = originals.get('Conv2DBackpropInput') ?? tf.getKernel('Conv2DBackpropInput', 'wasm') ?? null;
  replace('Conv2DBackpropInput', conv2DBackpropInput as tf.KernelFunc);
  if (set === 'baseline') {
    replace('Conv2DBackpropFilter', conv2DBackpropFilter as tf.KernelFunc);
    return;
  }
  replace('Conv2DBackpropFilter', ((args: KernelArgs) => conv2DBackpropFilterByConv(args) ?? conv2DBackpropFilter(args)) as tf.KernelFunc);
  replace('MaxPoolGrad', maxPoolGrad as tf.KernelFunc);
  replace('AvgPoolGrad', avgPoolGrad as tf.KernelFunc);
  const bmm = originals.get('BatchMatMul') ?? tf.getKernel('BatchMatMul', 'wasm');
  if (bmm) replace('BatchMatMul', batchMatMulFactory(bmm));
  const sum = originals.get('Sum') ?? tf.getKernel('Sum', 'wasm');
  if (sum) replace('Sum', sumFactory(sum));
  replace('Identity', identity as tf.KernelFunc);
  if (native) {
    // Each native kernel falls back to what is registered now (the fast or stock kernel of that name).
    const before = new Map(['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPoolGrad', 'AvgPoolGrad', 'Sum'].map((name) => [name, tf.getKernel(name, 'wasm')]));
    for (const [name, kernelFunc] of Object.entries(nativeKernels(native, (name) => before.get(name)))) replace(name, kernelFunc);
  }
}
