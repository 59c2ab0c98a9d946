/**
 * Copying an optimizer's whole state and putting it back: the one place that knows where optimizers
 * keep it. An optimizer that owns a copy of its state ({@link OwnsState}: tfjs-clr's learning-rate-free
 * optimizers) makes its own; tfjs's built-ins go through their own `getWeights`/`setWeights`, with one
 * adapter row a gap in `OPTIMIZER_FACTS` (src/optimizerFacts.ts). Copies are copies (the live
 * variables are never handed out), and putting one back leaks nothing.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { factsOf, type StateAccess } from '../optimizerFacts.js';
import { getLearningRate, getMomentum, hasMomentum, setLearningRate, setMomentum } from './optimizers.js';

/** A copy of an optimizer's state: put it back once, or drop it. */
export interface OptimizerStateCopy {
  /** Puts the optimizer's state back as it was when the copy was made, and frees the copy. */
  restore(): Promise<void>;
  /** Frees the copy without putting it back. */
  dispose(): void;
}

/** An optimizer that copies its own state exactly (every tensor, counter and host-side number). */
export interface OwnsState {
  /** A copy of all the optimizer's state, to put back with `restore()`. */
  copyState(): OptimizerStateCopy;
}

/** True when `opt` copies its own state ({@link OwnsState}). */
export function ownsState(opt: tf.Optimizer): opt is tf.Optimizer & OwnsState {
  return typeof (opt as Partial<OwnsState>).copyState === 'function';
}

/** A tfjs slot: what `getWeights` hands out for each variable's state. */
interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/** The fields of the built-ins the adapter rows name (private in tfjs's typings). */
type Fields = Record<string, unknown> & { iterations_?: number };

/** The optimizer's fields, for the adapter rows (the one place this module looks past tfjs's typings). */
function fieldsOf(opt: tf.Optimizer): Fields {
  return opt as unknown as Fields;
}

/** What a copy does: put the state back, and free the copy. */
interface CopyParts {
  put: () => Promise<void>;
  free: () => void;
}

/**
 * A one-shot copy from its parts: `restore` puts back then frees, `dispose` frees; whichever comes
 * first acts, a second restore throws (`what` names the copy in that error). Every state copy of the
 * library is made with it (optimizers' and training snapshots).
 */
export function oneShotCopy(what: string, { put, free }: CopyParts): OptimizerStateCopy {
  let done = false;
  const finish = (): void => {
    if (!done) free();
    done = true;
  };
  return {
    async restore(): Promise<void> {
      if (done) throw new Error(`${what} was already restored or disposed`);
      try {
        await put();
      } finally {
        finish();
      }
    },
    dispose: finish,
  };
}

/** Copies of the one-element variables a row names (Adam's β products, Adamax's counters). */
function copyScalars(fields: Fields, names: readonly string[]): Map<string, tf.Tensor> {
  return new Map(names.map((name) => [name, tf.clone(fields[name] as tf.Variable)]));
}

function putScalars(fields: Fields, saved: Map<string, tf.Tensor>): void {
  for (const [name, value] of saved) (fields[name] as tf.Variable).assign(value);
}

/** A built-in whose `getWeights`/`setWeights` work: copies of what it hands out, plus the row's scalars. */
async function copyThroughWeights(opt: tf.Optimizer, access: Extract<StateAccess, { api: 'weights' }>): Promise<CopyParts> {
  const fields = fieldsOf(opt);
  const live = await opt.getWeights();
  // live[0] is a new scalar of the iteration count; the rest are the optimizer's own variables.
  const saved = live.map(({ name, tensor }) => ({ name, tensor: tf.clone(tensor) }));
  live[0]?.tensor.dispose();
  const scalars = copyScalars(fields, access.scalarVariables ?? []);
  return {
    put: async () => {
      const current = await opt.getWeights();
      await opt.setWeights(saved); // new variables sharing the copies' data
      tf.dispose(current.map((w) => w.tensor)); // the replaced variables (setWeights keeps them alive)
      putScalars(fields, scalars);
    },
    free: () => {
      tf.dispose(saved.map((w) => w.tensor));
      tf.dispose([...scalars.values()]);
    },
  };
}

/** A built-in whose `getWeights` throws (Adamax): the row's slot arrays and scalar variables, and the count. */
function copyThroughFields(opt: tf.Optimizer, access: Extract<StateAccess, { api: 'fields' }>): CopyParts {
  const fields = fieldsOf(opt);
  const iterations = opt.iterations;
  const slots = new Map(
    access.slotFields.map((name) => [name, Array.from(fields[name] as Array<Slot | undefined>, (s) => (s == null ? null : { originalName: s.originalName, value: tf.clone(s.variable) }))]),
  );
  const scalars = copyScalars(fields, access.scalarVariables);
  return {
    put: async () => {
      for (const [name, copies] of slots) {
        tf.dispose((fields[name] as Array<Slot | undefined>).flatMap((s) => (s == null ? [] : [s.variable])));
        fields[name] = copies.map((c) => (c == null ? undefined : { originalName: c.originalName, variable: c.value.variable(false) }));
      }
      putScalars(fields, scalars);
      fields.iterations_ = iterations;
    },
    free: () => {
      for (const copies of slots.values()) tf.dispose(copies.flatMap((c) => (c == null ? [] : [c.value])));
      tf.dispose([...scalars.values()]);
    },
  };
}

/**
 * A copy of `opt`'s whole state: its own ({@link OwnsState}), or a built-in's through its row in
 * `OPTIMIZER_FACTS`, with its learning rate and momentum. Throws, naming the class, for an optimizer
 * whose state cannot be copied (a class of your own without `copyState()` nor working
 * `getWeights`/`setWeights`).
 */
export async function copyOptimizerState(opt: tf.Optimizer): Promise<OptimizerStateCopy> {
  if (ownsState(opt)) return opt.copyState();
  const name = opt.getClassName();
  const row = factsOf(name)?.state ?? { api: 'weights' as const };
  const lr = getLearningRate(opt);
  const momentum = hasMomentum(opt) ? getMomentum(opt) : undefined;
  let parts: CopyParts;
  try {
    parts = row.api === 'fields' ? copyThroughFields(opt, row) : await copyThroughWeights(opt, row);
  } catch (e) {
    throw new Error(
      `cannot copy the state of optimizer ${JSON.stringify(name)} (${(e as Error).message}); give the class working getWeights()/setWeights() ` +
        'or a copyState() (see OwnsState), or pass restore: false to the range test',
    );
  }
  return oneShotCopy('this optimizer state copy', {
    put: async () => {
      await parts.put();
      // The LR and momentum last: SGD's and Momentum's kept scalars are rebuilt from these numbers.
      setLearningRate(opt, lr);
      if (momentum !== undefined) setMomentum(opt, momentum);
    },
    free: parts.free,
  });
}

/**
 * The one-element variables of a built-in that tfjs's save leaves out or rebuilds wrongly (its row's
 * `scalarVariables`, e.g. Adam's β products), by name; `saveTraining` keeps their values.
 */
export function unsavedScalars(opt: tf.Optimizer): Array<[string, tf.Variable]> {
  const row = factsOf(opt.getClassName())?.state;
  const fields = fieldsOf(opt);
  return row?.api === 'weights' ? (row.scalarVariables ?? []).map((name) => [name, fields[name] as tf.Variable]) : [];
}
