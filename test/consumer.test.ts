/**
 * The package as a new user installs it: `npm pack`, the tarball unpacked into a fresh project's
 * node_modules next to @tensorflow/tfjs (linked from this checkout: nothing is downloaded), then an
 * ESM and a CommonJS script (range test → CyclicLR → the optimizer's LR) and `tsc --noEmit` under
 * nodenext, bundler and node10 resolution. Also attw and publint on the package, and source maps that
 * carry their sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
let project: string;
/** The tarball `npm pack` made (its lifecycle scripts run: prepare's build, prepack's README); attw and publint read it too. */
let tarball: string;
let readmeBefore: string;

beforeAll(() => {
  readmeBefore = readFileSync(path.join(root, 'README.md'), 'utf8');
  project = mkdtempSync(path.join(tmpdir(), 'tfjs-clr-consumer-'));
  const packed = execFileSync('npm', ['pack', '--pack-destination', project, '--silent'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop() as string;
  const modules = path.join(project, 'node_modules');
  mkdirSync(path.join(modules, 'tfjs-clr'), { recursive: true });
  tarball = path.join(project, packed);
  execFileSync('tar', ['-xzf', tarball, '-C', path.join(modules, 'tfjs-clr'), '--strip-components=1']);
  symlinkSync(path.join(root, 'node_modules', '@tensorflow'), path.join(modules, '@tensorflow'), 'dir');
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
}, 120000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

const SCRIPT = (load: string) => `${load}
async function main() {
  await tf.setBackend('cpu');
  const xs = tf.randomNormal([256, 4], 0, 1, 'float32', 1);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 256 }, (_, k) => k % 2), 'int32'), 2);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const { suggestion } = await clr.rangeTest(model, { x: xs, y: ys }, { batchSize: 32, budget: 60 });
  const cb = clr.cyclicLR({ baseLR: suggestion.baseLR ?? 0.001, maxLR: suggestion.maxLR ?? 0.01, stepSize: 4 });
  await model.fit(xs, ys, { epochs: 1, batchSize: 32, callbacks: [cb], verbose: 0 });
  console.log(JSON.stringify({ batches: cb.history.lr.length, last: cb.history.lr[7], optimizerLR: clr.getLearningRate(model.optimizer), chart: typeof plot.scheduleChart(cb.history) }));
}
main();
`;

function runNode(file: string): { batches: number; last: number; optimizerLR: number; chart: string } {
  const out = execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

test('an ESM and a CommonJS consumer: range test, CyclicLR, the optimizer really at the last LR', () => {
  writeFileSync(path.join(project, 'esm.mjs'), SCRIPT("import * as tf from '@tensorflow/tfjs';\nimport * as clr from 'tfjs-clr';\nimport * as plot from 'tfjs-clr/plot';"));
  writeFileSync(path.join(project, 'cjs.cjs'), SCRIPT("const tf = require('@tensorflow/tfjs');\nconst clr = require('tfjs-clr');\nconst plot = require('tfjs-clr/plot');"));
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    const r = runNode(file);
    expect(r.batches).toBe(8);
    expect(r.optimizerLR).toBeCloseTo(r.last, 10);
    expect(r.chart).toBe('object');
  }
}, 120000);

test.each([
  ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }],
  ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ['node10', { module: 'commonjs', moduleResolution: 'node10' }],
])('TypeScript resolves both entries and their types under %s', (name, options) => {
  const dir = path.join(project, `ts-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'consumer.ts'),
    `import { cyclicLR, reduceLROnPlateau, warmupCosineSchedule, type BoundsSuggestion } from 'tfjs-clr';
import { rangeTestChart } from 'tfjs-clr/plot';
const s: (i: number) => number = warmupCosineSchedule({ peak: 0.1, warmupSteps: 10, steps: 100 });
const cb = cyclicLR({ baseLR: 0.001, maxLR: 0.01, stepSize: 10 });
const plateau = reduceLROnPlateau({ factor: 0.5 });
const b: BoundsSuggestion | null = null;
export const used = [s(3), cb.getState().iteration, plateau.getState().wait, typeof rangeTestChart, b];
`,
  );
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...options, strict: true, noEmit: true, skipLibCheck: true, target: 'es2020', lib: ['es2020', 'dom'], types: [] }, files: ['consumer.ts'] }));
  // Fails (throws) on any error, printing it.
  execFileSync(bin('tsc'), ['-p', dir], { cwd: dir, encoding: 'utf8' });
});

test('the packed README shows its images by absolute URL to files in the package; the repository README is left as it was', () => {
  const installed = path.join(project, 'node_modules', 'tfjs-clr');
  const packedReadme = readFileSync(path.join(installed, 'README.md'), 'utf8');
  const images = [...packedReadme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  expect(images.length).toBeGreaterThanOrEqual(3);
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const prefix = `https://cdn.jsdelivr.net/npm/tfjs-clr@${version}/`;
  for (const url of images) {
    const file = url.startsWith(prefix) ? url.slice(prefix.length) : null;
    expect(file && existsSync(path.join(installed, file))).toBe(true);
  }
  expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toBe(readmeBefore);
  expect(existsSync(path.join(root, '.README.md.orig'))).toBe(false);
});

test('attw (every resolution mode) and publint find no problems in the packed tarball', () => {
  const attw = execFileSync(bin('attw'), [tarball, '--format', 'table-flipped'], { cwd: root, encoding: 'utf8' });
  expect(attw).toMatch(/No problems found/);
  const publint = execFileSync(bin('publint'), ['run', tarball, '--strict'], { cwd: root, encoding: 'utf8' });
  expect(publint).toMatch(/All good!/);
}, 120000);

test('every shipped source map carries its sources (the .ts files are not shipped)', () => {
  const maps: string[] = [];
  const walk = (d: string) => readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.map') && maps.push(path.join(d, e.name))));
  walk(path.join(project, 'node_modules', 'tfjs-clr', 'dist'));
  expect(maps.length).toBeGreaterThan(20);
  for (const m of maps) {
    const map = JSON.parse(readFileSync(m, 'utf8')) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sourcesContent?.length).toBe(map.sources.length);
  }
});

test('the docs the packed README links are in the package, and their own links resolve there (bench result images and runs.json excepted: 14 MB left in the repository)', () => {
  const installed = path.join(project, 'node_modules', 'tfjs-clr');
  const mdFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? mdFiles(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : []));
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const cdn = `https://cdn.jsdelivr.net/npm/tfjs-clr@${version}/`;
  const files = mdFiles(installed);
  expect(files.map((f) => path.relative(installed, f))).toEqual(expect.arrayContaining(['README.md', 'docs/guide.md', 'docs/optimizers.md', 'docs/api/README.md', 'bench/RESULTS.md', 'bench/results/suggest/README.md']));
  const broken: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, url] of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
      if (url.startsWith('#') || (/^[a-z]+:/i.test(url) && !url.startsWith(cdn))) continue;
      const target = url.startsWith(cdn) ? path.join(installed, url.slice(cdn.length).split('#')[0]) : path.resolve(path.dirname(file), decodeURIComponent(url.split('#')[0]));
      const rel = path.relative(installed, target);
      if (/^bench\/results\/.*\.(svg|json)$/.test(rel)) continue;
      if (!existsSync(target)) broken.push(`${path.relative(installed, file)}: ${url}`);
    }
  }
  expect(broken).toEqual([]);
});
