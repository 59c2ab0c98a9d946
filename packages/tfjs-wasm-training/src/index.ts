/**
 * tfjs-wasm-training: fast convnet training on tfjs's `wasm` backend in Node, for the CIFAR-10 example
 * and the benches. One call picks the backend: tfjs-node where it loads; else wasm with the threaded
 * build, the training kernels the stock backend lacks or runs slowly (one file each under
 * `kernels/`) and, where the addon is built (`npm run build:native`), oneDNN convolutions; else cpu.
 *
 * It reaches into tfjs-backend-wasm's internals (its bundle's code, Emscripten's thread pool, the
 * backend's heap), so it is tied to the version it was written for (`testedWith` in package.json):
 * with any other, it says so in one line and uses the stock backends.
 */
export { chooseBackend, type BackendChoice, type BackendName, type WasmOptions } from './backend.js';
export { registerWasmTrainingKernels, type KernelSet } from './registry.js';
export { nativeConvolutions, NATIVE_ADDON } from './native.js';
export { enableWasmThreads, type ThreadsResult } from './threads.js';
export { helperJobs, helperStarts } from './helper.js';
export { versionMismatch, TESTED_WITH } from './version.js';
