'use strict';
// The helper thread of wasm-helper.ts: waits on a shared control block, runs a kernel's loop (pooling
// gradient, transpose, column sums) on a range of images directly in the wasm heap (a
// SharedArrayBuffer in the threaded build), signals done.
const { receiveMessageOnPort, workerData } = require('node:worker_threads');
const { avgPoolGradRange, batchLastRange, maxPoolGradRange, sumRowsRange } = require('./helper-loops.js');

const { jobs, heapSent } = workerData; // wasm-helper.ts's HelperJob numbers and control-block slot for "a new heap is on the port"
const ctrl = new Int32Array(workerData.ctrl);
let heap = new Float32Array(workerData.heap);
const view = (offset, length) => heap.subarray(offset, offset + length);

/** One job on images [from, to) of n; the jobs are wasm-helper.ts's HelperJob, the offsets and dims what each passes. */
function run(kind, x, y, g, dx, n, d, from, to) {
  if (kind === jobs.MaxPoolGrad || kind === jobs.AvgPoolGrad) {
    const [H, W, C, OH, OW] = d; // pooling: x, y, dy, dx
    const inLen = n * H * W * C;
    const outLen = n * OH * OW * C;
    if (kind === jobs.MaxPoolGrad) maxPoolGradRange(view(x, inLen), view(y, outLen), view(g, outLen), view(dx, inLen), d, from, to);
    else avgPoolGradRange(view(g, outLen), view(dx, inLen), d, from, to);
  } else if (kind === jobs.BatchLast) {
    const [P, C] = d; // batch-last transpose: x, -, -, out
    batchLastRange(view(x, n * P * C), view(dx, n * P * C), P, C, n, from, to);
  } else if (kind === jobs.SumRows) {
    const [C] = d; // column sums of rows [from, to): x, -, -, this thread's partial sums
    const acc = new Float64Array(C);
    sumRowsRange(view(x, n * C), acc, C, from, to);
    view(dx, C).set(acc);
  }
}

let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  const seq = Atomics.load(ctrl, 0);
  if (seq < 0) break;
  seen = seq;
  if (Atomics.load(ctrl, heapSent) === 1) {
    let m;
    while (!(m = receiveMessageOnPort(workerData.port))); // posted before the flag was set
    heap = new Float32Array(m.message);
    Atomics.store(ctrl, heapSent, 0);
  }
  const [kind, x, y, g, dx, n, from, to] = ctrl.subarray(2, 10);
  const d = ctrl.subarray(10, 21);
  run(kind, x, y, g, dx, n, d, from, to);
  Atomics.store(ctrl, 1, seq);
  Atomics.notify(ctrl, 1);
}
