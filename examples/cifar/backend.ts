/**
 * Picks the fastest backend that can train convnets here: tfjs-node where it loads; else the wasm
 * backend with the two training kernels it lacks (see wasm-kernels.ts); else the stock cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

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

export async function chooseBackend(forced?: BackendName): Promise<BackendChoice> {
  if (forced === 'tensorflow' || forced === undefined) {
    const failure = tryTfjsNode();
    if (failure === null && (await tf.setBackend('tensorflow'))) {
      return { name: 'tensorflow', why: forced ? '--backend tensorflow' : '@tensorflow/tfjs-node loaded (native TensorFlow)' };
    }
    if (forced) throw new Error(`--backend tensorflow: @tensorflow/tfjs-node does not load here (${failure})`);
    const why = `@tensorflow/tfjs-node is not available (${failure})`;
    if (await useWasm()) return { name: 'wasm', why: `${why}; wasm with SIMD ${await simd()} and the example's two training kernels` };
    await useCpu();
    return { name: 'cpu', why: `${why}, nor is wasm; the stock cpu backend is slow for convnets (~0.5 images/s)` };
  }
  if (forced === 'wasm') {
    if (!(await useWasm())) throw new Error('--backend wasm: the wasm backend does not initialise here');
    return { name: 'wasm', why: `--backend wasm (SIMD ${await simd()}, with the example's training kernels)` };
  }
  await useCpu();
  return { name: 'cpu', why: '--backend cpu (slow for convnets: ~0.5 images/s)' };
}

async function useWasm(): Promise<boolean> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return false;
    registerWasmTrainingKernels();
    return true;
  } catch {
    return false;
  }
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
