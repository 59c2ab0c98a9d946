/**
 * The CIFAR-10 script end to end, as a user runs it (tsx, wasm backend), on a tiny dataset written here
 * in the official format: a range test and three policies for a few iterations, producing the report.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { writeTinyCifar } from './helpers.js';

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');


let work: string;
let stdout: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'tfjs-clr-e2e-'));
  const data = writeTinyCifar(work);
  stdout = execFileSync(
    tsx,
    ['examples/cifar/main.ts', '--data-dir', data, '--out', path.join(work, 'out'), '--iterations', '6', '--eval-every', '3',
      '--batch-size', '20', '--policies', 'fixed,triangular2,1cycle', '--range-test', '--range-budget', '50', '--backend', 'wasm', '--seed', '3'],
    { cwd: root, encoding: 'utf8' },
  );
}, 240000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('it says which backend runs and why, and what data it read', () => {
  expect(stdout).toMatch(/^backend: wasm — --backend wasm \(SIMD (on|off), (\d+ threads|1 thread[^,]*)(,| and) the example's training kernels/m);
  // The threaded wasm build starts in Node (wasm-threads.ts) with one thread per core.
  if (cpus().length > 1) expect(stdout).toMatch(new RegExp(`SIMD on, ${cpus().length} threads`));
  expect(stdout).toMatch(/train 200 images \(data_batch_1\.bin\), test 100/);
  expect(stdout).toMatch(/LR range test \(momentum; zero-config, at most 50 iterations\): 3 exponential probes from 1e-7/);
  // The comparison table closes the output.
  expect(stdout).toMatch(/\| policy \| iterations \|[^\n]*\n\| --- [^\n]*\n\| fixed \| 6 \|[^\n]*\n\| triangular2 \| 6 \|[^\n]*\n\| 1cycle \| 6 \|/);
});

test('results.json holds every curve and setting', () => {
  const r = JSON.parse(readFileSync(path.join(work, 'out', 'results.json'), 'utf8'));
  expect(r.runs.map((x: { name: string }) => x.name)).toEqual(['fixed', 'triangular2', '1cycle']);
  for (const run of r.runs) {
    expect(run.evals.iteration).toEqual([0, 3, 6]);
    expect(run.evals.accuracy).toHaveLength(3);
    expect(run.lr).toHaveLength(6);
  }
  // Same initial weights: every policy starts from the same test accuracy.
  const first = r.runs.map((x: { evals: { accuracy: number[] } }) => x.evals.accuracy[0]);
  expect(new Set(first).size).toBe(1);
  // Zero-config: 3 probes of 50/(3 + 2) = 10 batches (fewer if one diverged), then the linear sweep with the rest.
  const probe = r.rangeTest.result.probe;
  expect(probe.mode).toBe('exponential');
  expect(probe.minLR).toBe(1e-7);
  expect(probe.repeats).toHaveLength(3);
  const probeBatches = probe.repeats.reduce((a: number, p: { lr: number[] }) => a + p.lr.length, 0);
  expect(probeBatches).toBeLessThanOrEqual(30);
  expect(r.rangeTest.result.mode).toBe('linear');
  expect(probeBatches + r.rangeTest.result.lr.length).toBe(50);
  expect(r.rangeTest.iterations).toBe(50);
  expect(r.settings.budget).toBe(6);
  expect(r.settings.stepSize).toBe(1); // 3 cycles in 6 iterations
});

test('report.md has the table, and the SVG plots are well-formed', () => {
  const md = readFileSync(path.join(work, 'out', 'report.md'), 'utf8');
  expect(md).toMatch(/\| policy \| iterations \| best test accuracy \| final \| iterations to reach fixed's best \| ratio \| training time \| images\/s \|/);
  expect(md.match(/^\| (fixed|triangular2|1cycle) \| 6 \|/gm)).toHaveLength(3);
  for (const f of ['accuracy.svg', 'schedules.svg', 'range-test.svg']) {
    expect(XMLValidator.validate(readFileSync(path.join(work, 'out', f), 'utf8'))).toBe(true);
  }
});

test('bad flags are clear errors', () => {
  let err = '';
  try {
    execFileSync(tsx, ['examples/cifar/main.ts', '--policies', 'fixed,cosine'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    err = String((e as { stderr: string }).stderr);
  }
  expect(err).toMatch(/unknown policy "cosine"/);
});
