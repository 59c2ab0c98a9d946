/** dx of max pooling for images [from, to). Dims: [H, W, C, OH, OW, strideH, strideW, FH, FW, padTop, padLeft]. */
export declare function maxPoolGradRange(xs: Float32Array, ys: Float32Array, g: Float32Array, dx: Float32Array, d: ArrayLike<number>, from: number, to: number): void;
/** dx of average pooling for images [from, to). */
export declare function avgPoolGradRange(g: Float32Array, dx: Float32Array, d: ArrayLike<number>, from: number, to: number): void;
