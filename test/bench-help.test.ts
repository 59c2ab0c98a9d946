/**
 * Every bench: `--help` prints its flags, their defaults and an example, and runs nothing (no result
 * file written or changed); an unknown flag is refused before any work, naming the bench's flags.
 * A report's Command line (bench/kit.ts `commandLine`) quotes what a shell would otherwise change.
 * (Run it with no bench training in the background: those write under bench/results too.)
 */
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

import { shellQuote } from '../bench/kit.js';

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const BENCHES = ['cifar', 'suggest', 'probes', 'speed', 'lr-free-cost', 'overhead', 'micro', 'robustness', 'table3', 'paired', 'demo'];

/** Every file under bench/results with its modification time: what a bench could overwrite. */
function snapshot(): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'checkpoints') walk(p); // git-ignored resumable state of a running bench
      }
      else out.set(p, statSync(p).mtimeMs);
    }
  };
  walk(path.join(root, 'bench', 'results'));
  return out;
}

/** Runs a bench with `args`; never throws. */
function run(bench: string, args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(tsx, [`bench/${bench}.ts`, ...args], { cwd: root, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

test('every bench: --help prints its flags and an example and runs nothing; an unknown flag is refused before any work', async () => {
  const before = snapshot();
  // Two at a time (2 cores): each start loads tfjs.
  const results: Array<{ bench: string; help: { status: number | null; out: string }; unknown: { status: number | null; out: string } }> = [];
  for (let k = 0; k < BENCHES.length; k += 2) {
    results.push(
      ...(await Promise.all(BENCHES.slice(k, k + 2).map(async (bench) => ({ bench, help: await run(bench, ['--help']), unknown: await run(bench, ['--no-such-flag']) })))),
    );
  }
  for (const { bench, help, unknown } of results) {
    expect([bench, help.status]).toEqual([bench, 0]);
    expect(help.out).toMatch(new RegExp(`^npm run bench:${bench} -- \\[flags\\]`));
    expect(help.out).toMatch(/\nflags:\n/);
    expect(help.out).toMatch(new RegExp(`\nexample: npm run bench:${bench}`));
    expect([bench, unknown.status === 0]).toEqual([bench, false]);
    expect(unknown.out).toMatch(new RegExp(`bench:${bench}: Unknown option '--no-such-flag'[^\n]*\\(its flags: [^\n]*--help for more\\)`));
  }
  expect(snapshot()).toEqual(before);
}, 300000);

test("a report's Command line reruns as it ran: a shell reads every argument back unchanged, the empty one too", () => {
  const args = ['--one-cycle', '', '--skip-rules', 'thumb÷3,accuracy', '--note', "it's a b", '--out', 'bench/results/x', '$HOME', '*'];
  const line = args.map(shellQuote).join(' ');
  expect(line.startsWith("--one-cycle '' --skip-rules thumb÷3,accuracy ")).toBe(true); // plain ones stay bare
  const back = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' }).split('\0').slice(0, -1);
  expect(back).toEqual(args);
});
