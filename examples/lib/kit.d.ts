/** A seeded uniform generator in [0, 1) (Park–Miller minimal standard; seeds are taken mod 2³¹ − 1, 0 → 1). */
export declare function seededRandom(seed: number): () => number;
/** Seeded N(0, 1) draws (Box–Muller on seededRandom). */
export declare function seededGaussian(seed: number): () => number;
/** CIFAR-10 CHW bytes into HWC floats, each value mapped by `f(byte, channel)`. */
export declare function chwToHwc(bytes: ArrayLike<number>, count: number, f: (byte: number, channel: number) => number, out?: Float32Array): Float32Array;
