/**
 * The CIFAR-10 loader on files written here in the official binary format (a folder and a .tar.gz),
 * on broken files, and on the real small copy in ../shared/data when it is present.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { extractArchive, loadFolder, locateCifar10, readBatchFile, RECORD_BYTES } from '../examples/cifar/data.js';

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** A batch file of `n` records: label k % 10, and pixel bytes that encode (record, channel, position). */
function batchBytes(n: number, labelOf = (k: number) => k % 10): Buffer {
  const b = Buffer.alloc(n * RECORD_BYTES);
  for (let k = 0; k < n; k++) {
    b[k * RECORD_BYTES] = labelOf(k);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) b[k * RECORD_BYTES + 1 + c * 1024 + p] = (k * 7 + c * 50 + p) % 256;
  }
  return b;
}

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'tfjs-clr-cifar-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** An official-layout folder with `train` training files of `per` records each. */
function writeFolder(root: string, train: number, per: number): string {
  const dir = path.join(root, 'cifar-10-batches-bin');
  mkdirSync(dir, { recursive: true });
  for (let k = 1; k <= train; k++) writeFileSync(path.join(dir, `data_batch_${k}.bin`), batchBytes(per));
  writeFileSync(path.join(dir, 'test_batch.bin'), batchBytes(per));
  writeFileSync(path.join(dir, 'batches.meta.txt'), `${CLASSES.join('\n')}\n\n`);
  return dir;
}

test('a folder in the official layout: every record, label and pixel where the format puts it', () => {
  writeFolder(work, 5, 30);
  const d = loadFolder(work); // the parent of cifar-10-batches-bin works too
  expect(d.train.count).toBe(150);
  expect(d.test.count).toBe(30);
  expect(d.classNames).toEqual(CLASSES);
  expect(d.trainFiles).toHaveLength(5);
  expect(Array.from(d.train.labels.slice(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  // Record 3 of the second file is record 33 overall; its green plane (c = 1) at position 5.
  expect(d.train.images[33 * 3072 + 1024 + 5]).toBe((3 * 7 + 50 + 5) % 256);
  const limited = loadFolder(work, { maxTrain: 40, maxTest: 10 });
  expect(limited.train.count).toBe(40);
  expect(limited.test.count).toBe(10);
});

test('only the first training files (like the small development copy)', () => {
  writeFolder(work, 1, 20);
  expect(loadFolder(work).train.count).toBe(20);
});

test('a .tar.gz is extracted into the given folder, never next to the archive', async () => {
  writeFolder(path.join(work, 'src'), 2, 10);
  const archive = path.join(work, 'cifar-10-binary.tar.gz');
  // Made with the system's GNU tar, as the official archive was.
  execFileSync('tar', ['-czf', archive, '-C', path.join(work, 'src'), 'cifar-10-batches-bin']);
  const ro = path.join(work, 'readonly');
  mkdirSync(ro);
  copyFileSync(archive, path.join(ro, 'a.tar.gz'));
  chmodSync(ro, 0o555);
  const cache = path.join(work, 'cache');
  const dir = await locateCifar10({ archive: path.join(ro, 'a.tar.gz'), cacheDir: cache, download: false });
  expect(dir.startsWith(cache)).toBe(true);
  expect(readdirSync(ro)).toEqual(['a.tar.gz']);
  expect(loadFolder(dir).train.count).toBe(20);
  // A second call reuses the extraction.
  expect(await locateCifar10({ archive: path.join(ro, 'a.tar.gz'), cacheDir: cache, download: false })).toBe(dir);
  chmodSync(ro, 0o755);
});

test('truncated file: a clear error naming the file and the byte count', () => {
  const dir = writeFolder(work, 1, 10);
  writeFileSync(path.join(dir, 'data_batch_1.bin'), batchBytes(10).subarray(0, 5 * RECORD_BYTES + 100));
  expect(() => loadFolder(work)).toThrow(/data_batch_1\.bin is truncated or corrupt: 15465 bytes is not a whole number of 3073-byte records \(5 whole records, 100 bytes left over\)/);
});

test('bad label: the file and the record', () => {
  const dir = writeFolder(work, 1, 10);
  writeFileSync(path.join(dir, 'test_batch.bin'), batchBytes(10, (k) => (k === 7 ? 12 : 0)));
  expect(() => loadFolder(work)).toThrow(/test_batch\.bin: record 7 has label 12, expected 0–9/);
});

test('missing files: each named', () => {
  const dir = writeFolder(work, 3, 5);
  rmSync(path.join(dir, 'data_batch_2.bin'));
  expect(() => loadFolder(work)).toThrow(/missing .*data_batch_2\.bin \(but data_batch_3\.bin is there\)/);
  writeFileSync(path.join(dir, 'data_batch_2.bin'), batchBytes(5));
  rmSync(path.join(dir, 'test_batch.bin'));
  expect(() => loadFolder(work)).toThrow(/missing .*test_batch\.bin/);
  writeFileSync(path.join(dir, 'test_batch.bin'), batchBytes(5));
  writeFileSync(path.join(dir, 'batches.meta.txt'), 'cat\ndog\n');
  expect(() => loadFolder(work)).toThrow(/batches\.meta\.txt must list 10 class names, found 2/);
  expect(() => loadFolder(path.join(work, 'nowhere'))).toThrow(/no batch files in/);
  expect(() => readBatchFile(path.join(work, 'nope.bin'))).toThrow(/cannot read .*nope\.bin/);
});

test('nothing found and downloading off: says what to pass', async () => {
  await expect(locateCifar10({ cacheDir: path.join(work, 'empty'), download: false })).rejects.toThrow(/pass --data-dir DIR .* or --archive FILE/);
  await expect(locateCifar10({ dataDir: work })).rejects.toThrow(/--data-dir .* holds no CIFAR-10 batch files/);
  await expect(locateCifar10({ archive: path.join(work, 'missing.tar.gz'), cacheDir: work })).rejects.toThrow(/missing\.tar\.gz/);
});

test('a corrupt archive is a clear error', async () => {
  const bad = path.join(work, 'bad.tar.gz');
  writeFileSync(bad, Buffer.from('not a gzip file at all'));
  await expect(extractArchive(bad, path.join(work, 'x'))).rejects.toThrow(/cannot extract .*bad\.tar\.gz/);
});

const SMALL = path.resolve(__dirname, '../../shared/data/cifar-10-small');
const haveSmall = existsSync(path.join(SMALL, 'data_batch_1.bin'));
if (!haveSmall) console.log(`skipping the real-data loader test: ${SMALL} is not here (it exists on the project's machines only)`);
(haveSmall ? test : test.skip)(`the real small CIFAR-10 copy: per-class counts match its README${haveSmall ? '' : ` (skipped: ${SMALL} is not here)`}`, () => {
  const d = loadFolder(SMALL);
  const counts = (labels: Uint8Array) => Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
  expect(d.train.count).toBe(5000);
  expect(d.test.count).toBe(1000);
  expect(counts(d.train.labels)).toEqual([519, 526, 475, 490, 494, 498, 517, 507, 500, 474]);
  expect(counts(d.test.labels)).toEqual([101, 98, 111, 91, 93, 100, 92, 103, 109, 102]);
  expect(d.classNames).toEqual(CLASSES);
});
