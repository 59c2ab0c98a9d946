/**
 * Every ```js and ```ts block in README.md and the guides in docs/ type-checks as TypeScript (strict,
 * module NodeNext, as a user's project would compile it), against the built package. Free names the
 * prose defines (a model, its data) are declared in a prelude; a block meant as an outline, not code,
 * is fenced as ```text.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { typecheckModules } from './helpers.js';

const root = path.resolve(__dirname, '..');
const FILES = ['README.md', 'docs/guide.md', 'docs/cifar-example.md', 'docs/repository.md', 'docs/optimizers.md'];

/** What the snippets take from the prose around them, unless a snippet defines it itself. */
const PRELUDE: Record<string, string> = {
  model: 'declare const model: tf.LayersModel;',
  xs: 'declare const xs: tf.Tensor;',
  ys: 'declare const ys: tf.Tensor;',
  valXs: 'declare const valXs: tf.Tensor;',
  valYs: 'declare const valYs: tf.Tensor;',
  nextBatch: 'declare function nextBatch(): { xs: tf.Tensor; ys: tf.Tensor };',
};
const prelude = (code: string) =>
  Object.entries(PRELUDE)
    .filter(([name]) => !new RegExp(`(?:const|let|var|function)\\s+${name}\\b|const \\{[^}]*\\b${name}\\b[^}]*\\} =`).test(code))
    .map(([, line]) => line)
    .join('\n');

function blocks(file: string): Array<{ name: string; code: string }> {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^```(js|ts)\n([\s\S]*?)^```/gm)].map((m, k) => ({ name: `${file.replace(/[/.]/g, '_')}_${k + 1}`, code: m[2] }));
}

test('every js/ts snippet in the README and the guides compiles (tsc --strict, NodeNext)', () => {
  const all = FILES.flatMap(blocks);
  expect(all.length).toBeGreaterThan(5);
  const modules = Object.fromEntries(
    all.map((b) => {
      const tfImport = /import \* as tf from '@tensorflow\/tfjs'/.test(b.code) ? '' : "import * as tf from '@tensorflow/tfjs';\n";
      return [b.name, `${tfImport}${prelude(b.code)}\n${b.code}\nexport {};\n`];
    }),
  );
  expect(typecheckModules(modules)).toEqual([]);
}, 120000);
