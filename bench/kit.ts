/**
 * What every bench shares: where results go (bench/results/<bench>/<run>/), checked command-line
 * flags, and Markdown tables. A bench is its measurement; this is the rest.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ONE_CYCLE_READINGS, type OneCycleReading } from 'tfjs-clr';

/** bench/results: one folder a bench, one folder a run inside it. */
export const RESULTS = path.resolve(__dirname, 'results');

/** bench/results/<bench>[/<run>] (an absolute <run> as it is), made if missing. */
export function resultsDir(bench: string, run?: string): string {
  // A relative --out is a folder of bench/results/<bench>; an absolute one is taken as it is.
  const dir = run === undefined ? path.join(RESULTS, bench) : path.resolve(RESULTS, bench, run);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One argument as a POSIX shell reads it back: bare when plain, else in single quotes (an empty one as ''). */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./×÷-]+$/u.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command that ran this bench, for its report: `npm run <script> -- <args>`, each argument quoted where a shell needs it. */
export function commandLine(script: string): string {
  const args = process.argv.slice(2);
  return `npm run ${script}${args.length > 0 ? ` -- ${args.map(shellQuote).join(' ')}` : ''}`;
}

/** What `--help` says about a bench: one line of what it measures, one example, and its positionals (if it takes any). */
export interface BenchHelp {
  summary: string;
  example: string;
  positionals?: string;
}

/** The `--help` text: the summary, every flag with its type and default, the example. */
export function helpText(bench: string, options: NonNullable<ParseArgsConfig['options']>, help: BenchHelp): string {
  const rows = Object.entries(options).map(([k, o]) => `  --${k}${o.type === 'string' ? ' <value>' : ''}${o.default !== undefined ? `   (default ${JSON.stringify(o.default)})` : ''}`);
  return [
    `npm run ${bench} -- [flags]${help.positionals ? ` [${help.positionals}]` : ''}`,
    '',
    help.summary,
    '',
    'flags:',
    ...(rows.length > 0 ? rows : ['  (none)']),
    '  --help   this text (nothing runs)',
    '',
    `example: ${help.example}`,
  ].join('\n');
}

/**
 * node:util's parseArgs, strict: an unknown flag (or a positional, unless `help.positionals` says the
 * bench takes some) is refused before any work, naming the bench and its flags; `--help` prints
 * {@link helpText} and exits before any work.
 */
export function flags<T extends NonNullable<ParseArgsConfig['options']>>(bench: string, options: T, help: BenchHelp) {
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    console.log(helpText(bench, options, help));
    process.exit(0);
  }
  let parsed;
  try {
    parsed = parseArgs({ options, strict: true, allowPositionals: help.positionals !== undefined });
  } catch (e) {
    const known = Object.keys(options).map((k) => `--${k}`).join(', ') || 'none';
    throw new Error(`${bench}: ${(e as Error).message} (its flags: ${known}; --help for more)`);
  }
  return parsed;
}

/** A flag's value as a finite number > 0 (an integer with `integer`), or undefined when absent; a clear error otherwise. */
export function positiveFlag(name: string, value: string | boolean | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) {
    throw new Error(`--${name} must be a ${integer ? 'whole' : 'positive'} number${integer ? ' > 0' : ''}, got ${JSON.stringify(value)}`);
  }
  return x;
}

/** A Markdown table: a header row, the separator, and one row each. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const line = (cells: ReadonlyArray<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The peak readings (`suggested`, `double`, `right`) a comma-separated flag asks for; the error names the flag and the value. */
export function readings(list: string, flag: string): OneCycleReading[] {
  return list.split(',').filter(Boolean).map((r) => {
    if (!(ONE_CYCLE_READINGS as readonly string[]).includes(r)) throw new Error(`${flag}: unknown reading "${r}" (known: ${ONE_CYCLE_READINGS.join(', ')})`);
    return r as OneCycleReading;
  });
}
