/**
 * The browser demo: an LR range test and CLR / 1cycle training on a small image task, with live
 * charts. Bundled by serve.ts (esbuild) with one copy of tfjs; state is mirrored on `window.__demo` so
 * the browser test can read what happened.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import embed, { type Result as EmbedResult } from 'vega-embed';
import * as tfvis from '@tensorflow/tfjs-vis';
import { CyclicLR, OneCycleLR, LRFinder, suggestBounds, getLearningRate, getMomentum, hasMomentum, prepareCallbacks, readLogSync, type LogValue } from 'tfjs-clr';
import { rangeTestChart, type VegaLiteSpec } from 'tfjs-clr/plot';
import { cifarTask, syntheticTask, type Task } from './tasks.js';

type Policy = 'triangular' | 'triangular2' | 'exp_range' | '1cycle';
interface DemoState {
  state: 'starting' | 'idle' | 'range-test' | 'training' | 'done' | 'error';
  backend: string;
  task: string;
  errors: string[];
  rangeTest: { lr: number[]; loss: Array<number | null>; stopReason: string } | null;
  suggestion: { baseLR: number | null; maxLR: number | null; confidence: string; notes: string[] } | null;
  training: { options: Record<string, unknown>; lrUsed: number[]; momentumUsed: number[]; loss: number[]; accuracy: number[] } | null;
  /** What plain-config callbacks beside tfjs-vis's read as logs.learning_rate, per batch and per epoch. */
  visor: { batch: number[]; epoch: number[] } | null;
}
const demo: DemoState = { state: 'starting', backend: '', task: '', errors: [], rangeTest: null, suggestion: null, training: null, visor: null };
(window as unknown as { __demo: DemoState }).__demo = demo;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const num = (id: string) => Number($<HTMLInputElement>(id).value);
function status(msg: string, error = false): void {
  const el = $('status');
  el.textContent = msg;
  el.className = error ? 'error' : '';
}
window.addEventListener('error', (e) => demo.errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => demo.errors.push(String(e.reason)));

/** webgl where it works, else wasm, else cpu. */
async function pickBackend(): Promise<string> {
  setWasmPaths('/wasm/');
  for (const name of ['webgl', 'wasm', 'cpu']) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        // A webgl context that cannot run a kernel (no GPU) fails here, not later.
        tf.tidy(() => tf.add(tf.ones([2]), tf.ones([2])).dataSync());
        return name;
      }
    } catch {
      /* try the next one */
    }
  }
  throw new Error('no tfjs backend works in this browser');
}

let task: Task;
function compiled(): tf.LayersModel {
  const model = task.model();
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** A live line chart fed row by row (vega-embed, named data source "rows"). */
async function liveChart(el: string, panels: Array<{ field: string; title: string }>, x: { field: string; title: string }): Promise<EmbedResult> {
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { name: 'rows' },
    vconcat: panels.map((p) => ({
      width: 420,
      height: 110,
      transform: [{ filter: `isValid(datum.${p.field})` }],
      mark: { type: 'line', clip: true },
      encoding: {
        x: { field: x.field, type: 'quantitative', title: x.title },
        y: { field: p.field, type: 'quantitative', title: p.title, scale: { zero: false } },
      },
    })),
  };
  return embed(`#${el}`, spec as never, { actions: false, renderer: 'svg' });
}

/** Streams rows into a live chart and yields to the page every batch (a fit of tf.Callbacks never does). */
class LiveRows extends tf.Callback {
  constructor(
    private readonly chart: EmbedResult,
    private readonly row: (batch: number, logs: tf.Logs) => Record<string, number>,
  ) {
    super();
  }
  override async onBatchEnd(batch: number, logs?: tf.Logs): Promise<void> {
    // resize(): lay the chart out again as axes grow with the data (else the lower panel is clipped).
    this.chart.view.insert('rows', [this.row(batch, logs ?? {})]).resize().run();
    await tf.nextFrame();
  }
}

const read = (v: unknown): number => readLogSync(v as LogValue);

/**
 * tfjs-vis's visor, when "show in tfjs-vis" is ticked: its fitCallbacks plot the metrics it is given
 * from the logs, learning_rate among them (the schedule callbacks write it), next to a plain config
 * of ours that records what such callbacks see. Both are plain objects: prepareCallbacks wraps them.
 */
function visorCallbacks(name: string, metrics: string[]): Array<ReturnType<typeof tfvis.show.fitCallbacks> | object> {
  if (!$<HTMLInputElement>('use-visor').checked) return [];
  const seen = { batch: [] as number[], epoch: [] as number[] };
  demo.visor = seen;
  const record = {
    onBatchEnd: async (_b: number, logs?: tf.Logs) => void seen.batch.push(read(logs?.learning_rate)),
    onEpochEnd: async (_e: number, logs?: tf.Logs) => void seen.epoch.push(read(logs?.learning_rate)),
  };
  return [tfvis.show.fitCallbacks({ name, tab: 'tfjs-clr' }, metrics, { callbacks: ['onBatchEnd', 'onEpochEnd'], zoomToFit: true }), record];
}

async function runRangeTest(): Promise<void> {
  demo.state = 'range-test';
  status('Running the LR range test…');
  const model = compiled();
  const minLR = num('range-min');
  const maxLR = num('range-max');
  const finder = new LRFinder({ minLR, maxLR });
  const chart = await liveChart('chart-range', [{ field: 'loss', title: 'loss' }, { field: 'acc', title: 'accuracy' }], { field: 'lr', title: 'learning rate' });
  let k = 0;
  const live = new LiveRows(chart, (_b, logs) => ({ lr: finder.result.lr[k++], loss: read(logs.loss), acc: read(logs.acc) }));
  const callbacks = prepareCallbacks([finder, live, ...visorCallbacks('LR range test', ['loss', 'learning_rate'])]);
  await model.fit(task.xs, task.ys, { epochs: num('range-epochs'), batchSize: 32, callbacks, verbose: 0 });
  const suggestion = suggestBounds(finder.result);
  demo.rangeTest = { lr: finder.result.lr, loss: finder.result.loss, stopReason: finder.result.stopReason };
  demo.suggestion = { baseLR: suggestion.baseLR, maxLR: suggestion.maxLR, confidence: suggestion.confidence, notes: suggestion.notes };
  await embed('#chart-range', rangeTestChart(finder.result, suggestion, { width: 420, height: 110, title: 'LR range test' }) as never, { actions: false, renderer: 'svg' });
  if ($<HTMLInputElement>('use-visor').checked) {
    // The range test's own plot in the visor: loss against the LR.
    const values = finder.result.lr.flatMap((x, k) => (finder.result.loss[k] === null ? [] : [{ x, y: finder.result.loss[k] as number }]));
    await tfvis.render.scatterplot({ name: 'Range test: loss against the LR', tab: 'tfjs-clr' }, { values: [values], series: ['loss'] }, { xLabel: 'learning rate', yLabel: 'loss', zoomToFit: true });
  }
  model.dispose();
  if (suggestion.baseLR !== null && suggestion.maxLR !== null) {
    $<HTMLInputElement>('base-lr').value = suggestion.baseLR.toPrecision(3);
    $<HTMLInputElement>('max-lr').value = suggestion.maxLR.toPrecision(3);
    status(`Range test: baseLR ${suggestion.baseLR.toPrecision(3)}, maxLR ${suggestion.maxLR.toPrecision(3)} (${suggestion.maxLRReason}, confidence ${suggestion.confidence}); filled in below.`);
  } else {
    status(`Range test: no bounds suggested (${suggestion.notes.join('; ')}).`);
  }
  demo.state = 'idle';
}

/** Records what the optimizer held during each batch: the LR (and momentum) the batch really used. */
class UsedValues extends tf.Callback {
  readonly lr: number[] = [];
  readonly momentum: number[] = [];
  override async onBatchEnd(): Promise<void> {
    const opt = this.model.optimizer;
    this.lr.push(getLearningRate(opt));
    if (hasMomentum(opt)) this.momentum.push(getMomentum(opt));
  }
}

async function runTraining(): Promise<void> {
  demo.state = 'training';
  const policy = $<HTMLSelectElement>('policy').value as Policy;
  const baseLR = num('base-lr');
  const maxLR = num('max-lr');
  const stepSize = num('step-size');
  const epochs = num('epochs');
  const options = policy === '1cycle' ? { policy, maxLR } : { policy, baseLR, maxLR, stepSize, cycleMomentum: true };
  status(`Training with ${policy}…`);
  const model = compiled();
  const schedule =
    policy === '1cycle'
      ? new OneCycleLR({ maxLR })
      : new CyclicLR({ baseLR, maxLR, stepSize, mode: policy, cycleMomentum: true });
  const used = new UsedValues();
  const lrChart = await liveChart('chart-schedule', [{ field: 'lr', title: 'learning rate' }, { field: 'momentum', title: 'momentum' }], { field: 'iteration', title: 'iteration' });
  const trainChart = await liveChart('chart-training', [{ field: 'loss', title: 'loss' }, { field: 'acc', title: 'accuracy' }], { field: 'iteration', title: 'iteration' });
  let it = 0;
  const loss: number[] = [];
  const accuracy: number[] = [];
  const live = new LiveRows(lrChart, () => ({ iteration: it, lr: used.lr[it], momentum: used.momentum[it] ?? NaN }));
  const liveTrain = new LiveRows(trainChart, (_b, logs) => {
    loss.push(read(logs.loss));
    accuracy.push(read(logs.acc));
    return { iteration: it++, loss: loss[loss.length - 1], acc: accuracy[accuracy.length - 1] };
  });
  const callbacks = prepareCallbacks([schedule, used, live, liveTrain, ...visorCallbacks(`Training (${policy})`, ['loss', 'acc', 'learning_rate'])]);
  await model.fit(task.xs, task.ys, { epochs, batchSize: 32, callbacks, verbose: 0 });
  demo.training = { options: { ...options, epochs, batches: used.lr.length }, lrUsed: used.lr, momentumUsed: used.momentum, loss, accuracy };
  model.dispose();
  status(`Done: ${used.lr.length} batches, final training accuracy ${accuracy[accuracy.length - 1].toFixed(3)}.`);
  demo.state = 'done';
}

function guard(run: () => Promise<void>): () => void {
  return () => {
    if (demo.state === 'range-test' || demo.state === 'training') return;
    run().catch((e: unknown) => {
      demo.state = 'error';
      demo.errors.push(String(e));
      status(`Error: ${e instanceof Error ? e.message : String(e)}`, true);
    });
  };
}

async function main(): Promise<void> {
  demo.backend = await pickBackend();
  $('backend').textContent = demo.backend;
  task = syntheticTask();
  demo.task = task.name;
  $('data').textContent = task.name;
  $('cifar-file').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const next = cifarTask(new Uint8Array(await file.arrayBuffer()), file.name);
      tf.dispose([task.xs, task.ys]);
      task = next;
      $<HTMLInputElement>('use-synthetic').checked = false;
      demo.task = task.name;
      $('data').textContent = task.name;
      status(`Loaded ${task.name}.`);
    } catch (err) {
      status(String((err as Error).message), true);
    }
  });
  $('range-test').addEventListener('click', guard(runRangeTest));
  $('train').addEventListener('click', guard(runTraining));
  demo.state = 'idle';
  status(`Ready (backend ${demo.backend}).`);
}

main().catch((e: unknown) => {
  demo.state = 'error';
  demo.errors.push(String(e));
  status(String(e), true);
});
