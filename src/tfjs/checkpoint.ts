/**
 * Resuming a run in a new process: the model with its optimizer's state (tfjs's own
 * `model.save(…, { includeOptimizer: true })`) and the schedule callbacks' `getState()`, kept in the
 * same model.json (its `userDefinedMetadata`), so one save and one load bring back the same LRs.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { unsavedScalars } from './optimizerState.js';
import { factsOf, LR_FREE_CLASSES } from '../optimizerFacts.js';

/** A callback whose position can be saved as plain JSON and restored: every tfjs-clr scheduling callback. */
export interface StatefulCallback {
  /** The callback's position and settings as plain JSON. */
  getState(): object;
  /** Restores a {@link getState} result. */
  setState(state: never): void;
  /** Tensors that belong to the state (WeightAveraging's average), saved as weights beside the model's; copies. */
  getStateTensors?(): tf.Tensor[];
  /** Takes back {@link getStateTensors}'s tensors (owning them), after `setState`. */
  setStateTensors?(tensors: tf.Tensor[]): void;
}

/** The prefix of the weight names under which callbacks' state tensors are saved. */
const TENSOR_PREFIX = 'tfjs-clr-state';

/** Where tfjs-clr keeps the states in a model's user-defined metadata. */
const KEY = 'tfjs-clr';

interface Saved {
  version: 1;
  states: Record<string, object>;
  /**
   * The optimizer's scalar variables outside its getWeights() (its row's `scalarVariables` in
   * OPTIMIZER_FACTS: Adam's running products of beta1 and beta2): tfjs rebuilds them on load as
   * beta^(steps + 1), which is wrong once a schedule has cycled beta1.
   */
  optimizerScalars: Record<string, number>;
}

function checkNamed(where: string, callbacks: Record<string, StatefulCallback>): void {
  if (callbacks == null || typeof callbacks !== 'object' || Array.isArray(callbacks)) {
    throw new Error(`${where}: callbacks must be an object naming each callback, e.g. { clr }; got ${Array.isArray(callbacks) ? 'an array' : String(callbacks)}`);
  }
  for (const [name, cb] of Object.entries(callbacks)) {
    if (typeof cb?.getState !== 'function' || typeof cb?.setState !== 'function') {
      throw new Error(`${where}: callbacks.${name} has no getState/setState (tfjs-clr's CyclicLR, OneCycleLR, LRScheduler and ReduceLROnPlateau have them)`);
    }
  }
}

/**
 * Saves `model` with its optimizer's state, and the state of each named callback, to `destination`
 * (any tfjs URL or IOHandler: `file://dir` with tfjs-node, `indexeddb://name` in a browser, …). The
 * states go into model.json's user-defined metadata, next to any metadata of yours.
 *
 * @example
 * ```ts
 * const clr = new CyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSize: 2000 });
 * await model.fit(xs, ys, { epochs: 3, callbacks: [clr] });
 * await saveTraining(model, 'file://./run', { clr });
 * // later, in a new process:
 * const clr2 = new CyclicLR({ baseLR: 0.001, maxLR: 0.006, stepSize: 2000 });
 * const model2 = await loadTraining('file://./run/model.json', { clr: clr2 });
 * await model2.fit(xs, ys, { epochs: 3, callbacks: [clr2] });   // the LRs carry on where they were
 * ```
 */
export async function saveTraining(model: tf.LayersModel, destination: string | tf.io.IOHandler, callbacks: Record<string, StatefulCallback>): Promise<tf.io.SaveResult> {
  checkNamed('saveTraining', callbacks);
  if (model.optimizer == null) throw new Error('saveTraining: the model has no optimizer; compile it (and train) before saving a run to resume');
  const optimizer = model.optimizer.getClassName();
  if (factsOf(optimizer)?.state.api === 'fields') {
    throw new Error(`saveTraining: the state of ${optimizer} cannot be saved: tfjs's ${optimizer} has no getWeights() (tfjs 4.22), so model.save cannot include it; train with Adam, or save without the optimizer (model.save) and accept a fresh ${optimizer} on resume`);
  }
  const saved: Saved = {
    version: 1,
    states: Object.fromEntries(Object.entries(callbacks).map(([name, cb]) => [name, cb.getState()])),
    optimizerScalars: Object.fromEntries(unsavedScalars(model.optimizer).map(([k, v]) => [k, v.dataSync()[0]])),
  };
  const own = Object.entries(callbacks).flatMap(([name, cb]) => (cb.getStateTensors ? cb.getStateTensors().map((t, k) => ({ name: `${TENSOR_PREFIX}/${name}/${k}`, tensor: t })) : []));
  const encoded = own.length > 0 ? await tf.io.encodeWeights(own) : null;
  tf.dispose(own.map((o) => o.tensor));
  const inner = typeof destination === 'string' ? tf.io.getSaveHandlers(destination)[0] : destination;
  if (inner?.save == null) {
    throw new Error(`saveTraining: no tfjs save handler for ${JSON.stringify(destination)} (file:// needs @tensorflow/tfjs-node; without it in Node pass folderHandler(dir) from 'tfjs-clr/node'; in a browser use indexeddb:// or localstorage://; or pass any IOHandler)`);
  }
  // The states travel in the saved artifacts only; the model's own metadata is left untouched.
  // The state tensors go last, after the model's and the optimizer's weights, so tfjs's own layout is untouched.
  const withStates: tf.io.IOHandler = {
    save: (artifacts) =>
      (inner.save as NonNullable<tf.io.IOHandler['save']>)({
        ...artifacts,
        ...(encoded
          ? {
              weightSpecs: [...(artifacts.weightSpecs ?? []), ...encoded.specs],
              weightData: tf.io.concatenateArrayBuffers([weightBytes(artifacts.weightData), encoded.data]),
            }
          : {}),
        userDefinedMetadata: { ...(artifacts.userDefinedMetadata ?? {}), [KEY]: saved },
      }),
  };
  return model.save(withStates, { includeOptimizer: true });
}

/**
 * Loads a model saved by {@link saveTraining} (compiled, with its optimizer's state) and restores each
 * named callback's state, so the next batch uses the LR the run would have used. A callback named here
 * but not in the save, or saved but not named here, is an error (nothing is restored then).
 */
export async function loadTraining(source: string | tf.io.IOHandler, callbacks: Record<string, StatefulCallback>): Promise<tf.LayersModel> {
  checkNamed('loadTraining', callbacks);
  const handler = typeof source === 'string' ? tf.io.getLoadHandlers(source)[0] : source;
  if (handler?.load == null) throw new Error(`loadTraining: no tfjs load handler for ${JSON.stringify(source)} (file:// needs @tensorflow/tfjs-node; without it in Node pass folderHandler(dir) from 'tfjs-clr/node')`);
  const artifacts = await handler.load();
  const { rest, stateTensors } = splitStateTensors(artifacts);
  let model: tf.LayersModel | null = null;
  try {
    const restored = await loadWithStates(rest, callbacks);
    model = restored.model;
    // Each callback takes its own state tensors (after its setState); the others' are freed.
    for (const [name, cb] of Object.entries(callbacks)) {
      const mine = stateTensors.filter((t) => t.name.startsWith(`${TENSOR_PREFIX}/${name}/`)).map((t) => t.tensor);
      if (cb.setStateTensors) cb.setStateTensors(mine);
      else tf.dispose(mine);
    }
    for (const [k, v] of unsavedScalars(model.optimizer)) {
      const value = restored.saved.optimizerScalars?.[k];
      if (typeof value !== 'number') continue;
      const t = tf.scalar(value, v.dtype);
      v.assign(t);
      t.dispose();
    }
    return model;
  } catch (e) {
    tf.dispose(stateTensors.map((t) => t.tensor).filter((t) => !t.isDisposed));
    model?.dispose();
    throw e;
  }
}

/** The model from the artifacts, checked to be a saveTraining save of these callbacks, whose states are restored. */
async function loadWithStates(artifacts: tf.io.ModelArtifacts, callbacks: Record<string, StatefulCallback>): Promise<{ model: tf.LayersModel; saved: Saved }> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    // tfjs names an unregistered optimizer class as an unknown "layer"; ours register on import.
    const name = /Unknown \w+: (\w+)/.exec((e as Error).message)?.[1];
    if (name !== undefined && LR_FREE_CLASSES.includes(name)) {
      throw new Error(`loadTraining: the model was trained with tfjs-clr's ${name}, which tfjs knows only once it is imported: add import 'tfjs-clr/optimizers' before loading`);
    }
    throw e;
  }
  const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const saved = meta?.[KEY] as Saved | undefined;
  if (saved?.version !== 1 || typeof saved.states !== 'object') {
    model.dispose();
    throw new Error('loadTraining: this model was not saved by saveTraining (no tfjs-clr state in its metadata); load it with tf.loadLayersModel');
  }
  const want = Object.keys(callbacks).sort();
  const have = Object.keys(saved.states).sort();
  if (want.join() !== have.join()) {
    model.dispose();
    throw new Error(`loadTraining: the save has states for ${have.join(', ') || 'no callback'}, the callbacks given are ${want.join(', ') || 'none'}; name the same callbacks as when saving`);
  }
  if (model.optimizer == null) {
    model.dispose();
    throw new Error('loadTraining: the saved model has no training config (was it saved with saveTraining?)');
  }
  for (const name of want) (callbacks[name].setState as (s: object) => void)(saved.states[name]);
  const { [KEY]: _ours, ...yours } = meta ?? {};
  model.setUserDefinedMetadata(yours);
  return { model, saved };
}

/** Weight data (one buffer or several, as tfjs hands it) as one buffer. */
export function weightBytes(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers(data);
}

/** Bytes of one saved weight (no quantization in what saveTraining writes). */
function byteSize(spec: tf.io.WeightsManifestEntry): number {
  return tf.util.sizeFromShape(spec.shape) * tf.util.bytesPerElement(spec.dtype);
}

/** The artifacts without the callbacks' state tensors (which saveTraining put last), and those tensors. */
function splitStateTensors(artifacts: tf.io.ModelArtifacts): { rest: tf.io.ModelArtifacts; stateTensors: Array<{ name: string; tensor: tf.Tensor }> } {
  const specs = artifacts.weightSpecs ?? [];
  const first = specs.findIndex((s) => s.name.startsWith(`${TENSOR_PREFIX}/`));
  if (first < 0) return { rest: artifacts, stateTensors: [] };
  const data = weightBytes(artifacts.weightData);
  const ours = specs.slice(first);
  const ourBytes = ours.reduce((a, s) => a + byteSize(s), 0);
  const cut = data.byteLength - ourBytes;
  const decoded = tf.io.decodeWeights(data.slice(cut), ours);
  return {
    rest: { ...artifacts, weightSpecs: specs.slice(0, first), weightData: data.slice(0, cut) },
    stateTensors: ours.map((s) => ({ name: s.name, tensor: decoded[s.name] })),
  };
}

