/**
 * CIFAR-10 in the official binary layout (cifar-10-batches-bin): finding it (a folder, an archive, the
 * cache, or a download), checking it, and reading it into compact uint8 arrays.
 *
 * Record format: 3,073 bytes = 1 label byte (0–9) + 1,024 red + 1,024 green + 1,024 blue bytes, each
 * plane row-major 32×32. Class names: batches.meta.txt, one per line.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import * as tar from 'tar';

import { IMAGE_BYTES, parseBatch, type Split } from './format.js';

export { IMAGE_BYTES, RECORD_BYTES, type Split } from './format.js';
export const TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const TEST_FILE = 'test_batch.bin';
export const META_FILE = 'batches.meta.txt';
export const OFFICIAL_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/** The official archive's MD5, as published on the dataset's page. */
export const OFFICIAL_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';

export interface Cifar10 {
  train: Split;
  test: Split;
  classNames: string[];
  /** The folder the files were read from, and the training files found there. */
  dir: string;
  trainFiles: string[];
}

/** Reads one batch file, checking its size and every label; errors name the file and the record. */
export function readBatchFile(file: string): Split {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new Error(`CIFAR-10: cannot read ${file}: ${(e as Error).message}`);
  }
  return parseBatch(bytes, file);
}

function concat(splits: Split[]): Split {
  const count = splits.reduce((n, s) => n + s.count, 0);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const s of splits) {
    images.set(s.images, at * IMAGE_BYTES);
    labels.set(s.labels, at);
    at += s.count;
  }
  return { images, labels, count };
}

/** The folder holding the batch files: `dir` itself, or its `cifar-10-batches-bin` subfolder. */
export function batchesDir(dir: string): string | null {
  for (const candidate of [dir, path.join(dir, 'cifar-10-batches-bin')]) {
    if (existsSync(path.join(candidate, TEST_FILE)) || existsSync(path.join(candidate, TRAIN_FILES[0]))) return candidate;
  }
  return null;
}

/**
 * Loads a folder in the official layout. Training files must be data_batch_1 … data_batch_k with no
 * gap (the small development copy has only the first); test_batch.bin and batches.meta.txt are required.
 */
export function loadFolder(dir: string, opts: { maxTrain?: number; maxTest?: number } = {}): Cifar10 {
  const found = batchesDir(dir);
  if (found === null) {
    throw new Error(`CIFAR-10: no batch files in ${dir} (expected ${TRAIN_FILES[0]}, …, ${TEST_FILE}, or a cifar-10-batches-bin folder)`);
  }
  const present = TRAIN_FILES.map((f) => existsSync(path.join(found, f)));
  const k = present.indexOf(false) === -1 ? TRAIN_FILES.length : present.indexOf(false);
  if (k === 0) throw new Error(`CIFAR-10: missing ${path.join(found, TRAIN_FILES[0])}`);
  const gap = present.findIndex((p, i) => p && i > k);
  if (gap !== -1) throw new Error(`CIFAR-10: missing ${path.join(found, TRAIN_FILES[k])} (but ${TRAIN_FILES[gap]} is there)`);
  for (const f of [TEST_FILE, META_FILE]) {
    if (!existsSync(path.join(found, f))) throw new Error(`CIFAR-10: missing ${path.join(found, f)}`);
  }
  const classNames = readFileSync(path.join(found, META_FILE), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (classNames.length !== 10) {
    throw new Error(`CIFAR-10: ${path.join(found, META_FILE)} must list 10 class names, found ${classNames.length}`);
  }
  const trainFiles = TRAIN_FILES.slice(0, k);
  // Read only as many files as the limit needs (each official file holds 10,000 records).
  const train: Split[] = [];
  let have = 0;
  for (const f of trainFiles) {
    if (opts.maxTrain !== undefined && have >= opts.maxTrain) break;
    const s = readBatchFile(path.join(found, f));
    train.push(s);
    have += s.count;
  }
  return {
    train: limit(concat(train), opts.maxTrain),
    test: limit(readBatchFile(path.join(found, TEST_FILE)), opts.maxTest),
    classNames,
    dir: found,
    trainFiles,
  };
}

function limit(s: Split, max: number | undefined): Split {
  if (max === undefined || max >= s.count) return s;
  return { images: s.images.slice(0, max * IMAGE_BYTES), labels: s.labels.slice(0, max), count: max };
}

/** Default cache: $XDG_CACHE_HOME/tfjs-clr or ~/.cache/tfjs-clr. */
export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'tfjs-clr');
}

/** Extracts a .tar.gz into `into` (never next to the archive), returning the batches folder. */
export async function extractArchive(archive: string, into: string): Promise<string> {
  if (!existsSync(archive)) throw new Error(`CIFAR-10: archive ${archive} does not exist`);
  mkdirSync(into, { recursive: true });
  try {
    await tar.x({ file: archive, cwd: into, strict: true });
  } catch (e) {
    throw new Error(`CIFAR-10: cannot extract ${archive}: ${(e as Error).message} (not a .tar.gz, or truncated?)`);
  }
  const found = batchesDir(into) ?? readdirSync(into).map((d) => batchesDir(path.join(into, d))).find((d) => d !== null) ?? null;
  if (found === null) throw new Error(`CIFAR-10: ${archive} holds no cifar-10-batches-bin folder`);
  return found;
}

export type Progress = (done: number, total: number | null) => void;

/** Downloads the official archive into `cacheDir`, verifying its MD5; returns the archive's path. */
export async function downloadOfficial(cacheDir: string, onProgress?: Progress, url = OFFICIAL_URL, md5 = OFFICIAL_MD5): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const target = path.join(cacheDir, 'cifar-10-binary.tar.gz');
  const partial = `${target}.part`;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(
      `CIFAR-10: cannot download ${url} (${(e as Error).message}). Offline? Pass --data-dir DIR (an extracted ` +
        `cifar-10-batches-bin folder) or --archive FILE (cifar-10-binary.tar.gz).`,
    );
  }
  if (!response.ok || response.body === null) throw new Error(`CIFAR-10: download of ${url} failed: HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || null;
  const hash = createHash('md5');
  let done = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      done += chunk.length;
      onProgress?.(done, total);
      cb(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), meter, createWriteStream(partial));
  const digest = hash.digest('hex');
  if (digest !== md5) throw new Error(`CIFAR-10: downloaded archive has MD5 ${digest}, expected ${md5}; deleted nothing, see ${partial}`);
  renameSync(partial, target);
  return target;
}

/** MD5 of a file (to check an archive the user passed against the official one, informationally). */
export async function md5File(file: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export interface SourceOptions {
  dataDir?: string;
  archive?: string;
  cacheDir?: string;
  /** Allow downloading the official archive when nothing else is found; default true. */
  download?: boolean;
  onProgress?: Progress;
  log?: (msg: string) => void;
}

/**
 * Finds CIFAR-10, in order: `dataDir` (an extracted folder), `archive` (extracted into the cache), an
 * earlier extraction in the cache, an archive in the cache, and else a download of the official
 * archive (MD5-checked) into the cache. Returns the folder holding the batch files.
 */
export async function locateCifar10(opts: SourceOptions): Promise<string> {
  const log = opts.log ?? (() => {});
  const cache = path.join(opts.cacheDir ?? defaultCacheDir(), 'cifar-10');
  if (opts.dataDir !== undefined) {
    const found = batchesDir(opts.dataDir);
    if (found === null) throw new Error(`CIFAR-10: --data-dir ${opts.dataDir} holds no CIFAR-10 batch files (${TRAIN_FILES[0]}, ${TEST_FILE})`);
    log(`data: ${found} (--data-dir)`);
    return found;
  }
  if (opts.archive !== undefined) {
    const into = path.join(cache, `extracted-${path.basename(opts.archive).replace(/[^A-Za-z0-9._-]/g, '_')}-${statSync(opts.archive).size}`);
    const found = batchesDir(into) ?? (await extractArchive(opts.archive, into));
    log(`data: ${found} (extracted from --archive ${opts.archive})`);
    return found;
  }
  const extracted = batchesDir(path.join(cache, 'official'));
  if (extracted !== null) {
    log(`data: ${extracted} (cache)`);
    return extracted;
  }
  const cachedArchive = path.join(cache, 'cifar-10-binary.tar.gz');
  if (!existsSync(cachedArchive)) {
    if (opts.download === false) {
      throw new Error('CIFAR-10: not found and downloading is off: pass --data-dir DIR (an extracted cifar-10-batches-bin folder) or --archive FILE');
    }
    log(`data: downloading ${OFFICIAL_URL} into ${cache}`);
    await downloadOfficial(cache, opts.onProgress);
  }
  const found = await extractArchive(cachedArchive, path.join(cache, 'official'));
  log(`data: ${found} (official archive, cache)`);
  return found;
}
