/** Every relative link and image in README.md and bench/RESULTS.md points at a file in the repository. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

test.each(['README.md', 'bench/RESULTS.md'])('%s: relative links and images resolve', (file) => {
  const text = readFileSync(path.join(root, file), 'utf8');
  const targets = [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((u) => !/^[a-z]+:/i.test(u) && !u.startsWith('#'));
  expect(targets.length).toBeGreaterThan(2);
  const missing = targets.filter((u) => !existsSync(path.join(root, path.dirname(file), decodeURIComponent(u.split('#')[0]))));
  expect(missing).toEqual([]);
});
