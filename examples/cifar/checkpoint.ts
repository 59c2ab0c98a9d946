/**
 * Checkpoints of one policy's run, so a long experiment interrupted (or stopped on purpose) continues
 * in a new process where it left off. A run in progress is saved with the library's `saveTraining`
 * (the model, its optimizer's state including Adam's running β products, and the schedule callback's
 * state, and the averages' with `--average`) in tfjs's own layout (`model.json` + `weights.bin`, loadable with `tf.loadLayersModel`), with
 * the run's record so far in the model's user-defined metadata; `loadTraining` brings it back.
 * Finished runs and range tests are kept as JSON beside them and reused.
 *
 * Layout of `dir`: `settings.json`; `<label>/model.json` + `<label>/weights.bin` (a run in progress);
 * `<label>.run.json` (a finished run); `range-<optimizer>.json` (a range test before training).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { folderHandler } from 'tfjs-clr/node';
import { loadTraining, saveTraining, type ScheduleHistory, type StatefulCallback } from 'tfjs-clr';
import type { AverageRecord } from './averaging.js';

/** What a run has done so far, besides its weights and its schedule's position. */
export interface RunProgress {
  /** Global iterations trained. */
  iteration: number;
  history: ScheduleHistory;
  evals: { iteration: number[]; accuracy: number[]; loss: number[] };
  /** Seconds spent so far: all of it, and evaluating. */
  seconds: number;
  evalSeconds: number;
  /** The averages' evaluations so far (runs with `--average`). */
  averaged?: AverageRecord[];
}

/** The metadata key the run's progress is kept under (saveTraining keeps the schedule under its own). */
const PROGRESS = 'cifar-run';

const safe = (label: string) => label.replace(/[^A-Za-z0-9._-]+/g, '_');

/** Writes `data` to `file` atomically (a reader never sees half a file; an interrupted write leaves the old one). */
function writeAtomic(file: string, data: string | Uint8Array): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

/** The bytes of tfjs weight data (one buffer or several). */
/** The package's folder IOHandler (tfjs's own layout), re-exported for the example's modules. */
export { folderHandler };

export class Checkpoints {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private folder(label: string, suffix = ''): string {
    return path.join(this.dir, `${safe(label)}${suffix}`);
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

  /**
   * Saves the run with `saveTraining` into `<label>/`: written whole into `<label>.next/` first, then
   * swapped in, so a kill at any moment leaves one complete checkpoint (the old or the new).
   */
  async save(label: string, model: tf.LayersModel, callbacks: Record<string, StatefulCallback>, progress: RunProgress): Promise<void> {
    const next = this.folder(label, '.next');
    const old = this.folder(label, '.old');
    const current = this.folder(label);
    rmSync(next, { recursive: true, force: true });
    const meta = model.getUserDefinedMetadata() ?? {};
    model.setUserDefinedMetadata({ ...meta, [PROGRESS]: progress });
    try {
      await saveTraining(model, folderHandler(next), callbacks);
    } finally {
      model.setUserDefinedMetadata(meta);
    }
    rmSync(old, { recursive: true, force: true });
    if (existsSync(current)) renameSync(current, old);
    renameSync(next, current);
    rmSync(old, { recursive: true, force: true });
  }

  /**
   * The saved run as a new model (compiled, with its optimizer's state) with the `callbacks`' states
   * restored (the schedule's, the averages'), and its progress; null when there is none. Checkpoints in the format before
   * `saveTraining` are refused rather than resumed into a different run.
   */
  async load(label: string, callbacks: Record<string, StatefulCallback>): Promise<{ model: tf.LayersModel; progress: RunProgress } | null> {
    if (existsSync(path.join(this.dir, `${safe(label)}.state.json`))) {
      throw new Error(
        `${path.join(this.dir, `${safe(label)}.state.json`)} is a checkpoint in the example's old format (before saveTraining), which does not restore Adam's running β products; ` +
          `finish that run with the version that made it, or delete ${this.dir} to start over`,
      );
    }
    // A kill between the two renames of save() leaves only `.old`: it is complete.
    const folder = [this.folder(label), this.folder(label, '.old')].find((f) => existsSync(path.join(f, 'model.json')));
    if (folder === undefined) return null;
    const model = await loadTraining(folderHandler(folder), callbacks);
    const meta = (model.getUserDefinedMetadata() ?? {}) as Record<string, unknown>;
    const progress = meta[PROGRESS] as RunProgress | undefined;
    if (progress === undefined) {
      model.dispose();
      throw new Error(`checkpoint ${folder}: no run record in its metadata; delete ${this.dir} to start over`);
    }
    const { [PROGRESS]: _progress, ...rest } = meta;
    model.setUserDefinedMetadata(rest);
    return { model, progress };
  }
}
