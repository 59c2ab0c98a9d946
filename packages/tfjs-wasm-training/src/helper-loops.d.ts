/** dx of max pooling for images [from, to). Dims: [H, W, C, OH, OW, strideH, strideW, FH, FW, padTop, padLeft]. */
export declare function maxPoolGradRange(xs: Float32Array, ys: Float32Array, g: Float32Array, dx: Float32Array, d: ArrayLike<number>, from: number, to: number): void;
/** dx of average pooling for images [from, to). */
export declare function avgPoolGradRange(g: Float32Array, dx: Float32Array, d: ArrayLike<number>, from: number, to: number): void;
/** Column sums of x seen as [rows, C], over rows [from, to), added into `acc`. */
export declare function sumRowsRange(xs: Float32Array, acc: Float64Array, C: number, from: number, to: number): void;
/** dst [C, P, n] = src [n, P, C] transposed, for images [from, to) of n. */
export declare function batchLastRange(src: Float32Array, dst: Float32Array, P: number, C: number, n: number, from: number, to: number): void;
