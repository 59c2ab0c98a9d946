/**
 * What the learning-rate-free optimizers share: per-variable state kept beside the model's variables,
 * its serialization (`getWeights`/`setWeights`, so `model.save(…, { includeOptimizer: true })` and
 * `saveTraining` resume them exactly), and, for the optimizers that average their iterates
 * (Schedule-Free, DoG with averaging), the two points: gradients are taken at one point, the model is
 * evaluated at another.
 *
 * The model's variables hold the **evaluation point** between steps: `computeGradients` (which
 * `minimize`, `model.fit`, `fitDataset` and `trainOnBatch` all call) first writes the gradient point
 * into them, `applyGradients` ends by writing the new evaluation point back. So `predict`, `evaluate`,
 * `fit`'s validation and `save` see the weights to evaluate with no mode to remember; `train()` puts
 * the gradient point in the variables for inspection and `eval()` takes it back out.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';
import { fromTable, type OptionRule } from '../validate.js';
import { oneShotCopy, type OptimizerStateCopy, type OwnsState } from '../tfjs/optimizerState.js';

/** A named tensor, as tfjs optimizers save their state (tfjs does not export the type). */
export type NamedTensor = { name: string; tensor: tf.Tensor };

/** One variable's state tensors by slot name ("z", "v", …). */
export type Slots = Record<string, tf.Variable>;

/** A tensor-valued scalar of the optimizer's own (Prodigy's d, DoG's rbar …), saved with its weights. */
export type Scalars = Record<string, tf.Variable>;

/**
 * One variable's state, as a table: each slot's name and how it starts from the variable's value
 * (its order is the order `getWeights` writes the slots in).
 */
export type SlotTable = Readonly<Record<string, (value: tf.Tensor) => tf.Tensor>>;

/** Copies of one variable's slots. */
function copySlots(slots: Slots): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(slots).map(([k, v]) => [k, tf.clone(v)]));
}

/** New slot variables sharing the copies' data (the copies can be freed after). */
function slotsFrom(copies: Record<string, tf.Tensor>): Slots {
  return Object.fromEntries(Object.entries(copies).map(([k, t]) => [k, t.variable(false)]));
}

/** The variables of the engine, by name (tfjs keeps them in its engine; its typings hide the field). */
function registered(): Record<string, tf.Variable> {
  return (tf.engine() as unknown as { registeredVariables: Record<string, tf.Variable> }).registeredVariables;
}

/**
 * The base class of the learning-rate-free optimizers: subclasses implement one step and name their state.
 * @typeParam R - the subclass's options with their defaults filled in (what it was made with and saves).
 */
export abstract class LRFreeOptimizer<R extends { learningRate: number } = { learningRate: number }> extends tf.Optimizer implements OwnsState {
  /**
   * The learning rate (for Prodigy and DoG: the multiplier of the step they estimate, 1 by default).
   * A plain field read at every step, so tfjs-clr's schedules and `setLearningRate` act on it and
   * `logs.learning_rate` reports it.
   */
  learningRate: number;
  /**
   * Whether each step is scaled by a running gradient statistic (Adam-like: Prodigy, Schedule-Free
   * AdamW) or not (SGD-like: Schedule-Free SGD, DoG); the range test's default reading depends on it.
   */
  abstract readonly adaptive: boolean;
  /** State by variable name, in the order the variables were first seen (a Map keeps that order). */
  private readonly state = new Map<string, Slots>();
  /** State restored by `setWeights` before any variable was seen: bound in order to the next ones seen. */
  private pending: Slots[] = [];

  /**
   * The options the optimizer was made with, defaults filled in (what {@link getConfig} saves). Their
   * `learningRate` is the first one: a step reads the field {@link learningRate}, which schedules move.
   */
  protected readonly options: Readonly<R>;

  /** `options`: a table's checked options ({@link resolveOptions}). */
  protected constructor(options: R) {
    super();
    this.options = options;
    this.learningRate = options.learningRate;
  }

  /** The options, with the learning rate as it is now (a schedule may have moved it); JSON has no Infinity: null stands for it. */
  override getConfig(): tf.serialization.ConfigDict {
    const config = { ...this.options, learningRate: this.learningRate };
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? null : v])) as tf.serialization.ConfigDict;
  }

  /** One variable's slots: names (in the order `getWeights` writes them) and their initial values from the variable's value (the evaluation point). */
  protected abstract slotTable(): SlotTable;
  /** The optimizer's own scalars (created in the constructor), in the order `getWeights` writes them. */
  protected abstract scalars(): Scalars;
  /** Numbers the optimizer keeps on the host beside its tensors (none by default), copied with its state. */
  protected hostState(): Record<string, number> {
    return {};
  }
  /** Puts back a {@link hostState} result. */
  protected setHostState(_state: Record<string, number>): void {}
  /** True when gradients are taken at another point than the model is evaluated at (averaging). */
  protected abstract twoPoints(): boolean;
  /**
   * The point to take gradients at, from a variable's state (called only when {@link twoPoints};
   * optimizers with one point keep this default).
   */
  protected gradientPoint(_slots: Slots): tf.Tensor {
    throw new Error(`${this.getClassName()} takes gradients where it is evaluated`);
  }
  /**
   * One step: `items` are the variables with a gradient, with their state; set each variable to its
   * new evaluation point. Runs inside `tf.tidy`; `step` is the 0-based iteration.
   */
  protected abstract step(items: ReadonlyArray<{ variable: tf.Variable; gradient: tf.Tensor; slots: Slots }>, step: number): void;

  /** The state of `variable`, made on first sight (or taken from what `setWeights` restored). */
  private slotsOf(variable: tf.Variable): { slots: Slots; fresh: boolean } {
    const known = this.state.get(variable.name);
    if (known !== undefined) return { slots: known, fresh: false };
    const restored = this.pending.shift();
    const slots = restored ?? tf.tidy(() => Object.fromEntries(Object.entries(this.slotTable()).map(([k, init]) => [k, init(variable).variable(false)])));
    this.state.set(variable.name, slots);
    // A new variable's gradient point is its value: fresh state needs no move.
    return { slots, fresh: restored === undefined };
  }

  /** Writes the gradient point of each variable into it (a no-op for optimizers without averaging). */
  private toGradientPoint(variables: readonly tf.Variable[]): void {
    tf.tidy(() => {
      for (const v of variables) {
        const { slots } = this.slotsOf(v);
        if (this.twoPoints()) v.assign(this.gradientPoint(slots));
        this.moved.add(v.name);
      }
    });
  }

  /** Names of the variables holding their gradient point (moved there since the last step). */
  private readonly moved = new Set<string>();

  override computeGradients(f: () => tf.Scalar, varList?: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
    // Without a varList (minimize(f) in a custom loop) only the variables already stepped are known to be ours.
    const variables = varList ?? Object.values(registered()).filter((v) => v.trainable && this.state.has(v.name));
    this.toGradientPoint(variables);
    return super.computeGradients(f, varList);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const pairs: Array<[string, tf.Tensor | undefined]> = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    const vars = registered();
    const items = pairs.flatMap(([name, gradient]) => {
      const variable = vars[name];
      if (gradient == null || variable === undefined) return [];
      const { slots, fresh } = this.slotsOf(variable);
      if (!fresh && !this.moved.has(name) && this.twoPoints()) {
        throw new Error(
          `${this.getClassName()}: the gradient of ${name} was taken at the evaluation point, not where this optimizer takes gradients; ` +
            'take gradients with optimizer.minimize(f, returnCost, varList) or optimizer.computeGradients(f, varList) (model.fit does), ' +
            'which first move the variables there (after setWeights/loading, pass varList)',
        );
      }
      return [{ variable, gradient, slots }];
    });
    const k = this.iterations;
    tf.tidy(() => this.step(items, k));
    this.moved.clear();
    this.incrementIterations();
  }

  /**
   * Puts the gradient point in the model's variables (PyTorch's `optimizer.train()` for Schedule-Free).
   * Only needed to look at that point: training works without it, since every step starts from it.
   */
  train(): void {
    this.toGradientPoint([...this.state.keys()].map((n) => registered()[n]).filter((v) => v !== undefined));
  }

  /**
   * Puts the evaluation point back in the model's variables (PyTorch's `optimizer.eval()`). After
   * every step the variables already hold it; this undoes a {@link train}.
   */
  eval(): void {
    tf.tidy(() => {
      for (const name of this.moved) {
        const v = registered()[name];
        if (v !== undefined && this.twoPoints()) v.assign(this.evaluationPoint(this.state.get(name) as Slots));
      }
    });
    this.moved.clear();
  }

  /** The evaluation point kept in the state, for {@link eval} (called only when {@link twoPoints}). */
  protected evaluationPoint(_slots: Slots): tf.Tensor {
    throw new Error(`${this.getClassName()} is evaluated where it takes gradients`);
  }

  /** The state to save: the step count, the optimizer's scalars, then each slot for every variable (tfjs's layout). */
  override async getWeights(): Promise<NamedTensor[]> {
    const scalars = Object.entries(this.scalars()).map(([name, tensor]) => ({ name: `${this.getClassName()}/${name}`, tensor }));
    const slots = Object.keys(this.slotTable()).flatMap((slot) => [...this.state].map(([name, own]) => ({ name: `${name}/${slot}`, tensor: own[slot] })));
    return [await this.saveIterations(), ...scalars, ...slots];
  }

  /** Restores a {@link getWeights} result; the state binds, in order, to the next variables the optimizer sees. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const scalars = this.scalars();
    const scalarNames = Object.keys(scalars);
    const slotNames = Object.keys(this.slotTable());
    const slotPart = rest.length - scalarNames.length;
    if (slotPart < 0 || slotPart % slotNames.length !== 0) {
      throw new Error(
        `${this.getClassName()}.setWeights: expected ${scalarNames.length} scalars and ${slotNames.join(', ')} for each variable, got ${rest.length} tensors ` +
          '(were they saved by another optimizer or with other options?)',
      );
    }
    scalarNames.forEach((name, i) => {
      const want = `${this.getClassName()}/${name}`;
      if (rest[i].name !== want) throw new Error(`${this.getClassName()}.setWeights: expected ${want} at position ${i + 1}, got ${rest[i].name}`);
      scalars[name].assign(rest[i].tensor);
    });
    const count = slotPart / slotNames.length;
    this.disposeState();
    this.pending = Array.from({ length: count }, (_, i) =>
      Object.fromEntries(slotNames.map((slot, s) => [slot, rest[scalarNames.length + s * count + i].tensor.clone().variable(false)])),
    );
    this.moved.clear();
  }

  /**
   * A copy of all the optimizer's state — every variable's slots by name, its scalars, its step count,
   * learning rate and host-side numbers, and which variables hold their gradient point — to put back
   * exactly with `restore()` (what the LR range test does). Unlike {@link getWeights}, nothing is
   * rebound by order: the copy knows which variable each state belongs to.
   */
  copyState(): OptimizerStateCopy {
    const state = new Map([...this.state].map(([name, slots]) => [name, copySlots(slots)]));
    const pending = this.pending.map(copySlots);
    const scalars = copySlots(this.scalars());
    const moved = new Set(this.moved);
    const host = this.hostState();
    const { iterations, learningRate } = this;
    return oneShotCopy(`${this.getClassName()}: this state copy`, {
      put: async () => {
        this.disposeState();
        for (const [name, copies] of state) this.state.set(name, slotsFrom(copies));
        this.pending = pending.map(slotsFrom);
        const own = this.scalars();
        for (const [name, value] of Object.entries(scalars)) own[name].assign(value);
        this.moved.clear();
        for (const name of moved) this.moved.add(name);
        this.setHostState(host);
        this.iterations_ = iterations;
        this.learningRate = learningRate;
      },
      // After a restore the new variables share the copies' data: freeing the copies keeps it alive.
      free: () => {
        for (const copies of [...state.values(), ...pending, scalars]) tf.dispose(Object.values(copies));
      },
    });
  }

  private disposeState(): void {
    for (const slots of [...this.state.values(), ...this.pending]) tf.dispose(Object.values(slots));
    this.state.clear();
    this.pending = [];
  }

  /** Rebuilds an optimizer from its saved config; `cls.optionTable` names the options a subclass takes. */
  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(optionsFrom(config, Object.keys((cls as unknown as { optionTable: OptionTable }).optionTable)));
  }

  override dispose(): void {
    this.disposeState();
    tf.dispose(Object.values(this.scalars()));
    super.dispose();
  }
}

/** An optimizer's options: each one's check and default (see validate.ts's `fromTable`). */
export type OptionTable = Readonly<Record<string, OptionRule>>;

/** Checks `options` (left out: all defaults) against `table`, naming `where` in errors; returns them with the defaults filled in. */
export function resolveOptions<T extends object>(where: string, options: T | undefined, table: OptionTable): Required<T> {
  return fromTable(where, options === undefined ? {} : options, table) as Required<T>;
}

/** The options in a saved config (tfjs adds keys of its own, such as customObjects, when loading; null is a default left to the table). */
export function optionsFrom(config: tf.serialization.ConfigDict, known: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k, v]) => known.includes(k) && v !== null));
}
