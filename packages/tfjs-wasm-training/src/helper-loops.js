'use strict';
// The JS loops of the example's wasm kernels, over a range of images, on flat float arrays: shared by
// the kernels (kernels/) and the helper thread that runs half of each batch (helper-worker.js).
// Dims `d` of a pooling window: [H, W, C, OH, OW, strideH, strideW, FH, FW, padTop, padLeft].

/** dx of max pooling for images [from, to): each window's dy to its first input equal to the forward output. */
function maxPoolGradRange(xs, ys, g, dx, d, from, to) {
  const [H, W, C, OH, OW, sh, sw, FH, FW, top, left] = d;
  dx.fill(0, from * H * W * C, to * H * W * C);
  for (let b = from; b < to; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - top;
      const hFrom = Math.max(0, h0);
      const hTo = Math.min(H, h0 + FH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - left;
        const wFrom = Math.max(0, w0);
        const wTo = Math.min(W, w0 + FW);
        const o = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          const y = ys[o + c];
          if (y === -Infinity) continue; // the cpu backend assigns no position then
          search: for (let ih = hFrom; ih < hTo; ih++) {
            for (let iw = wFrom, k = ((b * H + ih) * W + wFrom) * C + c; iw < wTo; iw++, k += C) {
              if (xs[k] === y) {
                dx[k] += g[o + c];
                break search;
              }
            }
          }
        }
      }
    }
  }
}

/** dx of average pooling for images [from, to): each window's dy / (window size) to every input in it. */
function avgPoolGradRange(g, dx, d, from, to) {
  const [H, W, C, OH, OW, sh, sw, FH, FW, top, left] = d;
  const scale = 1 / (FH * FW);
  dx.fill(0, from * H * W * C, to * H * W * C);
  for (let b = from; b < to; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - top;
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - left;
        const o = ((b * OH + oh) * OW + ow) * C;
        for (let fh = 0; fh < FH; fh++) {
          const ih = h0 + fh;
          if (ih < 0 || ih >= H) continue;
          for (let fw = 0; fw < FW; fw++) {
            const iw = w0 + fw;
            if (iw < 0 || iw >= W) continue;
            const base = ((b * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) dx[base + c] += g[o + c] * scale;
          }
        }
      }
    }
  }
}

/** Column sums of x seen as [rows, C], over rows [from, to), added into `acc` (C doubles). */
function sumRowsRange(xs, acc, C, from, to) {
  for (let r = from * C, end = to * C; r < end; r += C) {
    for (let c = 0; c < C; c++) acc[c] += xs[r + c];
  }
}

/** dst [C, P, n] = src [n, P, C] transposed, for images [from, to) of n (written in runs along n: 3× faster than read in order). */
function batchLastRange(src, dst, P, C, n, from, to) {
  for (let p = 0; p < P; p++) {
    for (let c = 0; c < C; c++) {
      const o = (c * P + p) * n;
      for (let b = from, s = (from * P + p) * C + c; b < to; b++, s += P * C) dst[o + b] = src[s];
    }
  }
}

exports.batchLastRange = batchLastRange;
exports.sumRowsRange = sumRowsRange;
exports.maxPoolGradRange = maxPoolGradRange;
exports.avgPoolGradRange = avgPoolGradRange;
