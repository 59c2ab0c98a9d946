/**
 * Multi-threaded wasm in Node: tfjs 4.22 ships a threaded SIMD build of its wasm backend (XNNPACK with
 * a pthread pool), but never uses it in Node (`WASM_HAS_MULTITHREAD_SUPPORT` is false there, tfjs
 * issue #3830) and caps the pool at half the logical cores. Both reasons are in how the build is
 * loaded, not in the build: its pthreads run on Node's `worker_threads` fine once the worker can load
 * two scripts the browser path passes as `Blob` URLs, which Node's `Worker` cannot open.
 *
 * `enableWasmThreads` writes those two scripts to a temporary folder, makes `URL.createObjectURL`
 * return their paths while the backend starts, and reports the logical core count (not half of it)
 * to the build's thread-pool sizing; everything is put back afterwards. On 2 cores, XNNPACK's
 * convolutions and matrix products then run ~1.8× faster (bench/speed.ts).
 *
 * Node-only (the example's backend picker calls it); browsers get threads from tfjs itself when the
 * page is cross-origin isolated.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';

/** What the bundled factory expects in scope (tfjs-backend-wasm's rollup names for Node built-ins). */
const FACTORY_PRELUDE =
  "var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os');\n" +
  'var commonjsGlobal = globalThis;\n';

type Tagged = Blob & { __tfjsClrFile?: string };

export interface ThreadsResult {
  /** Threads in XNNPACK's pool (1 if the threaded build did not start). */
  threads: number;
  /** Why threads are off, when they are. */
  why?: string;
}

/**
 * Starts the `wasm` backend with the threaded SIMD build and `threads` threads (default: the logical
 * cores). Must run before the wasm backend is first used. Returns the pool size actually in use.
 */
export async function enableWasmThreads(threads = os.cpus().length): Promise<ThreadsResult> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) return { threads: 1, why: 'no wasm SIMD here' };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfjs-clr-wasm-threads-'));
  const factoryFile = path.join(dir, 'factory.cjs');
  const workerFile = path.join(dir, 'worker.cjs');
  const RealBlob = globalThis.Blob;
  const realCreate = URL.createObjectURL;
  const realRevoke = URL.revokeObjectURL;
  const realCpus = os.cpus;
  // The two scripts the threaded build hands its workers as Blobs: the module factory and the worker
  // entry. Written as files, returned by path from createObjectURL (the worker also loads the
  // factory through createObjectURL, so its entry script starts by pointing that at the file).
  class FileBackedBlob extends RealBlob {
    __tfjsClrFile?: string;
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      const text = (parts ?? []).map((p) => (typeof p === 'string' ? p : '')).join('');
      if (text.startsWith('var WasmBackendModuleThreadedSimd')) {
        writeFileSync(factoryFile, FACTORY_PRELUDE + text);
        this.__tfjsClrFile = factoryFile;
      } else if (text.includes('ENVIRONMENT_IS_PTHREAD')) {
        writeFileSync(workerFile, `URL.createObjectURL = () => ${JSON.stringify(factoryFile)}; URL.revokeObjectURL = () => {};\n${text}`);
        this.__tfjsClrFile = workerFile;
      }
    }
  }
  globalThis.Blob = FileBackedBlob as typeof Blob;
  URL.createObjectURL = (b: Blob) => (b as Tagged).__tfjsClrFile ?? realCreate(b);
  URL.revokeObjectURL = (u: string) => (u.startsWith(dir) ? undefined : realRevoke(u));
  // The build sizes its pool as min(requested, logical cores / 2) ("2 threads per core"); report
  // twice the cores while it starts so the cap is the real core count.
  (os as { cpus: typeof os.cpus }).cpus = () => [...realCpus(), ...realCpus()];
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } finally {
    globalThis.Blob = RealBlob;
    URL.createObjectURL = realCreate;
    (os as { cpus: typeof os.cpus }).cpus = realCpus;
  }
  if (!ok) return { threads: 1, why: 'the threaded wasm build did not start' };
  unrefWorkers();
  // Workers have loaded both scripts by now; the files are no longer needed.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return { threads: wasm.getThreadsCount() };
}

/** Lets Node exit while pool threads idle (Emscripten keeps them referenced). */
function unrefWorkers(): void {
  const mod = (tf.backend() as unknown as { wasm?: { PThread?: { unusedWorkers: Array<{ unref?: () => void }>; runningWorkers: Array<{ unref?: () => void }> } } }).wasm;
  const pool = mod?.PThread;
  if (!pool) return;
  for (const w of [...pool.unusedWorkers, ...pool.runningWorkers]) w.unref?.();
}
