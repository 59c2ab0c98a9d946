/**
 * A helper thread for the example's JS kernels. XNNPACK's pool uses every core for convolutions, but
 * the JS kernels (pooling gradients, a transpose, sums) run on the main thread while the other core waits. In the threaded
 * wasm build the heap is a SharedArrayBuffer, so a worker can work on it directly: it takes the second
 * half of the batch, this thread the first (windows never cross images). Synchronised with
 * Atomics on a small shared control block; no copies, no messages per call.
 *
 * Used only where the heap is shared and there are 2+ cores; anything else runs on this thread alone.
 */
import { cpus } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  heap: SharedArrayBuffer;
  seq: number;
}

let helper: Helper | null = null;
let broken = false;
let jobs = 0;

/** Jobs the helper thread has run (for tests and benchmarks). */
export function helperJobs(): number {
  return jobs;
}

function helperFor(heap: ArrayBufferLike): Helper | null {
  if (broken || !(heap instanceof SharedArrayBuffer) || cpus().length < 2) return null;
  if (helper && helper.heap === heap) return helper;
  stopHelper(); // the heap grew: a worker holds the buffer it was given
  const ctrl = new Int32Array(new SharedArrayBuffer(32 * 4));
  const worker = new Worker(path.join(__dirname, 'helper-worker.js'), { workerData: { ctrl: ctrl.buffer, heap } });
  worker.on('error', () => {
    broken = true; // never again; the caller's own range still runs
  });
  worker.unref();
  helper = { worker, ctrl, heap, seq: 0 };
  return helper;
}

/** Ends the helper thread (a new one starts on the next split). */
export function stopHelper(): void {
  if (!helper) return;
  Atomics.store(helper.ctrl, 0, -1);
  Atomics.notify(helper.ctrl, 0);
  void helper.worker.terminate();
  helper = null;
}

/** Kinds of work the helper knows (helper-worker.js). */
export const HelperJob = { MaxPoolGrad: 1, AvgPoolGrad: 2, BatchLast: 3, SumRows: 4 } as const;
export type HelperJob = (typeof HelperJob)[keyof typeof HelperJob];

/**
 * Runs a job over images [0, n): the helper does [⌊n/2⌋, n) on the heap at the given float offsets
 * (pooling: x, y, dy, dx; transpose: x, -, -, out; sums: x, -, -, the helper's partial sums), this thread runs `own(0, ⌊n/2⌋)`, then waits
 * for the helper. Without a helper, `own(0, n)`.
 */
export function splitOverBatch(heap: ArrayBufferLike, n: number, job: HelperJob, offsets: [number, number, number, number], dims: number[], own: (from: number, to: number) => void): void {
  const h = n >= 2 ? helperFor(heap) : null;
  if (h === null) {
    own(0, n);
    return;
  }
  const half = Math.floor(n / 2);
  h.ctrl.set([job, ...offsets, n, half, n], 2);
  h.ctrl.set(dims, 10);
  const seq = ++h.seq;
  Atomics.store(h.ctrl, 0, seq);
  Atomics.notify(h.ctrl, 0);
  own(0, half);
  // A helper that died cannot say so while this thread blocks (its 'error' event needs the event
  // loop): after 10 s without an answer, give up on it and do its half here.
  const deadline = performance.now() + 10000;
  for (let done = Atomics.load(h.ctrl, 1); done !== seq; done = Atomics.load(h.ctrl, 1)) {
    if (broken || performance.now() > deadline) {
      broken = true;
      stopHelper();
      own(half, n);
      return;
    }
    Atomics.wait(h.ctrl, 1, done, 100);
  }
  jobs++;
}
