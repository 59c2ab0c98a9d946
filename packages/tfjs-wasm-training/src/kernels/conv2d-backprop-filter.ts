/**
 * `Conv2DBackpropFilter`, which the stock wasm backend does not register at all:
 * - by one XNNPACK convolution (the `fast` set): dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, s·oh + fh − top,
 *   s·ow + fw − left, ci] · dy[b, oh, ow, co] is a convolution of x with channels and batch swapped by
 *   dy as the filter (dilated by the stride); the transpose that moves the batch last runs in JS on
 *   both threads (3–4× faster than the wasm Transpose for that order);
 * - by im2col in JS and the backend's own `BatchMatMul` (the `baseline` set, and where the convolution
 *   does not apply; without `transposeA`, ~14× slower in wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { batchLastRange } from '../helper-loops.js';
import { HelperJob, splitOverBatch } from '../helper.js';
import { at, f32, kernel, run, sizeOf, transpose, type Backend, type ConvAttrs, type KernelArgs, type Pad } from './shared.js';

/** dW[fh, fw, ci, co] = Σ x[b, oh·s + fh − top, ow·s + fw − left, ci] · dy[b, oh, ow, co]. */
export function conv2DBackpropFilterIm2col(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs;
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


/** The `fast` set's kernel: by convolution, else im2col. */
export const conv2DBackpropFilter = (args: KernelArgs): tf.TensorInfo => conv2DBackpropFilterByConv(args) ?? conv2DBackpropFilterIm2col(args);
