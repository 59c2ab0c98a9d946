/**
 * Every relative link and image in README.md, the results index and its study pages, and the guides in
 * docs/ points at a file in the repository, and every #anchor into a Markdown file names one of its
 * headings (GitHub's anchors). The results index links every study page.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const STUDIES = readdirSync(path.join(root, 'bench/results')).filter((d) => existsSync(path.join(root, 'bench/results', d, 'README.md')));
const DOCS = [
  'README.md',
  'bench/RESULTS.md',
  ...STUDIES.map((d) => `bench/results/${d}/README.md`),
  'docs/guide.md',
  'docs/cifar-example.md',
  'docs/repository.md',
  'docs/optimizers.md',
];

/** GitHub's anchor of a heading: lower case, punctuation dropped (not - or _), spaces to hyphens. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#+\s+(.*)$/gm)].map((m) => anchor(m[1])));
}

test.each(DOCS)('%s: relative links and images resolve, anchors included', (file) => {
  const text = readFileSync(path.join(root, file), 'utf8');
  const targets = [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((u) => !/^[a-z]+:/i.test(u));
  expect(targets.length).toBeGreaterThan(0); // a file without a link would pass for nothing
  const broken = targets.filter((u) => {
    const [target, hash] = u.split('#');
    const full = target === '' ? path.join(root, file) : path.join(root, path.dirname(file), decodeURIComponent(target));
    if (!existsSync(full)) return true;
    return hash !== undefined && full.endsWith('.md') && !anchorsOf(full).has(decodeURIComponent(hash));
  });
  expect(broken).toEqual([]);
});

test('the results index links every study page, one line each', () => {
  const index = readFileSync(path.join(root, 'bench/RESULTS.md'), 'utf8');
  expect(STUDIES.length).toBeGreaterThanOrEqual(9);
  for (const d of STUDIES) expect(index).toContain(`(results/${d}/README.md)`);
  expect(index.split('\n').length).toBeLessThan(40); // an index, not a notebook
});
