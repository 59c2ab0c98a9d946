/**
 * Two recipes trained by bench:cifar on the same seeds, compared seed by seed: each seed's final test accuracy, the
 * mean, σ and max − min of each, and the paired difference with its 95 % interval (Student's t) — at the end and at
 * every evaluation along the way (is one ahead only at the end, or all along?). Reads the folders' results.json;
 * trains nothing. A folder still training (no results.json yet) is listed and left out.
 *
 *   npm run bench:paired -- --a bench/results/cifar/16ep-scheduleFreeAdamW-warmup-seed \
 *       --b bench/results/cifar/16ep-scheduleFreeAdamW-seed --name-a recipe --name-b defaults
 *   ... --out bench/results/cifar/16ep-paired-scheduleFreeAdamW     # the same text, written to that folder's report.md
 *
 * `--a` and `--b` are folder prefixes: every folder PREFIX<seed> (the seed a whole number) is one run of that recipe.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { toSVG, type VegaLiteSpec } from 'tfjs-clr/plot';
import type { ExperimentResult, PolicyRun } from '../examples/cifar/experiment.js';
import { commandLine, flags, markdownTable } from './kit.js';
import { atOrAbove, mean, pairedInterval, pairedSdRatio, sdOf, signed } from './stats.js';

/** One recipe's finished runs, by seed; the folders with a seed but no results yet. */
export interface Recipe {
  runs: Map<number, PolicyRun>;
  unfinished: number[];
}

/** The folders PREFIX<seed> under PREFIX's directory: each one's run (the one policy it trained, or `policy`); `flag` names the prefix in errors. */
export function readRecipe(prefix: string, policy?: string, flag = '--a'): Recipe {
  const dir = path.dirname(prefix);
  const stem = path.basename(prefix);
  if (!existsSync(dir)) throw new Error(`${flag}: no folder ${JSON.stringify(dir)} (the prefix was ${JSON.stringify(prefix)})`);
  const runs = new Map<number, PolicyRun>();
  const unfinished: number[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(stem) || !/^\d+$/.test(name.slice(stem.length))) continue;
    const seed = Number(name.slice(stem.length));
    const file = path.join(dir, name, 'results.json');
    if (!existsSync(file)) {
      unfinished.push(seed);
      continue;
    }
    const result = JSON.parse(readFileSync(file, 'utf8')) as ExperimentResult;
    const mine = result.runs.filter((r) => r.averageOf === undefined && (policy === undefined || r.name === policy));
    if (mine.length !== 1) {
      const names = result.runs.map((r) => r.name).join(', ');
      throw new Error(`${file}: ${mine.length === 0 ? 'no run' : `${mine.length} runs`} of ${policy === undefined ? 'a single policy' : `policy ${JSON.stringify(policy)}`} (it has: ${names}); pick one with --policy`);
    }
    runs.set(seed, mine[0]);
  }
  if (runs.size === 0 && unfinished.length === 0) throw new Error(`${flag}: no folder ${stem}<seed> in ${dir}`);
  return { runs, unfinished: unfinished.sort((x, y) => x - y) };
}

const seedList = (s: readonly number[]) => `seed${s.length === 1 ? '' : 's'} ${s.join(', ')}`;

/** The seeds both recipes finished, and each one's runs in that order. */
type Paired = { seeds: number[]; A: PolicyRun[]; B: PolicyRun[] };

function pairSeeds(a: Recipe, b: Recipe): Paired {
  const seeds = [...a.runs.keys()].filter((s) => b.runs.has(s)).sort((x, y) => x - y);
  if (seeds.length < 2) throw new Error(`fewer than 2 seeds finished in both (${seeds.join(', ') || 'none'}): nothing to pair`);
  return { seeds, A: seeds.map((s) => a.runs.get(s) as PolicyRun), B: seeds.map((s) => b.runs.get(s) as PolicyRun) };
}

/** One evaluation both recipes made on every paired seed: each one's mean and σ, and the paired difference (points). */
export interface AlongRow {
  iteration: number;
  a: { mean: number; sd: number };
  b: { mean: number; sd: number };
  m: number;
  lo: number;
  hi: number;
  atOrAbove: number;
  seeds: number;
}

/** The paired comparison at every evaluation (after the first) that every run of both recipes made. */
function alongTheRun({ seeds, A, B }: Paired): AlongRow[] {
  const its = A[0].evals.iteration.filter((it) => it > 0 && [...A, ...B].every((r) => r.evals.iteration.includes(it)));
  const at = (r: PolicyRun, it: number) => 100 * r.evals.accuracy[r.evals.iteration.indexOf(it)];
  return its.map((iteration) => {
    const xa = A.map((r) => at(r, iteration));
    const xb = B.map((r) => at(r, iteration));
    const d = xa.map((x, i) => x - xb[i]);
    const { m, lo, hi } = pairedInterval(d);
    return { iteration, a: { mean: mean(xa), sd: sdOf(xa) }, b: { mean: mean(xb), sd: sdOf(xb) }, m, lo, hi, atOrAbove: atOrAbove(d), seeds: seeds.length };
  });
}

/** The paired difference along the run with its 95 % band, and the zero line. */
export function alongSpec(rows: AlongRow[], names: { a: string; b: string }): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `${names.a} − ${names.b}, paired by seed`, subtitle: 'points of test accuracy; band: its 95 % interval' },
    width: 480,
    height: 240,
    data: { values: rows.map((r) => ({ iteration: r.iteration, m: r.m, lo: r.lo, hi: r.hi })) },
    layer: [
      { mark: { type: 'area', opacity: 0.25 }, encoding: { x: { field: 'iteration', type: 'quantitative', title: 'iteration' }, y: { field: 'lo', type: 'quantitative', title: 'difference (points)' }, y2: { field: 'hi' } } },
      { mark: { type: 'line', point: true }, encoding: { x: { field: 'iteration', type: 'quantitative' }, y: { field: 'm', type: 'quantitative' } } },
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
    ],
  };
}

/**
 * The comparison as Markdown: seeds, the final accuracies, the paired interval, and the same along the run (`chart`: an
 * image of it to link); with the along-the-run rows, for that image.
 */
export function pairedReport(a: Recipe, b: Recipe, names: { a: string; b: string }, chart?: string): { text: string; along: AlongRow[] } {
  const pair = pairSeeds(a, b);
  const { seeds, A, B } = pair;
  const along = alongTheRun(pair);
  const only = (r: Recipe, other: Recipe) => [...r.runs.keys()].filter((s) => !other.runs.has(s)).sort((x, y) => x - y);
  const finalA = A.map((r) => 100 * r.finalAccuracy);
  const finalB = B.map((r) => 100 * r.finalAccuracy);
  const d = finalA.map((x, i) => x - finalB[i]);
  const p = pairedInterval(d);
  const spread = pairedSdRatio([{ x: finalA, y: finalB }]);
  const bold = (x: number, y: number) => (x > y ? `**${x.toFixed(2)}**` : x.toFixed(2));
  const withSd = (x: { mean: number; sd: number }) => `${x.mean.toFixed(2)} (σ ${x.sd.toFixed(2)})`;
  const leftOut = [{ name: names.a, r: a, other: b }, { name: names.b, r: b, other: a }].flatMap(({ name, r, other }) => [
    ...(only(r, other).length > 0 ? [`Only ${name} has ${seedList(only(r, other))} (left out).`] : []),
    ...(r.unfinished.length > 0 ? [`${name}: ${seedList(r.unfinished)} still training (no results.json; left out).`] : []),
  ]);
  const text = [
    `Seeds ${seeds.join(', ')} (${seeds.length}), finished in both.`,
    ...leftOut,
    '',
    '## Final test accuracy (%)',
    '',
    markdownTable(['seed', names.a, names.b, `${names.a} − ${names.b}`], [
      ...seeds.map((s, i) => [s, bold(finalA[i], finalB[i]), bold(finalB[i], finalA[i]), signed(d[i])]),
      ['mean', bold(mean(finalA), mean(finalB)), bold(mean(finalB), mean(finalA)), signed(p.m)],
      ['σ', sdOf(finalA).toFixed(2), sdOf(finalB).toFixed(2), p.sd.toFixed(2)],
      ['max − min', (Math.max(...finalA) - Math.min(...finalA)).toFixed(2), (Math.max(...finalB) - Math.min(...finalB)).toFixed(2), ''],
    ]),
    '',
    `**${names.a} against ${names.b}, paired by seed: ${signed(p.m)}, 95 % interval [${signed(p.lo)}, ${signed(p.hi)}]** (t at ${p.df} df); at or above on ${atOrAbove(d)} of ${d.length} seeds.`,
    '',
    ...(spread === null ? [] : [`Spread across seeds: the σ of ${names.a} is ${spread.ratio.toFixed(2)}× that of ${names.b}, 95 % interval [${spread.lo.toFixed(2)}, ${spread.hi.toFixed(2)}] (Pitman–Morgan, paired by seed; an interval that spans 1 cannot tell the two apart).`, '']),
    '## Along the run',
    '',
    'The same comparison at every evaluation both recipes made (iterations trained; the test set the runs were scored on).',
    '',
    ...(chart === undefined ? [] : [`![${names.a} − ${names.b} along the run](${chart})`, '']),
    markdownTable(['iteration', `${names.a}, mean`, `${names.b}, mean`, 'paired difference [95 %]', 'at or above'],
      along.map((r) => [r.iteration, withSd(r.a), withSd(r.b), `${signed(r.m)} [${signed(r.lo)}, ${signed(r.hi)}]`, `${r.atOrAbove}/${r.seeds}`])),
    '',
  ].join('\n');
  return { text, along };
}

async function main(): Promise<void> {
  const { values: v } = flags('bench:paired', {
    a: { type: 'string' },
    b: { type: 'string' },
    'name-a': { type: 'string', default: 'A' },
    'name-b': { type: 'string', default: 'B' },
    policy: { type: 'string' },
    out: { type: 'string' },
  }, {
    summary: "two bench:cifar recipes on the same seeds, paired by seed: final accuracies, spread, the paired 95 % interval, at the end and along the run (reads results.json; trains nothing)",
    example: 'npm run bench:paired -- --a bench/results/cifar/16ep-scheduleFreeAdamW-warmup-seed --b bench/results/cifar/16ep-scheduleFreeAdamW-seed --name-a recipe --name-b defaults',
  });
  if (v.a === undefined || v.b === undefined) throw new Error('bench:paired needs --a and --b (folder prefixes: PREFIX<seed> is one run); --help for an example');
  const [a, b] = [readRecipe(v.a, v.policy, '--a'), readRecipe(v.b, v.policy, '--b')];
  const names = { a: v['name-a'] as string, b: v['name-b'] as string };
  const chart = v.out === undefined ? undefined : 'difference.svg';
  const report = pairedReport(a, b, names, chart);
  const text = `# ${names.a} against ${names.b}, seed by seed\n\nCommand: \`${commandLine('bench:paired')}\`\n\n${report.text}`;
  if (v.out !== undefined) {
    mkdirSync(v.out, { recursive: true });
    writeFileSync(path.join(v.out, 'difference.svg'), await toSVG(alongSpec(report.along, names)));
    writeFileSync(path.join(v.out, 'report.md'), text);
  }
  console.log(text);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
