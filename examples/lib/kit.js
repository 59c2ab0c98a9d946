'use strict';
// What the examples, the browser demo, the benches and the tests share: a seeded random generator and
// the CIFAR-10 layout change. CommonJS with kit.d.ts, so .mjs examples, TypeScript (tsx, ts-jest) and
// the browser bundle (esbuild) all import the same file.

/** A seeded uniform generator in [0, 1) (Park–Miller minimal standard; seeds are taken mod 2³¹ − 1, 0 → 1). */
function seededRandom(seed) {
  let s = Math.abs(Math.trunc(seed)) % 2147483647 || 1;
  return () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
}

/** Seeded N(0, 1) draws (Box–Muller on seededRandom). */
function seededGaussian(seed) {
  const u = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * (u() + 1e-12));
}

/**
 * CIFAR-10 images as stored (CHW bytes per image, 3 × 1,024) into HWC floats, each value mapped by
 * `f(byte, channel)` (e.g. per-channel normalisation).
 */
function chwToHwc(bytes, count, f, out = new Float32Array(count * 3072)) {
  for (let k = 0; k < count; k++) {
    const at = k * 3072;
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) out[at + p * 3 + c] = f(bytes[at + c * 1024 + p], c);
    }
  }
  return out;
}

exports.seededRandom = seededRandom;
exports.seededGaussian = seededGaussian;
exports.chwToHwc = chwToHwc;
