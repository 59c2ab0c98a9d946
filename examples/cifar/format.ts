/**
 * The CIFAR-10 binary record format, with no Node dependency (the browser demo parses files with it):
 * 3,073 bytes = 1 label byte (0–9) + 1,024 red + 1,024 green + 1,024 blue bytes, planes row-major 32×32.
 */
export const RECORD_BYTES = 3073;
export const IMAGE_BYTES = 3072;

/** Images (N × 3072 bytes, CHW per image, as stored) and labels (N bytes). */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Parses one batch file's bytes, checking its size and every label; errors name the file and the record. */
export function parseBatch(bytes: Uint8Array, file: string): Split {
  if (bytes.length === 0 || bytes.length % RECORD_BYTES !== 0) {
    throw new Error(
      `CIFAR-10: ${file} is truncated or corrupt: ${bytes.length} bytes is not a whole number of ` +
        `${RECORD_BYTES}-byte records (${Math.floor(bytes.length / RECORD_BYTES)} whole records, ${bytes.length % RECORD_BYTES} bytes left over)`,
    );
  }
  const count = bytes.length / RECORD_BYTES;
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const label = bytes[r * RECORD_BYTES];
    if (label > 9) throw new Error(`CIFAR-10: ${file}: record ${r} has label ${label}, expected 0–9 (corrupt file?)`);
    labels[r] = label;
    images.set(bytes.subarray(r * RECORD_BYTES + 1, (r + 1) * RECORD_BYTES), r * IMAGE_BYTES);
  }
  return { images, labels, count };
}
