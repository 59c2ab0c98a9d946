/**
 * The version check: the package reads tfjs-backend-wasm's internals, so with any tfjs but the one in
 * package.json's `testedWith` it turns itself off and says why in one line.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { TESTED_WITH, versionMismatch } from '../src/index.js';

const pinned = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { testedWith: Record<string, string>; peerDependencies: Record<string, string> };

test('the tested versions are the ones package.json pins (and the ones installed here)', () => {
  expect(TESTED_WITH).toEqual(pinned.testedWith);
  expect(pinned.peerDependencies['@tensorflow/tfjs-backend-wasm']).toBe(pinned.testedWith['@tensorflow/tfjs-backend-wasm']);
  expect(versionMismatch({ core: tf.version_core, wasm: version_wasm })).toBeNull();
  expect(versionMismatch()).toBeNull();
});

test('another version: one line naming the package, the version written for and the one found', () => {
  const msg = versionMismatch({ core: '4.23.0', wasm: pinned.testedWith['@tensorflow/tfjs-backend-wasm'] });
  expect(msg).toBe(`tfjs-wasm-training was written for @tensorflow/tfjs-core ${pinned.testedWith['@tensorflow/tfjs-core']}, this is 4.23.0: its kernels and threads are off (stock backends)`);
  expect(versionMismatch({ core: '5.0.0', wasm: '5.0.0' })).toMatch(/written for @tensorflow\/tfjs-core 4\.22\.0 and @tensorflow\/tfjs-backend-wasm 4\.22\.0, this is 5\.0\.0 and 5\.0\.0/);
});
