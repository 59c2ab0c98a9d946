/**
 * A helper thread for the example's JS kernels. XNNPACK's pool uses every core for convolutions, but
 * the JS kernels (pooling gradients, a transpose, sums) run on the main thread while the other core
 * waits. In the threaded wasm build the heap is a SharedArrayBuffer, so a worker can work on it
 * directly: it takes the second half of the batch, this thread the first (windows never cross
 * images). Synchronised with Atomics on a small shared control block; no copies, no messages per call.
 * When the heap grows (a new SharedArrayBuffer over the same memory), the worker gets the new one
 * through a MessagePort it reads synchronously before its next job, instead of being restarted.
 *
 * Used only where the heap is shared and there are 2+ cores; anything else runs on this thread alone.
 */
import { cpus } from 'node:os';
import * as path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  heap: SharedArrayBuffer;
  /** Where a grown heap is sent (ctrl[HEAP_SENT] says one is waiting). */
  port: MessagePort;
  seq: number;
}

/** ctrl[0]: job sequence number (-1 = stop); [1]: last job done; [2–9]: job; [10–20]: dims; [HEAP_SENT]: 1 = a new heap is on the port. */
const HEAP_SENT = 31;

let helper: Helper | null = null;
let broken = false;
let jobs = 0;
let starts = 0;

/** Jobs the helper thread has run (for tests and benchmarks). */
export function helperJobs(): number {
  return jobs;
}

/** Helper threads started so far (1 for a whole run, however often the heap grows). */
export function helperStarts(): number {
  return starts;
}

function helperFor(heap: ArrayBufferLike): Helper | null {
  if (broken || !(heap instanceof SharedArrayBuffer) || cpus().length < 2) return null;
  if (helper && helper.heap !== heap) {
    // The heap grew: the worker holds the buffer it was given. It takes the new one before its next job.
    helper.port.postMessage(heap);
    Atomics.store(helper.ctrl, HEAP_SENT, 1);
    helper.heap = heap;
  }
  if (helper) return helper;
  const ctrl = new Int32Array(new SharedArrayBuffer(32 * 4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(path.join(__dirname, 'helper-worker.js'), { workerData: { ctrl: ctrl.buffer, heap, port: port2, jobs: HelperJob, heapSent: HEAP_SENT }, transferList: [port2] });
  worker.on('error', () => {
    broken = true; // never again; the caller's own range still runs
  });
  worker.unref();
  port1.unref();
  starts++;
  helper = { worker, ctrl, heap, port: port1, seq: 0 };
  return helper;
}

/** Ends the helper thread (a new one starts on the next split). */
export function stopHelper(): void {
  if (!helper) return;
  Atomics.store(helper.ctrl, 0, -1);
  Atomics.notify(helper.ctrl, 0);
  void helper.worker.terminate();
  helper.port.close();
  helper = null;
}

/** Kinds of work the helper knows (helper-worker.js). */
export const HelperJob = { MaxPoolGrad: 1, AvgPoolGrad: 2, BatchLast: 3, SumRows: 4 } as const;
export type HelperJob = (typeof HelperJob)[keyof typeof HelperJob];

/**
 * Runs a job over images [0, n): the helper does [⌊n/2⌋, n) on the heap at the given float offsets
 * (pooling: x, y, dy, dx; transpose: x, -, -, out; sums: x, -, -, the helper's partial sums), this
 * thread runs `own(0, ⌊n/2⌋)`, then waits for the helper. Without a helper, `own(0, n)`.
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
