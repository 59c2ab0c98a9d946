/**
 * The package as users get it: the built `dist/` (made by `npm test`'s pretest build), loaded with
 * `require` and `import` by name, bundled for browsers, and packed with only what it should ship.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..');
const node = (args: string[]): string =>
  execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  if (!existsSync(path.join(root, 'dist/cjs/index.js')) || !existsSync(path.join(root, 'dist/esm/index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  }
});

const PUBLIC_API = [
  'cyclicLearningRate',
  'cyclicMomentum',
  'oneCycleLearningRate',
  'oneCycleMomentum',
  'CyclicLR',
  'cyclicLR',
  'OneCycleLR',
  'oneCycleLR',
  'getLearningRate',
  'setLearningRate',
  'getMomentum',
  'setMomentum',
  'LRFinder',
  'lrFinder',
  'rangeTest',
  'suggestBounds',
  'suggestStepSize',
  'constantSchedule',
  'linearSchedule',
  'polynomialDecaySchedule',
  'cosineDecaySchedule',
  'exponentialDecaySchedule',
  'stepDecaySchedule',
  'piecewiseConstantSchedule',
  'joinSchedules',
  'warmupCosineSchedule',
  'cosineRestartsSchedule',
  'LRScheduler',
  'lrScheduler',
  'ReduceLROnPlateau',
  'reduceLROnPlateau',
  'CycleEndStopping',
  'cycleEndStopping',
  'readLog',
  'readLogSync',
  'findAccuracyKey',
];

test('require("tfjs-clr") gives the API, and its callbacks are tf.Callbacks of the one tfjs copy', () => {
  const out = node([
    '-e',
    `const tf = require('@tensorflow/tfjs'); const clr = require('tfjs-clr');
     const missing = ${JSON.stringify(PUBLIC_API)}.filter((k) => typeof clr[k] !== 'function');
     const cb = clr.cyclicLR({ baseLR: 0.1, maxLR: 0.5, stepSize: 4 });
     console.log(JSON.stringify({ missing, callback: cb instanceof tf.Callback, file: require.resolve('tfjs-clr') }));`,
  ]);
  const r = JSON.parse(out.trim().split('\n').pop() as string);
  expect(r.missing).toEqual([]);
  expect(r.callback).toBe(true);
  expect(r.file).toMatch(/dist[\\/]cjs[\\/]index\.js$/);
});

test('the plot entry loads by name in both module systems, separately from the core', () => {
  const cjs = node(['-e', `const p = require('tfjs-clr/plot'); console.log(typeof p.rangeTestChart, typeof p.toSVG, typeof p.terminalChart);`]);
  expect(cjs.trim().split('\n').pop()).toBe('function function function');
  const esm = node(['--input-type=module', '-e', `import { scheduleChart } from 'tfjs-clr/plot'; import * as core from 'tfjs-clr'; console.log(typeof scheduleChart, 'rangeTestChart' in core);`]);
  expect(esm.trim().split('\n').pop()).toBe('function false');
});

test('import from "tfjs-clr" (ESM) gives the same API', () => {
  const out = node([
    '--input-type=module',
    '-e',
    `import * as tf from '@tensorflow/tfjs'; import * as clr from 'tfjs-clr';
     const missing = ${JSON.stringify(PUBLIC_API)}.filter((k) => typeof clr[k] !== 'function');
     const cb = new clr.OneCycleLR({ maxLR: 0.1 });
     console.log(JSON.stringify({ missing, callback: cb instanceof tf.Callback, url: import.meta.resolve('tfjs-clr') }));`,
  ]);
  const r = JSON.parse(out.trim().split('\n').pop() as string);
  expect(r.missing).toEqual([]);
  expect(r.callback).toBe(true);
  expect(r.url).toMatch(/dist\/esm\/index\.js$/);
});

test('the core entry bundles for browsers with tfjs external, importing no Node built-in', async () => {
  const result = await build({
    entryPoints: [path.join(root, 'dist/esm/index.js')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    external: ['@tensorflow/tfjs'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
  const bare = [...new Set(imports.filter((p) => !p.startsWith('.') && !p.startsWith('/') && !p.startsWith('dist/')))];
  expect(bare).toEqual(['@tensorflow/tfjs']);
  const code = result.outputFiles[0].text;
  expect(code).not.toMatch(/require\(|from ["']node:|from ["'](fs|path|os|child_process)["']/);
});

test('the optimizers entry loads by name in both module systems, registers its classes, and bundles for browsers', async () => {
  const cjs = node(['-e', `const tf = require('@tensorflow/tfjs'); const o = require('tfjs-clr/optimizers'); const p = o.prodigy(); console.log(typeof o.scheduleFreeAdamW, p instanceof tf.Optimizer, tf.serialization.SerializationMap.getMap().classNameMap.Prodigy !== undefined);`]);
  expect(cjs.trim().split('\n').pop()).toBe('function true true');
  const esm = node(['--input-type=module', '-e', `import { dog } from 'tfjs-clr/optimizers'; import * as core from 'tfjs-clr'; console.log(typeof dog, 'dog' in core);`]);
  expect(esm.trim().split('\n').pop()).toBe('function false');
  const result = await build({ entryPoints: [path.join(root, 'dist/esm/optimizers/index.js')], bundle: true, platform: 'browser', format: 'esm', external: ['@tensorflow/tfjs'], write: false, logLevel: 'silent' });
  expect(result.outputFiles[0].text).not.toMatch(/require\(|from ["']node:|from ["'](fs|path|os|child_process)["']/);
});

test('npm pack ships dist, the node10 stubs, README, LICENSE, and the docs, examples and result pages the README links (text and its images; no data, no result images)', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const packed = JSON.parse(out)[0] as { files: Array<{ path: string }>; unpackedSize: number };
  const files: string[] = packed.files.map((f) => f.path);
  const allowed = [
    /^dist\//,
    /^(plot|optimizers|node)\/package\.json$/,
    /^(README\.md|LICENSE|package\.json)$/,
    /^docs\/[^/]+\.(md|svg|png)$/,
    /^docs\/api\/.+\.md$/,
    /^examples\/(quickstart|range-test|recipe|schedules)\.mjs$/,
    /^examples\/lib\/[^/]+\.(js|mjs|d\.ts)$/,
    /^packages\/tfjs-wasm-training\/README\.md$/,
    /^bench\/RESULTS\.md$/,
    /^bench\/results\/.+\.(md|txt)$/,
  ];
  expect(files.filter((f) => !allowed.some((r) => r.test(f)))).toEqual([]);
  expect(packed.unpackedSize).toBeLessThan(6e6);
  expect(files).toEqual(expect.arrayContaining(['dist/cjs/index.js', 'dist/esm/index.js', 'dist/cjs/index.d.ts', 'README.md', 'LICENSE']));
});

test('the quick-start example runs end to end', () => {
  const out = node(['examples/quickstart.mjs']);
  expect(out).toMatch(/^backend: /m);
  expect(out).toMatch(/240 batches; LR min 0\.0500, max 0\.5000/);
  expect(out).toMatch(/peaks of the three cycles \(triangular2 halves them\): 0\.5000, 0\.2750, 0\.1625/);
}, 120000);

test("the recipe example runs the README's lead recipe end to end: the range test's options, then both runs", () => {
  const out = node(['examples/recipe.mjs']);
  // 5 epochs of 2,000 points in batches of 50: 200 steps, warmed up over 10 % of them. The spirals' range test lands
  // far above Schedule-Free AdamW's default (0.0025), so the LR is held at the 8× ceiling, 0.02, on every rerun.
  expect(out).toMatch(/^scheduleFreeAdamWOptions: \{"learningRate":0\.02,"warmupSteps":20\}$/m);
  expect(out).toMatch(/^note: scheduleFreeAdamWOptions: Schedule-Free AdamW at 0\.0200/m);
  const acc = (name: string) => Number(new RegExp(`^${name}\\s*: test accuracy ([\\d.]+) %`, 'm').exec(out)?.[1]);
  // Trained, both of them: well above the 50 % of a coin on two classes.
  expect(acc('range test \\+ Schedule-Free AdamW')).toBeGreaterThan(90);
  expect(acc('Schedule-Free AdamW, defaults')).toBeGreaterThan(60);
}, 120000);
