/**
 * tfjs-clr/node: what Node needs beside the browser-safe core. For now a folder IOHandler, so
 * `saveTraining`/`loadTraining` (and `model.save`/`tf.loadLayersModel`) work in Node without
 * `@tensorflow/tfjs-node`, whose `file://` handler is otherwise the only one.
 * @packageDocumentation
 */
/// <reference types="node" />
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { weightBytes } from '../tfjs/checkpoint.js';

/** Writes `file` whole or not at all (a crash mid-save leaves the previous file). */
function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * A tfjs IOHandler on a folder in tfjs's own layout — `model.json` (with one weights manifest entry)
 * and `weights.bin`, as tfjs-node's `file://` writes them, so either can read what the other saved.
 * Saving makes the folder if needed and replaces each file whole.
 *
 * @example
 * ```ts
 * import { saveTraining, loadTraining } from 'tfjs-clr';
 * import { folderHandler } from 'tfjs-clr/node';
 * await saveTraining(model, folderHandler('./run'), { clr });
 * const again = await loadTraining(folderHandler('./run'), { clr: newClr });   // in a new process
 * ```
 */
export function folderHandler(dir: string): tf.io.IOHandler {
  if (typeof dir !== 'string' || dir === '') throw new Error(`folderHandler: dir must be a folder path, got ${JSON.stringify(dir)}`);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      mkdirSync(dir, { recursive: true });
      const { weightData, weightSpecs, ...rest } = artifacts;
      if (weightData !== undefined) writeAtomically(path.join(dir, 'weights.bin'), new Uint8Array(weightBytes(weightData)));
      const json: tf.io.ModelJSON = {
        ...(rest as Omit<tf.io.ModelJSON, 'weightsManifest'>),
        modelTopology: rest.modelTopology as tf.io.ModelJSON['modelTopology'],
        weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs ?? [] }],
      };
      writeAtomically(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const file = path.join(dir, 'model.json');
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(readFileSync(file, 'utf8')) as tf.io.ModelJSON;
      } catch (e) {
        throw new Error(`folderHandler: cannot read ${file} (${(e as Error).message})`);
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buf = readFileSync(path.join(dir, 'weights.bin'));
        return [manifest.flatMap((g) => g.weights), buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)];
      });
    },
  };
}
