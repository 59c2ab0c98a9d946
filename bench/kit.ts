/**
 * What every bench shares: where results go (bench/results/<bench>/<run>/), checked command-line
 * flags, and Markdown tables. A bench is its measurement; this is the rest.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** bench/results: one folder a bench, one folder a run inside it. */
export const RESULTS = path.resolve(__dirname, 'results');

/** bench/results/<bench>[/<run>], made if missing. */
export function resultsDir(bench: string, run?: string): string {
  const dir = run === undefined ? path.join(RESULTS, bench) : path.join(RESULTS, bench, run);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The command that ran this bench, for its report: `npm run <script> -- <args>`. */
export function commandLine(script: string): string {
  const args = process.argv.slice(2);
  return `npm run ${script}${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
}

/** node:util's parseArgs, strict, with an error that names the bench and its flags. */
export function flags<T extends NonNullable<ParseArgsConfig['options']>>(bench: string, options: T) {
  try {
    return parseArgs({ options, strict: true, allowPositionals: true });
  } catch (e) {
    const known = Object.keys(options).map((k) => `--${k}`).join(', ');
    throw new Error(`${bench}: ${(e as Error).message} (its flags: ${known})`);
  }
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
