/**
 * Saving and restoring a model's weights and its optimizer's whole state, so an LR range test leaves
 * the model exactly as it found it.
 *
 * tfjs optimizers keep their state in own fields (not all expose it: Adamax's `getWeights()` throws),
 * so the optimizer is walked generically: numbers and booleans are copied, `tf.Variable` fields (Adam's
 * `accBeta1`, Adamax's `iteration`) and slot arrays of `{originalName, variable}` (momentum
 * accumulators, Adam moments, …) are cloned. Slots the test created are disposed on restore. The kept
 * LR/momentum scalars of SGD/Momentum are rebuilt from the restored numbers.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { setLearningRate, setMomentum, hasMomentum, getLearningRate, getMomentum } from './optimizers.js';

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

interface OptimizerSnapshot {
  keys: Set<string>;
  scalars: Map<string, number | boolean | null | undefined>;
  variables: Map<string, tf.Tensor>;
  slots: Map<string, Array<{ originalName: string; value: tf.Tensor } | null>>;
  lr: number;
  momentum: number | undefined;
}

/** A saved model + optimizer state. Call `restore()` once, or `dispose()` to drop it. */
export interface TrainingSnapshot {
  /** Puts the weights and the optimizer's state back as they were, and frees the copy. */
  restore(): void;
  /** Frees the copy without restoring. */
  dispose(): void;
}

function isSlotArray(value: unknown): value is Array<Slot | undefined> {
  return (
    Array.isArray(value) &&
    value.every(
      (s) => s == null || (typeof s === 'object' && 'variable' in s && (s as Slot).variable instanceof tf.Variable),
    )
  );
}

function snapshotOptimizer(opt: tf.Optimizer): OptimizerSnapshot {
  const fields = opt as unknown as Record<string, unknown>;
  const snap: OptimizerSnapshot = {
    keys: new Set(Object.keys(fields)),
    scalars: new Map(),
    variables: new Map(),
    slots: new Map(),
    lr: getLearningRate(opt),
    momentum: hasMomentum(opt) ? getMomentum(opt) : undefined,
  };
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
      snap.scalars.set(key, value);
    } else if (value instanceof tf.Variable) {
      snap.variables.set(key, tf.clone(value));
    } else if (isSlotArray(value)) {
      snap.slots.set(
        key,
        Array.from(value, (s) => (s == null ? null : { originalName: s.originalName, value: tf.clone(s.variable) })),
      );
    }
  }
  return snap;
}

function restoreOptimizer(opt: tf.Optimizer, snap: OptimizerSnapshot): void {
  const fields = opt as unknown as Record<string, unknown>;
  // Kept scalars first (they compare against the fields), then the plain fields.
  setLearningRate(opt, snap.lr);
  if (snap.momentum !== undefined) setMomentum(opt, snap.momentum);
  for (const [key, value] of snap.scalars) fields[key] = value;
  // Fields the optimizer created during the test (its iteration count, lazily made state): drop them.
  for (const key of Object.keys(fields)) {
    if (snap.keys.has(key)) continue;
    const value = fields[key];
    if (value instanceof tf.Tensor) value.dispose();
    else if (isSlotArray(value)) value.forEach((s) => s?.variable.dispose());
    delete fields[key];
  }
  for (const [key, saved] of snap.variables) {
    (fields[key] as tf.Variable).assign(saved);
    saved.dispose();
  }
  for (const [key, saved] of snap.slots) {
    const current = fields[key] as Array<Slot | undefined>;
    // Slots the test created (the optimizer had not stepped yet, or new variables): dispose them.
    for (let k = saved.length; k < current.length; k++) current[k]?.variable.dispose();
    current.length = saved.length;
    saved.forEach((s, k) => {
      const slot = current[k];
      if (s == null) {
        // Empty before the test: drop what the test put there.
        slot?.variable.dispose();
        delete current[k];
        return;
      }
      if (slot != null) slot.variable.assign(s.value);
      s.value.dispose();
    });
  }
}

/** Saves the model's weights (trainable and not) and its optimizer's state. */
export function snapshotTraining(model: tf.LayersModel): TrainingSnapshot {
  const weights = model.weights.map((w) => tf.clone(w.read()));
  const opt = model.optimizer;
  const optState = opt == null ? null : snapshotOptimizer(opt);
  let done = false;
  const dispose = (): void => {
    if (done) return;
    done = true;
    tf.dispose(weights);
    if (optState) {
      tf.dispose([...optState.variables.values()]);
      for (const slots of optState.slots.values()) tf.dispose(slots.flatMap((s) => (s ? [s.value] : [])));
    }
  };
  return {
    restore(): void {
      if (done) throw new Error('this training snapshot was already restored or disposed');
      model.weights.forEach((w, k) => w.write(weights[k]));
      if (opt != null && optState != null) restoreOptimizer(opt, optState);
      dispose();
    },
    dispose,
  };
}
