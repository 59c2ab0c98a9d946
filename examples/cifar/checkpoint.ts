/**
 * Checkpoints of one policy's run, so a long experiment interrupted (or stopped on purpose) continues
 * in a new process where it left off: the model's weights and the optimizer's state (tfjs's own
 * `tf.io.encodeWeights` format, as `model.save` writes them), the schedule callback's
 * `getState()`, and the run's record so far (evaluations, LR history, time). Finished runs and range
 * tests are kept as JSON beside them and reused.
 *
 * Layout of `dir`: `<label>.state.json` + `<label>.weights.bin` (a run in progress),
 * `<label>.run.json` (a finished run), `range-<optimizer>.json` (a range test before training).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ScheduleHistory, ScheduleState } from 'tfjs-clr';

/** What a run has done so far, besides its weights. */
export interface RunProgress {
  /** Global iterations trained. */
  iteration: number;
  schedule: ScheduleState;
  history: ScheduleHistory;
  evals: { iteration: number[]; accuracy: number[]; loss: number[] };
  /** Seconds spent so far: all of it, and evaluating. */
  seconds: number;
  evalSeconds: number;
}

interface StateFile extends RunProgress {
  /** tfjs weight specs of the model's weights, then the optimizer's, in weights.bin. */
  specs: tf.io.WeightsManifestEntry[];
  modelWeights: number;
}

const safe = (label: string) => label.replace(/[^A-Za-z0-9._-]+/g, '_');

/** Writes `text` to `file` atomically (a reader never sees half a file; an interrupted write leaves the old one). */
function writeAtomic(file: string, data: string | Uint8Array): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

export class Checkpoints {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(label: string, kind: string): string {
    return path.join(this.dir, `${safe(label)}.${kind}`);
  }

  /**
   * Ties the folder to the settings its runs were trained with: the first call writes them, later calls
   * (a rerun) must pass the same values, or nothing is resumed or reused and the error names what differs.
   */
  matchSettings(settings: Record<string, unknown>): void {
    const file = path.join(this.dir, 'settings.json');
    if (!existsSync(file)) {
      writeAtomic(file, `${JSON.stringify(settings, null, 2)}\n`);
      return;
    }
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));
    const differ = [...new Set([...Object.keys(saved), ...Object.keys(settings)])]
      .filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(settings[k]))
      .map((k) => `${k}: ${show(settings[k])} now, ${show(saved[k])} in the checkpoints`);
    if (differ.length > 0) {
      throw new Error(`the checkpoints in ${this.dir} were made with other settings (${differ.join('; ')}); rerun with the same options, or use another --out, or delete ${this.dir} to start over`);
    }
  }

  /** A JSON record saved under `name` (a finished run, a range test), or null. */
  readJSON<T>(name: string): T | null {
    const f = path.join(this.dir, `${safe(name)}.json`);
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as T) : null;
  }

  writeJSON(name: string, value: unknown): void {
    writeAtomic(path.join(this.dir, `${safe(name)}.json`), `${JSON.stringify(value)}\n`);
  }

  /** Saves the model's weights, the optimizer's state and the run's progress (weights first, state last). */
  async save(label: string, model: tf.LayersModel, progress: RunProgress): Promise<void> {
    const optWeights = await model.optimizer.getWeights();
    const named = [
      ...model.weights.map((w, k) => ({ name: `model/${k}/${w.name}`, tensor: w.read() })),
      ...optWeights.map((w) => ({ name: `optimizer/${w.name}`, tensor: w.tensor })),
    ];
    const { data, specs } = await tf.io.encodeWeights(named);
    const bytes = new Uint8Array(data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers(data));
    writeAtomic(this.file(label, 'weights.bin'), bytes);
    const state: StateFile = { ...progress, specs, modelWeights: model.weights.length };
    writeAtomic(this.file(label, 'state.json'), `${JSON.stringify(state)}\n`);
  }

  /**
   * Restores a saved run into `model` (same architecture, compiled with the same kind of optimizer) and
   * returns its progress; null when there is none. A checkpoint that does not fit the model is an error.
   */
  async load(label: string, model: tf.LayersModel): Promise<RunProgress | null> {
    const stateFile = this.file(label, 'state.json');
    if (!existsSync(stateFile)) return null;
    const { specs, modelWeights, ...progress } = JSON.parse(readFileSync(stateFile, 'utf8')) as StateFile;
    if (modelWeights !== model.weights.length) {
      throw new Error(`checkpoint ${stateFile}: ${modelWeights} model weights saved, the model has ${model.weights.length} (another net?); delete ${this.dir} to start over`);
    }
    const buf = readFileSync(this.file(label, 'weights.bin'));
    const tensors = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs);
    const names = specs.map((s) => s.name);
    model.weights.forEach((w, k) => w.write(tensors[names[k]]));
    await model.optimizer.setWeights(names.slice(modelWeights).map((name) => ({ name: name.slice('optimizer/'.length), tensor: tensors[name] })));
    tf.dispose(Object.values(tensors));
    return progress;
  }
}
