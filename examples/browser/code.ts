/**
 * "Use it in your code": for each of the comparison's six runs, the few lines that train a user's own
 * `model` on their `xs`, `ys` the same way — the range test run in their code (no number copied from
 * the page: their model's answer differs), with this page's answers as comments. Plain text, pure
 * (browser-safe; test/browser-code.test.ts type-checks and runs every one in Node).
 */
import type { ScheduleFreeAdamWSettings } from 'tfjs-clr';
import { CYCLES, clrStepSize, fmt, type Suggested } from './compare.js';

/** The range tests' answers; `scheduleFreeAdamW` undefined: the recipe's test (with Adam) has not run yet. */
export type Answers = Omit<Suggested, 'scheduleFreeAdamW'> & { scheduleFreeAdamW?: Suggested['scheduleFreeAdamW'] };

/** The page's training run: its epochs, batch size and the iterations they make (in the comments). */
export interface CodeContext {
  epochs: number;
  batchSize: number;
  iterations: number;
  /** The page's model and data, in one line (a comment says the answers are for them). */
  task: string;
}

/** The lines for run `name` (one of {@link comparisonRuns}' names), or null for a name it does not know. */
export function runCode(name: string, s: Answers, c: CodeContext): string | null {
  const compile = (optimizer: string) => `model.compile({ optimizer: ${optimizer}, loss, metrics });`;
  /** An optimizer built from the test's options on a line of its own, then compiled (lines stay short). */
  const compileNamed = (optimizer: string, indent = '') => [`${indent}const optimizer = ${optimizer};`, `${indent}model.compile({ optimizer, loss, metrics });`];
  const sgdTest = (what: string) => [compile('tf.train.momentum(0.01, 0.9)'), `const { ${what} } = await rangeTest(model, { x: xs, y: ys }, { batchSize });`];
  const fit = (extra = '') => `await model.fit(xs, ys, { epochs, batchSize${extra} });`;
  const head = (names: string[], optimizers = false) => [
    "import * as tf from '@tensorflow/tfjs';",
    ...(names.length ? [`import { ${names.join(', ')} } from 'tfjs-clr';`] : []),
    ...(optimizers ? ["import { scheduleFreeAdamW } from 'tfjs-clr/optimizers';"] : []),
    '',
    '// model, xs, ys: your model and training data.',
    `// Here: ${c.task}.`,
    "const loss = 'categoricalCrossentropy', metrics = ['accuracy'];",
    `const epochs = ${c.epochs}, batchSize = ${c.batchSize};`,
  ];
  const steps = `const iterations = epochs * Math.ceil(xs.shape[0] / batchSize);  // here ${c.iterations}`;
  const fixedAt = (bound: 'baseLR' | 'maxLR', value: number) => [
    ...head(['rangeTest']),
    `// Momentum SGD at the range test's ${bound} throughout (here ${fmt(value)}).`,
    ...sgdTest('cyclicLROptions'),
    'if (cyclicLROptions) {',
    ...compileNamed(`tf.train.momentum(cyclicLROptions.${bound}, 0.9)`, '  '),
    `  ${fit()}`,
    '}',
  ];
  const lines: Record<string, string[]> = {
    'fixed at baseLR': fixedAt('baseLR', s.baseLR),
    'fixed at maxLR': fixedAt('maxLR', s.maxLR),
    'CLR triangular2': [
      ...head(['cyclicLR', 'rangeTest']),
      steps,
      `// CLR between the range test's bounds (here ${fmt(s.baseLR)} ↔ ${fmt(s.maxLR)}), Momentum SGD,`,
      `// ${CYCLES} whole triangular2 cycles in the run: half a cycle is 1/${2 * CYCLES} of it.`,
      ...sgdTest('cyclicLROptions'),
      `const stepSize = Math.max(1, Math.floor(iterations / ${2 * CYCLES}));  // here ${clrStepSize(c.iterations)}`,
      'if (cyclicLROptions) {',
      "  const clr = cyclicLR({ ...cyclicLROptions, stepSize, mode: 'triangular2' });",
      `  ${fit(', callbacks: [clr]')}`,
      '}',
    ],
    '1cycle': [
      ...head(['oneCycleLR', 'rangeTest']),
      `// 1cycle to the range test's peak (here ${fmt(s.oneCycleMaxLR)}), Momentum SGD;`,
      "// the cycle's length is the fit's.",
      ...sgdTest('oneCycleLROptions'),
      'if (oneCycleLROptions) {',
      '  const schedule = oneCycleLR(oneCycleLROptions);',
      `  ${fit(', callbacks: [schedule]')}`,
      '}',
    ],
    'Schedule-Free AdamW': [
      ...head([], true),
      '// Schedule-Free AdamW at its defaults (LR 0.0025): no range test, no schedule.',
      compile('scheduleFreeAdamW()'),
      fit(),
    ],
    'range test + Schedule-Free AdamW': [
      ...head(['rangeTest'], true),
      steps,
      "// The library's recipe: the range test run with Adam, told the run's length",
      '// (for a warmup over 10 % of it), then Schedule-Free AdamW with its settings',
      `// (here ${recipeHere(s.scheduleFreeAdamW)}).`,
      compile('tf.train.adam()'),
      `const { scheduleFreeAdamWOptions } = await rangeTest(model, { x: xs, y: ys }, {`,
      '  batchSize, trainingSteps: iterations,',
      '});',
      ...compileNamed('scheduleFreeAdamW(scheduleFreeAdamWOptions ?? {})'),
      fit(),
    ],
  };
  return lines[name]?.join('\n') ?? null;
}

function recipeHere(sf: ScheduleFreeAdamWSettings | null | undefined): string {
  if (sf === undefined) return 'Compare runs this test';
  if (sf === null) return 'none: the test gave no bounds, so its defaults';
  return `LR ${fmt(sf.learningRate)}${sf.warmupSteps ? `, warmed up over ${sf.warmupSteps} iterations` : ''}`;
}
