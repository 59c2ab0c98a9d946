/**
 * The default rule on single noisy sweeps with a known answer (test/fixtures/sweeps.ts: exponential
 * and linear sweeps of 60–300 batches, noise up to a fifth of the fall, an early spike, two valleys, a
 * NaN tail, losses below zero; 20 draws each): how often maxLR lands in [steepest descent, 1.5 × the
 * clean loss minimum], against the same rule reading the smoothed loss's minimum (the default before).
 *
 *   npm run bench:robustness
 */
import { suggestBounds, thumbRule, type BoundsSuggestion, type RangeCurve } from 'tfjs-clr';
import { syntheticSweep, type Trouble } from '../test/fixtures/sweeps';
import { flags, markdownTable } from './kit.js';

flags('bench:robustness', {}, { summary: 'the default rule on single noisy sweeps with a known answer: where it reads, against the clean curve', example: 'npm run bench:robustness' });

const TROUBLES: Trouble[] = ['none', 'early-spike', 'two-valleys', 'nan-tail', 'negative'];
const RULES: Array<[string, (c: RangeCurve) => BoundsSuggestion]> = [
  ["default (reading 'auto': where the loss bottoms out)", (c) => suggestBounds(c)],
  ["reading 'minimum' (the default before)", (c) => thumbRule(c, { reading: 'minimum' })],
];

const rows: string[][] = [];
for (const mode of ['exponential', 'linear'] as const) {
  for (const [name, rule] of RULES) {
    const count = { n: 0, ok: 0, past: 0, below: 0, none: 0 };
    const ratios: number[] = [];
    for (const trouble of TROUBLES) for (const noise of [0.02, 0.05, 0.1, 0.2]) for (const batches of [60, 100, 200, 300]) for (let seed = 1; seed <= 20; seed++) {
      const s = syntheticSweep({ mode, trouble, noise, centre: -3 + (seed % 5) * 0.7, seed, batches });
      const b = rule(s.curve);
      count.n++;
      if (b.maxLR === null) {
        count.none++;
        continue;
      }
      ratios.push(b.maxLR / s.minLossLR);
      if (b.maxLR > 1.5 * s.minLossLR) count.past++;
      else if (b.maxLR < s.steepestLR) count.below++;
      else count.ok++;
    }
    ratios.sort((a, b) => a - b);
    const q = (p: number) => ratios[Math.floor(p * (ratios.length - 1))].toFixed(2);
    rows.push([mode, name, String(count.n), `${count.ok} (${((100 * count.ok) / count.n).toFixed(1)} %)`, String(count.past), String(count.below), String(count.none), `${q(0.5)}, ${q(0.9)}, ${q(1)}`]);
  }
}
const header = ['sweep', 'rule', 'sweeps', 'in [steepest, 1.5 × minimum]', 'past 1.5 × minimum', 'below steepest', 'no bounds', 'maxLR / minimum: median, 90th percentile, max'];
console.log(`Command: \`npm run bench:robustness\`\n\n${markdownTable(header, rows)}`);
