'use strict';
// The helper thread of wasm-helper.ts: waits on a shared control block, runs a pooling gradient on a
// range of images directly in the wasm heap (a SharedArrayBuffer in the threaded build), signals done.
const { workerData } = require('node:worker_threads');
const { maxPoolGradRange, avgPoolGradRange } = require('./pool-grads.js');

const ctrl = new Int32Array(workerData.ctrl);
const heap = new Float32Array(workerData.heap);
const view = (offset, length) => heap.subarray(offset, offset + length);
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  const seq = Atomics.load(ctrl, 0);
  if (seq < 0) break;
  seen = seq;
  const [kind, x, y, g, dx, n, from, to] = ctrl.subarray(2, 10);
  const d = ctrl.subarray(10, 21);
  const [H, W, C, OH, OW] = d;
  const inLen = n * H * W * C;
  const outLen = n * OH * OW * C;
  if (kind === 1) maxPoolGradRange(view(x, inLen), view(y, outLen), view(g, outLen), view(dx, inLen), d, from, to);
  else avgPoolGradRange(view(g, outLen), view(dx, inLen), d, from, to);
  Atomics.store(ctrl, 1, seq);
  Atomics.notify(ctrl, 1);
}
