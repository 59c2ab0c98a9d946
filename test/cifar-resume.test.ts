/**
 * --checkpoint-every in the CIFAR-10 example: a run killed (SIGKILL, as a closed laptop or a lost
 * session) after a checkpoint continues in a new process where it left off, and ends with the same
 * record as a run that was never interrupted: the same LR at every iteration (the schedule's
 * getState/setState), the same test accuracy and loss at every evaluation (weights and the
 * optimizer's momentum restored). A rerun with other settings is refused instead of mixing two runs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expectClose, writeTinyCifar } from './helpers.js';

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

let work: string;
let data: string;
const args = (out: string, extra: string[] = []) => [
  'examples/cifar/main.ts', '--data-dir', data, '--out', path.join(work, out), '--backend', 'wasm', '--seed', '3', '--no-progress',
  '--policies', 'fixed,triangular', '--base-lr', '0.002', '--max-lr', '0.02', '--step-size', '3', '--batch-size', '20',
  '--iterations', '24', '--eval-every', '4', '--checkpoint-every', '8', ...extra,
];
const run = (out: string, extra: string[] = []) => execFileSync(tsx, args(out, extra), { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
/** Adam with its β₁ cycled by the schedule: the case a plain optimizer.getWeights()/setWeights() resume gets wrong. */
const ADAM = ['--optimizer', 'adam', '--cycle-momentum', '--policies', 'triangular', '--base-lr', '0.0005', '--max-lr', '0.005'];
const results = (out: string) => JSON.parse(readFileSync(path.join(work, out, 'results.json'), 'utf8'));

/** Starts the example and SIGKILLs it as soon as it prints a line matching `at`; resolves with what it printed. */
function killAt(out: string, at: RegExp, extra: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    // node with tsx's loader, not the tsx CLI: the CLI runs the script in a child process that a kill of the CLI would leave running.
    const child = spawn(process.execPath, ['--import', 'tsx', ...args(out, extra)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (at.test(stdout)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(stdout);
      else reject(new Error(`the run ended (code ${code}) before it printed ${at}:\n${stdout}\n${stderr}`));
    });
  });
}

interface Run {
  label: string;
  lr: number[];
  evals: { iteration: number[]; accuracy: number[]; loss: number[] };
}

let whole: Run[];
let firstPart: string;
let resumedLog: string;
let resumed: Run[];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'tfjs-clr-resume-'));
  data = writeTinyCifar(work);
  run('whole');
  whole = results('whole').runs;
  // Killed in the cyclic policy, after its first checkpoint (iteration 8 of 24, mid-cycle: period 6).
  firstPart = await killAt('interrupted', /triangular: checkpoint at iteration 8 saved/);
  resumedLog = run('interrupted');
  resumed = results('interrupted').runs;
}, 300000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the killed run left a checkpoint and no results; the rerun reuses the finished policy and resumes the other', () => {
  expect(firstPart).toMatch(/fixed: best test accuracy/);
  expect(firstPart).not.toMatch(/triangular: best test accuracy/);
  for (const f of ['triangular/model.json', 'triangular/weights.bin', 'fixed.run.json', 'settings.json']) {
    expect(existsSync(path.join(work, 'interrupted', 'checkpoints', f))).toBe(true);
  }
  expect(resumedLog).toMatch(/fixed: finished by an earlier process/);
  // Where it resumes depends on how far the killed process got after printing the line (8, or 16 at most).
  expect(resumedLog).toMatch(/triangular: resuming at iteration (8|16) from /);
  expect(resumedLog).not.toMatch(/triangular: resuming at iteration 0/);
});

test('the resumed run ends with the record of the run that was never interrupted', () => {
  expect(resumed.map((r) => r.label)).toEqual(['fixed', 'triangular']);
  // The triangular schedule by hand (base 0.002, max 0.02, step 3, period 6): the checkpoints at 8 and
  // 16 are mid-cycle, so a schedule restarted from its beginning would show here.
  const tri = Array.from({ length: 24 }, (_, k) => 0.002 + (0.018 * (3 - Math.abs((k % 6) - 3))) / 3);
  expectClose(whole[1].lr, tri, 12);
  whole.forEach((w, k) => {
    const r = resumed[k];
    expect(r.evals.iteration).toEqual([0, 4, 8, 12, 16, 20, 24]);
    expectClose(r.lr, w.lr, 12);
    expectClose(r.evals.accuracy, w.evals.accuracy, 9);
    expectClose(r.evals.loss, w.evals.loss, 4);
  });
  // The evaluations after the resume differ from the ones at the start: training went on from the saved weights.
  expect(new Set(resumed[1].evals.loss.map((l) => l.toFixed(4))).size).toBeGreaterThan(4);
});

/** Runs `extra` whole, then killed after the checkpoint at 8 and rerun; the two records, and the rerun's log. */
async function wholeAndResumed(tag: string, policy: string, extra: string[]): Promise<{ w: Run; r: Run; log: string }> {
  run(`${tag}-whole`, extra);
  const w = results(`${tag}-whole`).runs[0] as Run;
  await killAt(`${tag}-interrupted`, new RegExp(`${policy}: checkpoint at iteration 8 saved`), extra);
  const log = run(`${tag}-interrupted`, extra);
  expect(log).toMatch(new RegExp(`${policy}: resuming at iteration (8|16) from `));
  const r = results(`${tag}-interrupted`).runs[0] as Run;
  expect(r.evals.iteration).toEqual([0, 4, 8, 12, 16, 20, 24]);
  expectClose(r.evals.loss, w.evals.loss, 4);
  expectClose(r.evals.accuracy, w.evals.accuracy, 9);
  return { w, r, log };
}

test('Adam with a cycled β₁ resumes into the same run (its running β₁ product is restored, not rebuilt as β₁^t)', async () => {
  const { w, r } = await wholeAndResumed('adam', 'triangular', ADAM);
  expectClose(r.lr, w.lr, 12);
}, 300000);

test('Schedule-Free AdamW (gradients at y, evaluated at x) resumes into the same run', async () => {
  const { r } = await wholeAndResumed('sf', 'constant', ['--optimizer', 'scheduleFreeAdamW', '--policies', 'constant']);
  expect(r.lr.every((v) => v === 0.0025)).toBe(true); // its own default, unscheduled
  expect(new Set(r.evals.loss.map((l) => l.toFixed(4))).size).toBeGreaterThan(4);
}, 300000);

test('--average: the averages (SWA at cycle ends, EMA) resume with the run, and score rows of their own', async () => {
  const extra = ['--policies', 'triangular', '--average', 'swa,ema'];
  run('avg-whole', extra);
  const w = results('avg-whole').runs as (Run & { averageOf?: { label: string; name: string } })[];
  await killAt('avg-interrupted', /triangular: checkpoint at iteration 8 saved/, extra);
  expect(run('avg-interrupted', extra)).toMatch(/triangular: resuming at iteration (8|16) from /);
  const r = results('avg-interrupted').runs as typeof w;
  expect(r.map((x) => x.label)).toEqual(['triangular', 'triangular + swa', 'triangular + ema']);
  expect(r.map((x) => x.averageOf?.name)).toEqual([undefined, 'swa', 'ema']);
  // SWA's first update is the first cycle's end (iteration 6, period 6): scored from the evaluation at 8; EMA from the first batch.
  expect(r[1].evals.iteration).toEqual([8, 12, 16, 20, 24]);
  expect(r[2].evals.iteration).toEqual([4, 8, 12, 16, 20, 24]);
  r.forEach((x, k) => {
    expectClose(x.evals.loss, w[k].evals.loss, 4);
    expectClose(x.evals.accuracy, w[k].evals.accuracy, 9);
  });
  // The averages are other weights than the raw ones: their losses differ at the same iterations.
  const rawAt = (it: number) => r[0].evals.loss[r[0].evals.iteration.indexOf(it)];
  expect(r[1].evals.loss.some((l, k) => Math.abs(l - rawAt(r[1].evals.iteration[k])) > 1e-4)).toBe(true);
  expect(r[2].evals.loss.some((l, k) => Math.abs(l - rawAt(r[2].evals.iteration[k])) > 1e-4)).toBe(true);
}, 300000);

test('a rerun with other settings is refused, naming what changed, and the checkpoints stay', () => {
  let message = '';
  try {
    run('interrupted', ['--max-lr', '0.03']);
  } catch (e) {
    message = String((e as { stderr?: string }).stderr);
  }
  expect(message).toMatch(/the checkpoints in .*checkpoints were made with other settings \(maxLR: 0\.03 now, 0\.02 in the checkpoints\)/);
  expect(existsSync(path.join(work, 'interrupted', 'checkpoints', 'fixed.run.json'))).toBe(true);
});

test('a checkpoint in the old format (before saveTraining) is refused, not resumed into a different run', () => {
  const dir = path.join(work, 'old-format', 'checkpoints');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'fixed.state.json'), '{}');
  let message = '';
  try {
    run('old-format', ['--policies', 'fixed']);
  } catch (e) {
    message = String((e as { stderr?: string }).stderr);
  }
  expect(message).toMatch(/fixed\.state\.json is a checkpoint in the example's old format \(before saveTraining\).*delete .* to start over/);
});

test('--checkpoint-every without --out is refused (the default folder is new every run)', () => {
  let message = '';
  try {
    execFileSync(tsx, ['examples/cifar/main.ts', '--data-dir', data, '--checkpoint-every', '8'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    message = String((e as { stderr?: string }).stderr);
  }
  expect(message).toMatch(/--checkpoint-every needs --out/);
});
