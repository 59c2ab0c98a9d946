/**
 * The paper's Table 3 over several seeds: CLR (triangular2) against each optimizer alone, from the
 * CIFAR-10 example's results folders (one per seed, or per optimizer and seed), as mean and spread.
 *
 *   npm run bench:table3                       # the runs below → bench/results/table3/summary.md
 *   npm run bench:table3 -- DIR DIR …          # other folders (a later folder's runs replace an earlier one's)
 *
 * Each folder is what `npm run example -- --optimizer … --policies fixed,triangular2 --range-test
 * --seed S --out DIR` wrote (its results.json). "Alone" is the `fixed` policy (the optimizer at the range
 * test's baseLR, Caffe's ×0.1 drops); the ratio is the iterations CLR needs to reach alone's best over
 * the iterations alone needed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ExperimentResult, PolicyRun } from '../examples/cifar/results.js';
import { iterationsToReach } from '../examples/cifar/report.js';
import { commandLine, flags, markdownTable, RESULTS, resultsDir } from './kit.js';

/** bench/results/table3/<run>, in this order: Adam again for seeds 1 and 2 last (with the current default rule), replacing those seeds' first Adam runs. */
const DEFAULT_DIRS = ['seed1', 'seed2', 'seed3', 'adam-seed1', 'adam-seed2'].map((run) => path.relative(process.cwd(), path.join(RESULTS, 'table3', run)));

interface Cell {
  seed: number;
  dir: string;
  alone: PolicyRun;
  clr: PolicyRun;
  bounds: { baseLR: number; maxLR: number };
}

const pct = (v: number) => (v * 100).toFixed(2);
const lr = (v: number) => String(Number(v.toPrecision(3)));
const spread = (v: number[], f: (x: number) => string) =>
  `${f(v.reduce((a, b) => a + b, 0) / v.length)} (${f(Math.min(...v))} – ${f(Math.max(...v))})`;

function main(): void {
  const { positionals } = flags('bench:table3', {}, {
    summary: "the paper's Table 3 over seeds, from the CIFAR-10 example's results folders: CLR (triangular2) against each optimizer alone; writes bench/results/table3/summary.md",
    example: 'npm run bench:table3 -- bench/results/table3/seed1 bench/results/table3/seed2',
    positionals: 'results folders (default: the committed ones)',
  });
  const dirs = positionals.length > 0 ? positionals : DEFAULT_DIRS;
  const cells = new Map<string, Cell>();
  const used: string[] = [];
  for (const dir of dirs) {
    const file = path.join(dir, 'results.json');
    if (!existsSync(file)) {
      console.log(`${dir}: no results.json, left out`);
      continue;
    }
    used.push(dir);
    const r = JSON.parse(readFileSync(file, 'utf8')) as ExperimentResult;
    const seed = r.settings.seed;
    for (const optimizer of r.settings.optimizers) {
      const alone = r.runs.find((x) => x.optimizer === optimizer && x.name === 'fixed');
      const clr = r.runs.find((x) => x.optimizer === optimizer && x.name === 'triangular2');
      if (!alone || !clr) continue;
      const { baseLR, maxLR } = r.settings.perOptimizer[optimizer];
      cells.set(`${optimizer}|${seed}`, { seed, dir, alone, clr, bounds: { baseLR, maxLR } });
    }
  }
  const optimizers = [...new Set([...cells.keys()].map((k) => k.split('|')[0]))];
  const lines = [
    '# CLR with other optimizers over seeds, in the shape of the paper\'s Table 3',
    '',
    `Command: \`${commandLine('bench:table3')}\`, from ${used.map((d) => `\`${d}\``).join(', ')}.`,
    'Best test accuracy (2,000 test images) in the budget; mean (min – max) over the seeds; "ratio": iterations CLR needed to reach the optimizer-alone best ÷ iterations alone needed (— where CLR never reached it).',
    '',
  ];
  const rows: string[][] = [];
  for (const opt of optimizers) {
    const mine = [...cells.values()].filter((c) => c.alone.optimizer === opt).sort((a, b) => a.seed - b.seed);
    const ratios = mine.map((c) => {
      const target = c.alone.bestAccuracy;
      const at = iterationsToReach(c.clr, target);
      const aloneAt = iterationsToReach(c.alone, target) as number;
      return at === null ? '—' : (at / aloneAt).toFixed(2);
    });
    rows.push([
      mine[0].alone.optimizerDescription,
      mine.map((c) => c.seed).join(', '),
      `${spread(mine.map((c) => c.alone.bestAccuracy), pct)} %`,
      `${spread(mine.map((c) => c.clr.bestAccuracy), pct)} %`,
      spread(mine.map((c) => c.clr.bestAccuracy - c.alone.bestAccuracy), (v) => (v * 100).toFixed(2)),
      ratios.join(' / '),
      mine.map((c) => lr(c.bounds.maxLR)).join(' / '),
    ]);
  }
  lines.push(markdownTable(['optimizer', 'seeds', 'alone: best accuracy', '+ triangular2: best accuracy', 'CLR − alone, points', 'ratio per seed', 'bounds per seed (maxLR)'], rows), '');
  if (rows.length === 0) throw new Error(`bench:table3: no results.json in ${dirs.join(', ')}; summary.md left as it was`);
  const out = path.join(resultsDir('table3'), 'summary.md');
  writeFileSync(out, `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
}

main();
