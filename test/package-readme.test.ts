/**
 * The README as the npm registry shows it (scripts/package-readme.cjs, run by npm at pack time):
 * relative images and links rewritten to URLs that resolve outside the repository.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isListed, registryReadme, repositoryUrl } = require('../scripts/package-readme.cjs') as {
  isListed: (files: string[], file: string) => boolean;
  registryReadme: (text: string, pkg: { name: string; version: string; repository?: string | null; shipped: (file: string) => boolean }) => { text: string; unresolved: string[] };
  repositoryUrl: (repository: unknown) => string | null;
};

const root = path.resolve(__dirname, '..');
const text = [
  '![chart](docs/range-test.svg) and ![shot](./docs/demo.png)',
  'See [the results](bench/RESULTS.md#speed), [the example](examples/quickstart.mjs), [above](#install)',
  'and [tfjs](https://js.tensorflow.org) and ![remote](https://example.org/x.png) and ![unshipped](docs/other.svg).',
].join('\n');
const shipped = (file: string) => ['docs/range-test.svg', 'docs/demo.png'].includes(file);

test('without a repository: shipped images go to jsDelivr at this version; other relative links stay, and are reported', () => {
  const out = registryReadme(text, { name: 'tfjs-clr', version: '1.2.3', repository: null, shipped });
  expect(out.text).toContain('![chart](https://cdn.jsdelivr.net/npm/tfjs-clr@1.2.3/docs/range-test.svg)');
  expect(out.text).toContain('![shot](https://cdn.jsdelivr.net/npm/tfjs-clr@1.2.3/docs/demo.png)');
  expect(out.text).toContain('[the results](bench/RESULTS.md#speed)');
  expect(out.text).toContain('[above](#install)');
  expect(out.text).toContain('[tfjs](https://js.tensorflow.org)');
  expect(out.text).toContain('![remote](https://example.org/x.png)');
  expect(out.unresolved).toEqual(['bench/RESULTS.md#speed', 'examples/quickstart.mjs', 'docs/other.svg']);
});

test('with a repository: links go to its files (anchors kept), unshipped images to their raw copy', () => {
  const out = registryReadme(text, { name: 'tfjs-clr', version: '1.2.3', repository: 'https://github.com/o/r', shipped });
  expect(out.text).toContain('![chart](https://cdn.jsdelivr.net/npm/tfjs-clr@1.2.3/docs/range-test.svg)');
  expect(out.text).toContain('[the results](https://github.com/o/r/blob/HEAD/bench/RESULTS.md#speed)');
  expect(out.text).toContain('[the example](https://github.com/o/r/blob/HEAD/examples/quickstart.mjs)');
  expect(out.text).toContain('![unshipped](https://github.com/o/r/raw/HEAD/docs/other.svg)');
  expect(out.text).toContain('[above](#install)');
  expect(out.unresolved).toEqual([]);
});

test.each([
  ['github:o/r', 'https://github.com/o/r'],
  ['o/r', 'https://github.com/o/r'],
  [{ type: 'git', url: 'git+https://github.com/o/r.git' }, 'https://github.com/o/r'],
  [{ type: 'git', url: 'git://gitlab.com/o/r.git' }, 'https://gitlab.com/o/r'],
  [undefined, null],
])('repository %p is browsed at %p', (repository, url) => {
  expect(repositoryUrl(repository)).toBe(url);
});

test('every image the README shows is shipped in the package (so the registry page shows it)', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] };
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/i.test(t));
  expect(images.length).toBeGreaterThan(0);
  for (const image of images) expect([image, isListed(pkg.files, image)]).toEqual([image, true]);
  // Folder and glob entries count; a file outside them does not.
  expect(isListed(['docs/api', 'bench/results/**/*.md'], 'docs/api/index/README.md')).toBe(true);
  expect(isListed(['docs/api', 'bench/results/**/*.md'], 'bench/results/cifar/a/report.md')).toBe(true);
  expect(isListed(['docs/api', 'bench/results/**/*.md'], 'bench/results/cifar/a/accuracy.svg')).toBe(false);
  expect(isListed(['docs/api'], 'docs/apiary.md')).toBe(false);
});
