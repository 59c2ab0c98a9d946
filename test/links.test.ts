/** Every relative link and image in README.md, bench/RESULTS.md and the guides in docs/ points at a file in the repository. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

const DOCS = ['README.md', 'bench/RESULTS.md', 'docs/guide.md', 'docs/cifar-example.md', 'docs/repository.md', 'docs/optimizers.md'];

test.each(DOCS)('%s: relative links and images resolve', (file) => {
  const text = readFileSync(path.join(root, file), 'utf8');
  const targets = [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((u) => !/^[a-z]+:/i.test(u) && !u.startsWith('#'));
  expect(targets.length).toBeGreaterThan(0); // a file without a link would pass for nothing
  const missing = targets.filter((u) => !existsSync(path.join(root, path.dirname(file), decodeURIComponent(u.split('#')[0]))));
  expect(missing).toEqual([]);
});
