/**
 * The CIFAR-10 nets of Caffe's examples, in tfjs layers: `quick` (cifar10_quick) and `full`
 * (cifar10_full, the paper's net). Differences from Caffe, on purpose:
 * - no local response normalisation in `full` (tfjs-layers has no LRN layer; Caffe's is WITHIN_CHANNEL,
 *   which tf.localResponseNormalization, across channels, is not);
 * - He-normal initialisation (seeded) instead of Caffe's tiny Gaussians (std 1e-4 for conv1);
 * - 3×3/2 pooling with 'same' padding, which gives Caffe's output sizes (32 → 16 → 8 → 4).
 * Weight decay follows Caffe's solvers: λ = 0.004 on every layer (λ/2·‖w‖² as an L2 term), and 250×
 * that on the last layer of `full` (its decay_mult).
 */
import * as tf from '@tensorflow/tfjs';

export type NetName = 'quick' | 'full';

export function buildNet(name: NetName, seed: number): tf.Sequential {
  let s = seed;
  const init = () => tf.initializers.heNormal({ seed: s++ });
  const l2 = (mult = 1) => tf.regularizers.l2({ l2: (0.004 / 2) * mult });
  const conv = (filters: number, first = false) =>
    tf.layers.conv2d({
      filters,
      kernelSize: 5,
      padding: 'same',
      kernelInitializer: init(),
      kernelRegularizer: l2(),
      ...(first ? { inputShape: [32, 32, 3] } : {}),
    });
  const maxPool = () => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' });
  const avgPool = () => tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' });
  const relu = () => tf.layers.activation({ activation: 'relu' });
  const dense = (units: number, mult = 1, activation?: 'softmax') =>
    tf.layers.dense({ units, kernelInitializer: init(), kernelRegularizer: l2(mult), activation });
  const layers =
    name === 'quick'
      ? [conv(32, true), maxPool(), relu(), conv(32), relu(), avgPool(), conv(64), relu(), avgPool(), tf.layers.flatten(), dense(64), dense(10, 1, 'softmax')]
      : [conv(32, true), maxPool(), relu(), conv(32), relu(), avgPool(), conv(64), relu(), avgPool(), tf.layers.flatten(), dense(10, 250, 'softmax')];
  return tf.sequential({ layers, name: `cifar10_${name}` });
}
