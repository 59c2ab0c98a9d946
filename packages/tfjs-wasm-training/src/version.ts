/**
 * The tfjs versions this package was written for, and whether the installed ones differ: its kernels
 * and the threads patch read tfjs-backend-wasm's internals, which change between versions.
 */
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { testedWith } from '../package.json';

/** The versions in package.json's `testedWith`. */
export const TESTED_WITH: Readonly<Record<string, string>> = testedWith;

/**
 * Null when the installed tfjs-core and tfjs-backend-wasm are the tested versions; else one line
 * saying which differs (the caller then uses the stock backends).
 */
export function versionMismatch(installed: { core: string; wasm: string } = { core: tf.version_core, wasm: version_wasm }): string | null {
  const differ = [
    ['@tensorflow/tfjs-core', installed.core],
    ['@tensorflow/tfjs-backend-wasm', installed.wasm],
  ].filter(([name, v]) => TESTED_WITH[name] !== v);
  if (differ.length === 0) return null;
  return `tfjs-wasm-training was written for ${differ.map(([name]) => `${name} ${TESTED_WITH[name]}`).join(' and ')}, this is ${differ.map(([, v]) => v).join(' and ')}: its kernels and threads are off (stock backends)`;
}
