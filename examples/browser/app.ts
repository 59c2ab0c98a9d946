/**
 * The browser demo. First: the zero-config range test (no LR to guess) on real MNIST digits shipped
 * with the page, then the same model trained six ways side by side (fixed LR at the suggestion's
 * baseLR and at its maxLR, CLR, 1cycle, Schedule-Free AdamW at its defaults and with a range test's
 * settings, the library's recommended recipe) with live curves and a final table, and for each run the
 * lines that do the same in a user's code (code.ts), opened on the best run, with a copy button. Under
 * "advanced": the paper's explicit sweep, one policy at a time, the synthetic task, a CIFAR-10 file.
 * Bundled by serve.ts (esbuild) with one copy of tfjs into a folder that works anywhere (the page, the
 * bundle, the digits, the wasm binaries); state is mirrored on `window.__demo` for the browser test.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import embed, { type Result as EmbedResult } from 'vega-embed';
import * as tfvis from '@tensorflow/tfjs-vis';
import { CyclicLR, DEFAULT_BUDGET, OneCycleLR, LRFinder, suggestBounds, getLearningRate, getMomentum, hasMomentum, prepareCallbacks, readLogSync, type LogValue } from 'tfjs-clr';
import { rangeTestChart, type VegaLiteSpec } from 'tfjs-clr/plot';
import { cifarTask, digitsTask, DIGIT_PRESETS, syntheticTask, type DigitPreset, type Task } from './tasks.js';
import { BATCH_SIZE as BATCH, comparisonRuns, runIterations, scheduleFreeAdamWRecipe, trainRun, zeroConfigTest, type RunOutcome } from './compare.js';
import { runCode, type Answers } from './code.js';

type Policy = 'triangular' | 'triangular2' | 'exp_range' | '1cycle';
interface DemoState {
  state: 'starting' | 'idle' | 'range-test' | 'training' | 'done' | 'comparing' | 'compared' | 'error';
  backend: string;
  /** Why backends before the chosen one were passed over (none available, or cannot train the model). */
  backendNotes: string[];
  task: string;
  errors: string[];
  rangeTest: { lr: number[]; loss: Array<number | null>; stopReason: string } | null;
  suggestion: { baseLR: number | null; maxLR: number | null; confidence: string; notes: string[] } | null;
  training: { options: Record<string, unknown>; lrUsed: number[]; momentumUsed: number[]; loss: number[]; accuracy: number[] } | null;
  /** What plain-config callbacks beside tfjs-vis's read as logs.learning_rate, per batch and per epoch. */
  visor: { batch: number[]; epoch: number[] } | null;
  /** The zero-config range test's answer: CLR bounds, 1cycle's peak, its cost in iterations. */
  zeroConfig: { baseLR: number | null; maxLR: number | null; oneCycleMaxLR: number | null; confidence: string; iterations: number; notes: string[] } | null;
  /** The comparison's runs, in order (without the per-batch LRs). */
  comparison: Array<Omit<RunOutcome, 'lr'>> | null;
  /** The recipe's range test (run with Adam, at the comparison's start): Schedule-Free AdamW's settings, its cost. */
  recipe: { learningRate: number | null; warmupSteps: number | null; iterations: number; notes: string[] } | null;
  /** "Use it in your code": the run whose lines are shown, and the lines. */
  code: { run: string; text: string } | null;
}
const demo: DemoState = { state: 'starting', backend: '', backendNotes: [], task: '', errors: [], rangeTest: null, suggestion: null, training: null, visor: null, zeroConfig: null, comparison: null, recipe: null, code: null };
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

/** One training step of `task`'s model on two examples: throws where the backend lacks a kernel training needs. */
async function trainsOn(t: Task): Promise<void> {
  const model = t.model();
  model.compile({ optimizer: tf.train.sgd(0), loss: 'categoricalCrossentropy' });
  const [x, y] = [t.xs.slice(0, 2), t.ys.slice(0, 2)];
  try {
    await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

/**
 * webgpu where the browser has it, else webgl, else wasm, else cpu — but only a backend that can train
 * `make()`'s model (stock wasm cannot train convnets: tfjs 4.22 registers no gradient kernels for its
 * convolutions); each one passed over is noted with why. The task is built on the chosen backend.
 */
async function pickBackend(make: () => Task): Promise<Task> {
  setWasmPaths('wasm/');
  for (const name of ['webgpu', 'webgl', 'wasm', 'cpu']) {
    let t: Task | null = null;
    try {
      if (!(await tf.setBackend(name))) throw new Error('not available in this browser');
      await tf.ready();
      // A webgl context that cannot run a kernel (no GPU) fails here, not later.
      tf.tidy(() => tf.add(tf.ones([2]), tf.ones([2])).dataSync());
      t = make();
      await trainsOn(t);
      demo.backend = name;
      return t;
    } catch (e) {
      if (t) tf.dispose([t.xs, t.ys, ...(t.test ? [t.test.xs, t.test.ys] : [])]);
      demo.backendNotes.push(`${name}: ${t ? 'cannot train this model' : 'unavailable'} (${String((e as Error).message ?? e).split('\n')[0].slice(0, 160)})`);
    }
  }
  throw new Error(`no tfjs backend here can train this model: ${demo.backendNotes.join('; ')}`);
}

let task: Task;
const params = new URLSearchParams(location.search);
/** `?task=bars`: the synthetic task; default the digits. `?preset=small`: less of the digits (the browser test). */
const TASK = params.get('task') === 'bars' ? 'bars' : 'digits';
const PRESET: DigitPreset = params.get('preset') === 'small' ? 'small' : 'full';

function compiled(): tf.LayersModel {
  const model = task.model();
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** A live line chart fed row by row (vega-embed, named data source "rows"). */
async function liveChart(el: string, panels: Array<{ field: string; title: string }>, x: { field: string; title: string }, runs?: string[]): Promise<EmbedResult> {
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
        ...(runs ? { color: runColor(runs) } : {}),
      },
    })),
  };
  // logLevel 0: no warnings about the empty data a live chart starts with.
  return embed(`#${el}`, spec as never, { actions: false, renderer: 'svg', logLevel: 0 });
}

/** One live chart of one panel (240 px high), fed row by row through the named data source "rows". */
function liveLines(el: string, mark: Record<string, unknown>, encoding: Record<string, unknown>): Promise<EmbedResult> {
  const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', data: { name: 'rows' }, width: 420, height: 240, mark, encoding };
  // logLevel 0: no warnings about the empty data a live chart starts with.
  return embed(`#${el}`, spec as never, { actions: false, renderer: 'svg', logLevel: 0 });
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

/** Rows of the zero-config test's curve as it runs: loss against the LR each batch used, one colour a stage. */
class RangeRows extends tf.Callback {
  stage = 0;
  done = 0;
  constructor(
    private readonly chart: EmbedResult,
    private readonly budget: number,
  ) {
    super();
  }
  override async onTrainBegin(): Promise<void> {
    this.stage++;
  }
  override async onBatchEnd(_b: number, logs?: tf.Logs): Promise<void> {
    this.done++;
    const loss = read(logs?.loss);
    const stage = this.stage <= 3 ? `probe ${this.stage}` : 'linear sweep';
    if (Number.isFinite(loss)) this.chart.view.insert('rows', [{ lr: getLearningRate(this.model.optimizer), loss, stage }]).run();
    status(`Zero-config range test: ${stage}, ${this.done} of at most ${this.budget} iterations…`);
    await tf.nextFrame();
  }
}

/** The zero-config range test: no LR asked; fills in the training form and enables the comparison. */
async function runZeroConfig(): Promise<void> {
  demo.state = 'range-test';
  const el = 'chart-range';
  const chart = await liveLines(el, { type: 'line', clip: true }, {
    x: { field: 'lr', type: 'quantitative', title: 'learning rate', scale: { type: 'log' }, axis: { format: '~g' } },
    y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
    color: { field: 'stage', type: 'nominal', title: null, legend: { orient: 'bottom' } },
  });
  const live = new RangeRows(chart, DEFAULT_BUDGET);
  const t0 = performance.now();
  const r = await zeroConfigTest(task, { batchSize: BATCH, callbacks: [live] });
  const s = r.suggestion;
  demo.rangeTest = { lr: r.result.lr, loss: r.result.loss, stopReason: r.result.stopReason };
  demo.suggestion = { baseLR: s.baseLR, maxLR: s.maxLR, confidence: s.confidence, notes: s.notes };
  demo.zeroConfig = { baseLR: s.baseLR, maxLR: s.maxLR, oneCycleMaxLR: r.oneCycleLROptions?.maxLR ?? null, confidence: s.confidence, iterations: r.iterations, notes: s.notes };
  await embed(`#${el}`, rangeTestChart(r.result, s, { width: 420, height: 110, title: 'LR range test (its linear sweep)' }) as never, { actions: false, renderer: 'svg' });
  const seconds = ((performance.now() - t0) / 1000).toFixed(0);
  if (s.baseLR !== null && s.maxLR !== null) {
    $<HTMLInputElement>('base-lr').value = s.baseLR.toPrecision(3);
    $<HTMLInputElement>('max-lr').value = s.maxLR.toPrecision(3);
    $<HTMLButtonElement>('compare').disabled = !task.test;
    $('suggestion').textContent =
      `baseLR ${s.baseLR.toPrecision(3)}, maxLR ${s.maxLR.toPrecision(3)}, 1cycle peak ${(r.oneCycleLROptions?.maxLR ?? s.maxLR).toPrecision(3)} — confidence ${s.confidence}` +
      ` (${r.iterations} iterations, ${seconds} s).`;
    status(`Range test done: baseLR ${s.baseLR.toPrecision(3)}, maxLR ${s.maxLR.toPrecision(3)} (confidence ${s.confidence}). Next: compare.`);
    showCode(
      { baseLR: s.baseLR, maxLR: s.maxLR, oneCycleMaxLR: r.oneCycleLROptions?.maxLR ?? s.maxLR },
      '1cycle',
      'The same flow on your own model and data: the range test runs in your code, so nothing is copied from this page (its answers are in the comments). Pick a run; Compare shows how each one trains here.',
    );
  } else {
    $('suggestion').textContent = `No bounds: ${s.notes.join('; ')}`;
    status(`Range test: no bounds suggested (${s.notes.join('; ')}).`);
  }
  demo.state = 'idle';
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** The comparison's length: epochs (the digits preset's, else the form's) and the batches they make. */
function budget(): { epochs: number; iterations: number } {
  const epochs = TASK === 'digits' ? DIGIT_PRESETS[PRESET].epochs : num('epochs');
  return { epochs, iterations: runIterations(task.xs.shape[0], BATCH, epochs) };
}

let answers: Answers | null = null;
/** Shows the lines of the run picked in "Use it in your code" (one of the comparison's six). */
function renderCode(): void {
  if (!answers) return;
  const { epochs, iterations } = budget();
  const run = $<HTMLSelectElement>('code-run').value;
  const text = runCode(run, answers, { epochs, batchSize: BATCH, iterations, task: task.name }) ?? '';
  $('code').textContent = text;
  $('copy-status').textContent = '';
  demo.code = { run, text };
}

/** Opens "Use it in your code" on `run`, with the range tests' `a` in its comments and `note` above. */
function showCode(a: Answers, run: string, note: string): void {
  answers = a;
  const select = $<HTMLSelectElement>('code-run');
  select.replaceChildren(...comparisonRuns({ ...a, scheduleFreeAdamW: a.scheduleFreeAdamW ?? null }, budget().iterations).map((r) => new Option(r.name, r.name)));
  select.value = run;
  $('code-note').innerHTML = note;
  $('code-panel').hidden = false;
  renderCode();
}

/** Copies the shown lines; where the page may not write the clipboard, selects them instead. */
async function copyCode(): Promise<void> {
  try {
    await navigator.clipboard.writeText($('code').textContent ?? '');
    $('copy-status').textContent = 'copied';
  } catch {
    getSelection()?.selectAllChildren($('code'));
    $('copy-status').textContent = 'selected: press Ctrl+C (this page may not write the clipboard)';
  }
}

/** The comparison's runs in one colour each, the same in both charts (legend below: the names are long). */
const runColor = (names: string[]) => ({
  field: 'run',
  type: 'nominal',
  title: null,
  scale: { domain: names, range: ['#9ecae1', '#3182bd', '#e6550d', '#31a354', '#bcbddc', '#756bb1'] },
  legend: { orient: 'bottom', columns: 3 },
});

/** Progress of the recipe's range test (run with Adam), in the status line. */
class RecipeProgress extends tf.Callback {
  done = 0;
  override async onBatchEnd(): Promise<void> {
    this.done++;
    if (this.done % 10 === 0) status(`Range test with Adam for Schedule-Free AdamW's settings: ${this.done} of at most ${DEFAULT_BUDGET} iterations…`);
    await tf.nextFrame();
  }
}

/** The recipe's range test, then the six runs one after another, with live curves, then the table. */
async function runComparison(): Promise<void> {
  const z = demo.zeroConfig;
  if (!task.test || !z || z.baseLR === null || z.maxLR === null) throw new Error('run the range test first (on the digits: the comparison needs their test set)');
  demo.state = 'comparing';
  const { epochs, iterations } = budget();
  const recipe = await scheduleFreeAdamWRecipe({ xs: task.xs, ys: task.ys, test: task.test, model: task.model }, { batchSize: BATCH, trainingSteps: iterations, callbacks: [new RecipeProgress()] });
  demo.recipe = { learningRate: recipe.settings?.learningRate ?? null, warmupSteps: recipe.settings?.warmupSteps ?? null, iterations: recipe.iterations, notes: recipe.notes };
  const runs = comparisonRuns({ baseLR: z.baseLR, maxLR: z.maxLR, oneCycleMaxLR: z.oneCycleMaxLR ?? z.maxLR, scheduleFreeAdamW: recipe.settings }, iterations);
  const accChart = await liveLines('chart-compare', { type: 'line', point: true }, {
    x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { domain: [0, epochs] }, axis: { tickMinStep: 1 } },
    y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false }, axis: { format: '.0%' } },
    color: runColor(runs.map((r) => r.name)),
  });
  const lrChart = await liveChart('chart-compare-lr', [{ field: 'lr', title: 'learning rate' }], { field: 'iteration', title: 'iteration' }, runs.map((r) => r.name));
  const outcomes: RunOutcome[] = [];
  $('results').innerHTML = '';
  const visor = $<HTMLInputElement>('compare-visor').checked;
  // tfjs-vis: the finished runs' test accuracy by epoch and LR by iteration, redrawn after each run.
  const drawVisor = async () => {
    const series = outcomes.map((o) => o.name);
    const accuracy = outcomes.map((o) => o.accuracy.map((y, e) => ({ x: e + 1, y })));
    const lr = outcomes.map((o) => o.lr.flatMap((y, i) => (i % 5 === 0 ? [{ x: i, y }] : [])));
    await tfvis.render.linechart({ name: 'Comparison: test accuracy', tab: 'comparison' }, { values: accuracy, series }, { xLabel: 'epoch', yLabel: 'test accuracy', zoomToFit: true });
    await tfvis.render.linechart({ name: 'Comparison: learning rate', tab: 'comparison' }, { values: lr, series }, { xLabel: 'iteration', yLabel: 'learning rate' });
  };
  for (const [k, run] of runs.entries()) {
    const t0 = performance.now();
    const o = await trainRun({ xs: task.xs, ys: task.ys, test: task.test, model: task.model }, run, {
      epochs,
      batchSize: BATCH,
      onBatch: async (i, lr) => {
        if (i % 5 === 0) lrChart.view.insert('rows', [{ iteration: i, lr, run: run.name }]).resize().run();
        if (i % 10 === 0) {
          const rate = ((i + 1) * BATCH) / ((performance.now() - t0) / 1000);
          status(`Comparison ${k + 1} of ${runs.length}: ${run.name}, iteration ${i + 1} of ${iterations} · ${rate.toFixed(0)} images/s on ${demo.backend}`);
        }
        await tf.nextFrame(); // a fit never yields to the page by itself
      },
      onEpoch: (epoch, accuracy) => void accChart.view.insert('rows', [{ run: run.name, epoch: epoch + 1, accuracy }]).resize().run(),
    });
    outcomes.push(o);
    if (visor) await drawVisor();
    $('speed').textContent = `${o.imagesPerSecond.toFixed(0)} images/s (training with test evaluations)`;
  }
  demo.comparison = outcomes.map(({ lr: _lr, ...rest }) => rest);
  const by = (name: string) => outcomes.find((o) => o.name === name) as RunOutcome;
  const clr = by('CLR triangular2');
  const rows = outcomes
    .map((o) => `<tr><td>${o.name}</td><td>${o.describe}</td><td>${pct(o.finalAccuracy)}</td><td>${pct(o.bestAccuracy)}</td><td>${o.emaAccuracy === undefined ? '–' : pct(o.emaAccuracy)}</td><td>${o.seconds.toFixed(1)} s</td></tr>`)
    .join('');
  $('results').innerHTML =
    `<table id="results-table"><thead><tr><th>run</th><th>settings</th><th>final test accuracy</th><th>best</th><th>EMA of the weights (final)</th><th>time</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<p>CLR against a fixed LR at the suggestion's baseLR: ${signed(clr.finalAccuracy - by('fixed at baseLR').finalAccuracy)} points; at its maxLR: ${signed(clr.finalAccuracy - by('fixed at maxLR').finalAccuracy)} points. ` +
    (clr.emaAccuracy === undefined ? '' : `An EMA of CLR's weights (<code>weightAveraging({ mode: 'ema' })</code>, scored with <code>withAverage</code>): ${signed(clr.emaAccuracy - clr.finalAccuracy)} points over its raw weights. `) +
    `The library's recipe (a range test with Adam, then Schedule-Free AdamW with <code>scheduleFreeAdamWOptions</code>) against Schedule-Free AdamW's defaults: ${signed(by('range test + Schedule-Free AdamW').finalAccuracy - by('Schedule-Free AdamW').finalAccuracy)} points. ` +
    `The range tests cost ${z.iterations} iterations (Momentum SGD) and ${recipe.iterations} (Adam); each run ${iterations}.</p>`;
  const best = outcomes.reduce((a, b) => (b.finalAccuracy > a.finalAccuracy ? b : a));
  showCode(
    { baseLR: z.baseLR, maxLR: z.maxLR, oneCycleMaxLR: z.oneCycleMaxLR ?? z.maxLR, scheduleFreeAdamW: recipe.settings },
    best.name,
    `Best final test accuracy here: <b>${best.name}</b> (${pct(best.finalAccuracy)}) — one run from one set of initial weights, so the order can change between runs. ` +
      'Its lines for your own model and data are below (the range test runs in your code; this page\'s answers are in the comments); pick another run for its lines.',
  );
  status(`Done: ${runs.length} runs of ${iterations} iterations on ${demo.backend}.`);
  demo.state = 'compared';
}

const signed = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d * 100).toFixed(1)}`;

function guard(run: () => Promise<void>): () => void {
  return () => {
    if (demo.state === 'range-test' || demo.state === 'training' || demo.state === 'comparing') return;
    run().catch((e: unknown) => {
      demo.state = 'error';
      demo.errors.push(String(e));
      status(`Error: ${e instanceof Error ? e.message : String(e)}`, true);
    });
  };
}

/** The digits shipped beside the page (digits.bin, written by the build). */
async function loadDigits(): Promise<Uint8Array> {
  const res = await fetch('digits.bin');
  if (!res.ok) throw new Error(`digits.bin: HTTP ${res.status} (build the page with npm run demo, which writes it beside index.html)`);
  return new Uint8Array(await res.arrayBuffer());
}

async function main(): Promise<void> {
  const digits = TASK === 'digits' ? await loadDigits() : null;
  task = await pickBackend(() => (digits ? digitsTask(digits, PRESET) : syntheticTask()));
  $('backend').textContent = demo.backend;
  $('backend-notes').textContent = demo.backendNotes.length > 0 ? `(passed over: ${demo.backendNotes.join('; ')})` : '';
  demo.task = task.name;
  $('data').textContent = task.name;
  $('cifar-file').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const next = cifarTask(new Uint8Array(await file.arrayBuffer()), file.name);
      // A convnet: train it only where the backend can (stock wasm cannot), and say so.
      await trainsOn(next).catch((err: unknown) => {
        tf.dispose([next.xs, next.ys]);
        throw new Error(`the ${demo.backend} backend cannot train this convnet (${String((err as Error).message ?? err).split('\n')[0]}); open the page where webgl or webgpu works`);
      });
      tf.dispose([task.xs, task.ys, ...(task.test ? [task.test.xs, task.test.ys] : [])]);
      task = next;
      demo.task = task.name;
      $('data').textContent = task.name;
      $<HTMLButtonElement>('compare').disabled = true;
      // The code's comments held the last task's answers.
      answers = null;
      $('code-panel').hidden = true;
      status(`Loaded ${task.name}.`);
    } catch (err) {
      status(String((err as Error).message), true);
    }
  });
  $('find-lr').addEventListener('click', guard(runZeroConfig));
  $('compare').addEventListener('click', guard(runComparison));
  $('code-run').addEventListener('change', renderCode);
  $('copy-code').addEventListener('click', () => void copyCode());
  $('range-test').addEventListener('click', guard(runRangeTest));
  $('train').addEventListener('click', guard(runTraining));
  demo.state = 'idle';
  status(`Ready (backend ${demo.backend}). Start with the range test.`);
}

main().catch((e: unknown) => {
  demo.state = 'error';
  demo.errors.push(String(e));
  status(String(e), true);
});
