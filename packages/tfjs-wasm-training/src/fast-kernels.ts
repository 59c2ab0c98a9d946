/**
 * Faster training kernels for tfjs's `wasm` backend, where a profile of the quick net's training step
 * pointed (bench/RESULTS.md, "Training speed"):
 *
 * - `Conv2DBackpropFilter` as one XNNPACK convolution instead of im2col in JS + a matrix product:
 *   dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, s·oh + fh − top, s·ow + fw − left, ci] · dy[b, oh, ow, co]
 *   is a convolution of x with channels and batch swapped (x' [ci, H, W, b]) by dy as the filter
 *   (dy' [oh, ow, b, co], dilated by the stride), giving [ci, fh, fw, co]. Three transposes of
 *   tensors the size of x and dy; the work runs in XNNPACK, on every thread of its pool. The transpose
 *   that moves the batch last ([b, H, W, c] → [c, H, W, b]) runs in JS on both threads: 3–4× faster
 *   than the wasm Transpose for that order (conv1's dy: ~14 → ~4 ms).
 * - `MaxPoolGrad` in JS: the first input of each window equal to the forward output gets dy (the cpu
 *   backend's first maximum); ~3× faster than the stock wasm kernel here.
 * - `AvgPoolGrad` in JS the same way, with the cpu backend's divisor (the full window, padding included).
 * - `BatchMatMul` with `transposeA` or `transposeB` (a dense layer's gradients, xᵀ·dy and dy·Wᵀ):
 *   transpose, then the plain product; the stock transposed paths are 5–14× slower.
 * - `Identity` without a copy (a reference to the same data, as the cpu backend does): tfjs clones
 *   every tensor a gradient will need through it, ~100 times a training step; the stock wasm kernel
 *   copies each one.
 * - `Sum` over leading axes of a large tensor (a bias gradient: dy summed over batch and space) in JS,
 *   half on the helper thread; the stock kernel transposes x first (~9 → ~3 ms for [100, 32, 32, 32]).
 *
 * Each is checked against the cpu backend's reference kernels in test/kernels.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { avgPoolGradRange, batchLastRange, maxPoolGradRange, sumRowsRange } from './helper-loops.js';
import { HelperJob, splitOverBatch } from './helper.js';

/** A kernel function's argument, as tfjs defines it. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];
/** The wasm backend (tfjs-backend-wasm's own exported class). */
export type Backend = BackendWasm;

/** A float32 tensor's data on the wasm heap (a view, no copy); these kernels only take float32. */
export function f32(backend: Backend, info: tf.TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`tfjs-wasm-training: a float32 tensor was expected, got ${info.dtype}`);
  return backend.typedArrayFromHeap(info) as Float32Array;
}
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** The wasm backend's kernel `name` (as registered now). */
export function kernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered (load @tensorflow/tfjs-backend-wasm first)`);
  return k;
}

/** Runs the wasm kernel `name` directly (inside another kernel: no engine, no tape). */
export function run(name: string, backend: tf.KernelBackend, inputs: tf.NamedTensorInfoMap, attrs: Record<string, unknown>): tf.TensorInfo {
  return kernel(name).kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

const transpose = (backend: tf.KernelBackend, x: tf.TensorInfo, perm: number[]) => run('Transpose', backend, { x }, { perm });

/**
 * dW by one convolution (see the file's comment). XNNPACK repacks a convolution's filter on every
 * call with a new one, so the smaller of x and dy plays the filter:
 * - dy (as above) when it is the smaller, or the stride is not 1;
 * - x otherwise (stride 1): out[co, p, q, ci] = Σ dy'[co, p + ih − (FH−1−top), …, b] · x'[ih, iw, b, ci]
 *   with dy' = dy as [co, OH, OW, b] and x' = x as [H, W, b, ci], which is dW flipped spatially
 *   (p = FH − 1 − fh) and laid out [co, fh, fw, ci]; the small result is reordered in JS.
 * Returns null where neither applies (a 'valid' stride > 1 whose last rows are never read).
 */
export function conv2DBackpropFilterByConv(args: KernelArgs): tf.TensorInfo | null {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
  if (attrs.dataFormat !== 'NHWC') return null;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false);
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, filterHeight: FH, filterWidth: FW } = info;
  const { top, left } = info.padInfo;
  if (sh === 1 && sw === 1 && sizeOf(x.shape) < sizeOf(dy.shape)) {
    const padT = FH - 1 - top;
    const padL = FW - 1 - left;
    const padB = H - OH + top;
    const padR = W - OW + left;
    if (padT >= 0 && padL >= 0 && padB >= 0 && padR >= 0) return filterGradXAsFilter(backend, x, dy, attrs.filterShape, [[0, 0], [padT, padB], [padL, padR], [0, 0]]);
  }
  const bottom = FH + sh * (OH - 1) - H - top;
  const right = FW + sw * (OW - 1) - W - left;
  if (bottom < 0 || right < 0 || top < 0 || left < 0) return null;
  const xT = batchLast(backend, x); // [ci, H, W, b]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [oh, ow, b, co]
  const pad: tf.backend_util.ExplicitPadding = [[0, 0], [top, bottom], [left, right], [0, 0]];
  const out = run('Conv2D', backend, { x: xT, filter: dyT }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [sh, sw] }); // [ci, fh, fw, co]
  backend.disposeData(xT.dataId);
  backend.disposeData(dyT.dataId);
  const dW = transpose(backend, out, [1, 2, 0, 3]);
  backend.disposeData(out.dataId);
  return dW;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** t [n, H, W, C] as [C, H, W, n], in JS (half on the helper thread): 3–4× faster than the wasm Transpose for this order. */
function batchLast(backend: Backend, t: tf.TensorInfo): tf.TensorInfo {
  const [n, H, W, C] = t.shape;
  const out = backend.makeOutput([C, H, W, n], 'float32');
  const dst = f32(backend, out);
  const src = f32(backend, t);
  splitOverBatch(dst.buffer, n, HelperJob.BatchLast, [at(src), 0, 0, at(dst)], [H * W, C], (from, to) => batchLastRange(src, dst, H * W, C, n, from, to));
  return out;
}

function filterGradXAsFilter(backend: Backend, x: tf.TensorInfo, dy: tf.TensorInfo, filterShape: [number, number, number, number], pad: tf.backend_util.ExplicitPadding): tf.TensorInfo {
  const [FH, FW, CI, CO] = filterShape;
  const dyT = batchLast(backend, dy); // [co, OH, OW, b]
  const xT = transpose(backend, x, [1, 2, 0, 3]); // [H, W, b, ci]
  const flipped = run('Conv2D', backend, { x: dyT, filter: xT }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] }); // [co, p, q, ci]
  backend.disposeData(dyT.dataId);
  backend.disposeData(xT.dataId);
  const out = backend.makeOutput(filterShape, 'float32');
  const dst = f32(backend, out);
  const src = f32(backend, flipped);
  for (let co = 0; co < CO; co++) {
    for (let p = 0; p < FH; p++) {
      for (let q = 0; q < FW; q++) {
        const from = ((co * FH + p) * FW + q) * CI;
        const to = ((FH - 1 - p) * FW + (FW - 1 - q)) * CI * CO + co;
        for (let ci = 0; ci < CI; ci++) dst[to + ci * CO] = src[from + ci];
      }
    }
  }
  backend.disposeData(flipped.dataId);
  return out;
}

export type PoolAttrs = { filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' };

function poolInfo(input: tf.TensorInfo, attrs: PoolAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad as 'same' | 'valid' | number, attrs.dimRoundingMode);
}

/** The loops' dims for a pooling gradient: [H, W, C, OH, OW, strideH, strideW, FH, FW, padTop, padLeft]. */
export function poolDims(input: tf.TensorInfo, attrs: PoolAttrs): { n: number; dims: number[] } {
  const i = poolInfo(input, attrs);
  return { n: i.batchSize, dims: [i.inHeight, i.inWidth, i.inChannels, i.outHeight, i.outWidth, i.strideHeight, i.strideWidth, i.effectiveFilterHeight, i.effectiveFilterWidth, i.padInfo.top, i.padInfo.left] };
}

const at = (v: Float32Array) => v.byteOffset / 4;

/**
 * dx of max pooling: each window's dy goes to its first maximum in row-major order (the cpu backend's
 * rule), found as the first input equal to the window's forward output (no comparisons between
 * inputs, whose outcome a CPU cannot predict). dx of average pooling: each window's dy / (window size)
 * to every input in it (the cpu backend's rule). Half the batch on the helper thread where there is one.
 */
function poolGrad(args: KernelArgs, job: HelperJob): tf.TensorInfo {
  const backend = args.backend as Backend;
  const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output?: tf.TensorInfo };
  const { n, dims } = poolDims(input, args.attrs as unknown as PoolAttrs);
  const out = backend.makeOutput(input.shape, 'float32');
  // Heap views taken after the only allocation, used before any other.
  const dx = f32(backend, out);
  const g = f32(backend, dy);
  const max = job === HelperJob.MaxPoolGrad;
  const xs = max ? f32(backend, input) : dx;
  const ys = max ? f32(backend, output as tf.TensorInfo) : dx;
  splitOverBatch(dx.buffer, n, job, [at(xs), at(ys), at(g), at(dx)], dims, (from, to) =>
    max ? maxPoolGradRange(xs, ys, g, dx, dims, from, to) : avgPoolGradRange(g, dx, dims, from, to),
  );
  return out;
}

export const maxPoolGrad = (args: KernelArgs): tf.TensorInfo => poolGrad(args, HelperJob.MaxPoolGrad);
export const avgPoolGrad = (args: KernelArgs): tf.TensorInfo => poolGrad(args, HelperJob.AvgPoolGrad);

/** Identity as a second reference to the input's data (tfjs tensors are never written in place). */
export function identity(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  (args.backend as Backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** A Sum over the leading axes of a float tensor of 2¹⁶+ values as [rows, C] column sums, or null for any other Sum. */
export function leadingSum(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): { rows: number; C: number; outShape: number[] } | null {
  const x = args.inputs.x as tf.TensorInfo;
  const attrs = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const axes = [...tf.util.parseAxisParam(attrs.axis, x.shape)].sort((p, q) => p - q); // a copy: attrs stay as given
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((ax, k) => ax === k);
  if (!leading || x.dtype !== 'float32' || sizeOf(x.shape) < 2 ** 16) return null;
  const rest = x.shape.slice(axes.length);
  return { rows: sizeOf(x.shape.slice(0, axes.length)), C: sizeOf(rest), outShape: attrs.keepDims ? [...axes.map(() => 1), ...rest] : rest };
}

/** Sum over the leading axes of a float tensor of 2¹⁶+ values in JS (see the file's comment), the rest by the stock kernel. */
export function sumFactory(original: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const sum = leadingSum(args);
    if (!sum) return original.kernelFunc(args);
    const { rows, C } = sum;
    const backend = args.backend as Backend;
    const out = backend.makeOutput(sum.outShape, 'float32');
    const helperPart = backend.makeOutput([C], 'float32');
    const xs = f32(backend, x);
    const part = f32(backend, helperPart).fill(0);
    const acc = new Float64Array(C);
    splitOverBatch(xs.buffer, rows, HelperJob.SumRows, [at(xs), 0, 0, at(part)], [C], (from, to) => sumRowsRange(xs, acc, C, from, to));
    const dst = f32(backend, out);
    for (let c = 0; c < C; c++) dst[c] = acc[c] + part[c];
    backend.disposeData(helperPart.dataId);
    return out;
  };
}

/** BatchMatMul with transposed operands done as explicit transposes and the plain product (the stock transposed paths are 5–14× slower). */
export function batchMatMulFactory(original: tf.KernelConfig): tf.KernelFunc {
  const swapLast = (backend: Backend, t: tf.TensorInfo) => {
    const perm = t.shape.map((_, k) => k);
    [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
    return transpose(backend, t, perm);
  };
  return (args) => {
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
    const backend = args.backend as Backend;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const aT = attrs.transposeA ? swapLast(backend, a) : a;
    const bT = attrs.transposeB ? swapLast(backend, b) : b;
    const out = original.kernelFunc({ ...args, inputs: { ...args.inputs, a: aT, b: bT }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
    if (aT !== a) backend.disposeData(aT.dataId);
    if (bT !== b) backend.disposeData(bT.dataId);
    return out;
  };
}
