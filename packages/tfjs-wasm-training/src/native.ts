/**
 * The training step's convolutions by oneDNN (the library PyTorch's CPU convolutions use) instead of
 * XNNPACK, for the wasm backend in Node: an optional native addon (examples/cifar/native/, built by
 * `npm run build:native` where Debian's libdnnl-dev is installed) that reads and writes the tensors
 * where they are, in the wasm heap. Why: a profile against PyTorch on the same 2 cores
 * (bench/RESULTS.md, "Against PyTorch") put 3/4 of the gap in the convolutions, where XNNPACK through
 * wasm SIMD (4 lanes, no fused multiply-add) cannot match AVX-512 code; the rest of the step stays as
 * it is.
 *
 * Kernels: `Conv2D`, `Conv2DBackpropInput`, `Conv2DBackpropFilter` and `FusedConv2D` (bias and ReLU
 * added in JS) for float32 NHWC, dilation 1; then, the next largest once the convolutions were native,
 * `MaxPoolGrad`, `AvgPoolGrad` and the bias gradients' `Sum` over leading axes: the fast set's JS loops
 * compiled, on OpenMP threads. Anything else goes to the kernel that was registered before. Each is checked against the cpu backend's reference kernels in test/kernels.test.ts.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { f32, type Backend, type KernelArgs } from './kernels/shared.js';
import { poolDims, type PoolAttrs } from './kernels/pool-grad.js';
import { leadingSum } from './kernels/sum.js';

/** The addon's functions (onednn_conv.cc). The geometry is [n, h, w, ci, fh, fw, co, oh, ow, sh, sw, pt, pb, pl, pr]. */
interface OneDnnConv {
  version: string;
  forward(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: number[]): void;
  backwardData(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: number[]): void;
  backwardWeights(x: Float32Array, dy: Float32Array, dFilter: Float32Array, geometry: number[]): void;
  implementation(geometry: number[]): string;
  /** dims: [n, H, W, C, OH, OW, strideH, strideW, FH, FW, padTop, padLeft] */
  maxPoolGrad(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, dims: number[]): void;
  avgPoolGrad(dy: Float32Array, dx: Float32Array, dims: number[]): void;
  sumRows(x: Float32Array, out: Float32Array, rowsAndColumns: [number, number]): void;
}

export const NATIVE_ADDON = path.join(__dirname, '..', 'native', 'build', 'Release', 'onednn_conv.node');

let loaded: { addon: OneDnnConv | null; why: string } | null = null;

/** The addon, or null and why not (not built, or libdnnl missing). Loaded once. */
export function nativeConvolutions(): { addon: OneDnnConv | null; why: string } {
  if (loaded) return loaded;
  try {
    // oneDNN runs on OpenMP threads; passive waiting hands the cores back to the wasm threads between convolutions.
    process.env.OMP_WAIT_POLICY ??= 'passive';
    const addon = require(NATIVE_ADDON) as OneDnnConv;
    loaded = { addon, why: `oneDNN ${addon.version} convolutions (${path.relative(process.cwd(), NATIVE_ADDON)})` };
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    loaded = { addon: null, why: /Cannot find module/.test(first) ? 'the oneDNN addon is not built (apt-get install libdnnl-dev; npm run build:native)' : `the oneDNN addon does not load (${first})` };
  }
  return loaded;
}

type ConvAttrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
  activation?: string;
};

type Shape4 = [number, number, number, number];

/** The addon's geometry for x [n, h, w, ci] and filter [fh, fw, ci, co], or null where it does not apply. */
function geometry(xShape: Shape4, filterShape: Shape4, attrs: ConvAttrs): number[] | null {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return null;
  const d = attrs.dilations ?? 1;
  if (!(d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1))) return null;
  const i = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { top, bottom, left, right } = i.padInfo;
  if ([top, bottom, left, right].some((p) => p < 0)) return null;
  // oneDNN's output size must be what tfjs computed (a 'valid' stride whose last rows are never read differs).
  if (Math.floor((i.inHeight + top + bottom - i.filterHeight) / i.strideHeight) + 1 !== i.outHeight) return null;
  if (Math.floor((i.inWidth + left + right - i.filterWidth) / i.strideWidth) + 1 !== i.outWidth) return null;
  return [i.batchSize, i.inHeight, i.inWidth, i.inChannels, i.filterHeight, i.filterWidth, i.outChannels, i.outHeight, i.outWidth, i.strideHeight, i.strideWidth, top, bottom, left, right];
}

const floats = (...t: tf.TensorInfo[]) => t.every((v) => v.dtype === 'float32');

/**
 * The native kernels, each falling back to `fallback(name)` (the kernel registered before) where the
 * addon does not apply. Heap views are taken after the output's allocation, the last one in a kernel.
 */
export function nativeKernels(addon: OneDnnConv, fallback: (name: string) => tf.KernelConfig | undefined): Record<string, tf.KernelFunc> {
  const orElse = (name: string, args: KernelArgs) => {
    const k = fallback(name);
    if (!k) throw new Error(`${name} (wasm): no kernel to fall back to`);
    return k.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  };
  const poolGrad = (args: KernelArgs, max: boolean): tf.TensorInfo => {
    const backend = args.backend as Backend;
    const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output?: tf.TensorInfo };
    if (!floats(dy, input)) return orElse(max ? 'MaxPoolGrad' : 'AvgPoolGrad', args);
    const { n, dims } = poolDims(input, args.attrs as unknown as PoolAttrs);
    const d = [n, ...dims];
    const out = backend.makeOutput(input.shape, 'float32');
    const heap = (t: tf.TensorInfo) => f32(backend, t);
    if (max) addon.maxPoolGrad(heap(input), heap(output as tf.TensorInfo), heap(dy), heap(out), d);
    else addon.avgPoolGrad(heap(dy), heap(out), d);
    return out;
  };
  /**
   * One addon convolution call on inputs a, b (tfjs's x, filter or dy) into a new output: the geometry
   * from x's and the filter's shapes, or the fallback where it does not apply.
   */
  const convolution = (args: KernelArgs, name: string, a: tf.TensorInfo, b: tf.TensorInfo, xShape: Shape4, filterShape: Shape4, outShape: (g: number[]) => number[], call: (a: Float32Array, b: Float32Array, out: Float32Array, g: number[]) => void): tf.TensorInfo => {
    const backend = args.backend as Backend;
    const g = floats(a, b) ? geometry(xShape, filterShape, args.attrs as unknown as ConvAttrs) : null;
    if (!g) return orElse(name, args);
    const out = backend.makeOutput(outShape(g), 'float32');
    call(f32(backend, a), f32(backend, b), f32(backend, out), g);
    return out;
  };
  const conv2D = (args: KernelArgs, name = 'Conv2D'): tf.TensorInfo => {
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    return convolution(args, name, x, filter, x.shape as Shape4, filter.shape as Shape4, (g) => [g[0], g[7], g[8], g[6]], addon.forward);
  };
  return {
    Conv2D: (args) => conv2D(args as KernelArgs),
    /** conv2D, then + bias and ReLU in place on the new output (activation 'linear' or 'relu' only). */
    FusedConv2D: (args) => {
      const { bias, preluActivationWeights } = args.inputs as { bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
      const activation = (args.attrs as unknown as ConvAttrs).activation ?? 'linear';
      if (preluActivationWeights || !['linear', 'relu'].includes(activation) || (bias && (bias.dtype !== 'float32' || bias.shape.length > 1))) return orElse('FusedConv2D', args as KernelArgs);
      const out = conv2D(args as KernelArgs, 'FusedConv2D');
      const backend = args.backend as Backend;
      const y = f32(backend, out);
      const b = bias ? f32(backend, bias) : null;
      const C = out.shape[3];
      const relu = activation === 'relu';
      for (let k = 0; k < y.length; k += C) {
        for (let c = 0; c < C; c++) {
          const v = y[k + c] + (b ? b[b.length === 1 ? 0 : c] : 0);
          y[k + c] = relu && v < 0 ? 0 : v;
        }
      }
      return out;
    },
    Conv2DBackpropInput: (args) => {
      const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const xShape = (args.attrs as unknown as ConvAttrs).inputShape as Shape4;
      return convolution(args as KernelArgs, 'Conv2DBackpropInput', dy, filter, xShape, filter.shape as Shape4, () => [...xShape], addon.backwardData);
    },
    /** The fast set's JS loops (first maximum equal to the output; the full window as divisor), compiled and on OpenMP threads. */
    MaxPoolGrad: (args) => poolGrad(args as KernelArgs, true),
    AvgPoolGrad: (args) => poolGrad(args as KernelArgs, false),
    Sum: (args) => {
      const sum = leadingSum(args);
      if (!sum) return orElse('Sum', args as KernelArgs);
      const backend = args.backend as Backend;
      const out = backend.makeOutput(sum.outShape, 'float32');
      addon.sumRows(f32(backend, args.inputs.x as tf.TensorInfo), f32(backend, out), [sum.rows, sum.C]);
      return out;
    },
    Conv2DBackpropFilter: (args) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const filterShape = (args.attrs as unknown as ConvAttrs).filterShape as Shape4;
      return convolution(args as KernelArgs, 'Conv2DBackpropFilter', x, dy, x.shape as Shape4, filterShape, () => [...filterShape], addon.backwardWeights);
    },
  };
}
