/**
 * Picks the fastest backend that can train convnets here: tfjs-node where it loads; else the wasm
 * backend, multi-threaded (threads.ts), with the training kernels it lacks or runs slowly
 * (registry.ts, kernels/); else the stock cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels, type KernelSet } from './registry.js';
import { nativeConvolutions } from './native.js';
import { enableWasmThreads } from './threads.js';
import { versionMismatch } from './version.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  name: BackendName;
  why: string;
}

function tryTfjsNode(): string | null {
  try {
    require('@tensorflow/tfjs-node');
    return null;
  } catch (e) {
    // An install whose download failed throws something other than MODULE_NOT_FOUND: catch everything.
    return (e as Error).message.split('\n')[0];
  }
}

export interface WasmOptions {
  /** XNNPACK threads (default: the logical cores; 1 = the stock single-threaded build). */
  threads?: number;
  /**
   * The training kernels (default: 'native' where the oneDNN addon is built, else 'fast'; 'baseline' =
   * only the two the stock backend lacks, bench:speed's reference).
   */
  kernels?: KernelSet;
}

export async function chooseBackend(forced?: BackendName, wasmOptions: WasmOptions = {}): Promise<BackendChoice> {
  const useWasm = () => startWasm(wasmOptions);
  if (forced === 'tensorflow' || forced === undefined) {
    const failure = tryTfjsNode();
    if (failure === null && (await tf.setBackend('tensorflow'))) {
      return { name: 'tensorflow', why: forced ? '--backend tensorflow' : '@tensorflow/tfjs-node loaded (native TensorFlow)' };
    }
    if (forced) throw new Error(`--backend tensorflow: @tensorflow/tfjs-node does not load here (${failure})`);
    const why = `@tensorflow/tfjs-node is not available (${failure})`;
    const mismatch = wasmInstalled() ? versionMismatch() : null;
    if (mismatch !== null) {
      // The stock wasm backend cannot train convnets (no Conv2DBackpropFilter): cpu is slow but right.
      console.warn(mismatch);
      await useCpu();
      return { name: 'cpu', why: `${why}; ${mismatch}; the stock cpu backend is slow for convnets (~0.5 images/s)` };
    }
    const wasm = await useWasm();
    if (wasm !== null) return { name: 'wasm', why: `${why}; wasm with SIMD ${await simd()}, ${wasm}` };
    await useCpu();
    return { name: 'cpu', why: `${why}, nor is wasm; the stock cpu backend is slow for convnets (~0.5 images/s)` };
  }
  if (forced === 'wasm') {
    const mismatch = wasmInstalled() ? versionMismatch() : null;
    if (mismatch !== null) {
      console.warn(mismatch);
      if (!(await tf.setBackend('wasm').catch(() => false))) throw new Error('--backend wasm: the wasm backend does not initialise here');
      return { name: 'wasm', why: `--backend wasm, stock kernels (${mismatch})` };
    }
    const wasm = await useWasm();
    if (wasm === null) throw new Error('--backend wasm: the wasm backend does not initialise here');
    return { name: 'wasm', why: `--backend wasm (SIMD ${await simd()}, ${wasm})` };
  }
  await useCpu();
  return { name: 'cpu', why: '--backend cpu (slow for convnets: ~0.5 images/s)' };
}

/** Whether @tensorflow/tfjs-backend-wasm can be loaded (it registers the backend). */
function wasmInstalled(): boolean {
  try {
    require('@tensorflow/tfjs-backend-wasm');
    return true;
  } catch {
    return false;
  }
}

/** Starts wasm (threaded if asked and possible); returns how many threads and which kernels run, or null if it cannot start. */
async function startWasm(o: WasmOptions): Promise<string | null> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
  } catch {
    return null;
  }
  let threads = `1 thread`;
  if (o.threads === undefined || o.threads > 1) {
    const r = await enableWasmThreads(o.threads).catch((e: unknown) => ({ threads: 1, why: (e as Error).message }));
    threads = r.why ? `1 thread (threads off: ${r.why})` : `${r.threads} threads`;
  }
  if (tf.getBackend() !== 'wasm') {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm').catch(() => false))) return null;
  }
  const native = nativeConvolutions();
  const kernels = o.kernels ?? (native.addon ? 'native' : 'fast');
  registerWasmTrainingKernels(kernels);
  if (kernels === 'native') return `${threads}, the example's training kernels and ${native.why}`;
  return `${threads} and the example's training kernels${kernels === 'fast' && o.kernels === undefined ? ` (${native.why})` : ''}`;
}

async function simd(): Promise<string> {
  return (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'on' : 'off';
}

async function useCpu(): Promise<void> {
  // No "install tfjs-node" banner: we say what runs and why ourselves. (IS_TEST also makes tfjs check
  // every kernel for leaks, which the stock wasm kernels fail, so it is set for cpu only.)
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
}
