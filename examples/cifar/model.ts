/**
 * The CIFAR-10 nets of Caffe's examples, in tfjs layers: `quick` (cifar10_quick) and `full`
 * (cifar10_full, the paper's net). Differences from Caffe, on purpose:
 * - no local response normalisation in `full` (tfjs-layers has no LRN layer; Caffe's is WITHIN_CHANNEL,
 *   which tf.localResponseNormalization, across channels, is not);
 * - He-normal initialisation (seeded) instead of Caffe's tiny Gaussians (std 1e-4 for conv1);
 * - 3×3/2 pooling with 'same' padding, which gives Caffe's output sizes (32 → 16 → 8 → 4);
 * - each ReLU is the activation of its convolution, also conv1's, which Caffe applies after pool1:
 *   max-pooling and ReLU commute (ReLU is monotonic), so the function and its gradients are the
 *   same, and training is faster: a conv layer with an activation runs as conv2d + bias + relu under
 *   a gradient, whose backward pass skips the gradient of the input image (the fused conv2d op
 *   computes it and throws it away).
 * Weight decay follows Caffe's solvers: λ = 0.004 on every layer (λ/2·‖w‖² as an L2 term), and 250×
 * that on the last layer of `full` (its decay_mult).
 */
import * as tf from '@tensorflow/tfjs';

export type NetName = 'quick' | 'full';

/**
 * Where the ReLUs go: `'conv'` (default) as each convolution's activation; `'caffe'` as separate
 * layers where Caffe has them (after pool1 for conv1), Caffe's own layout, kept for
 * bench:speed's baseline and the test that both compute the same function and gradients.
 */
export type ReluPlacement = 'conv' | 'caffe';

export function buildNet(name: NetName, seed: number, relu: ReluPlacement = 'conv'): tf.Sequential {
  let s = seed;
  const fused = relu === 'conv';
  const init = () => tf.initializers.heNormal({ seed: s++ });
  const l2 = (mult = 1) => tf.regularizers.l2({ l2: (0.004 / 2) * mult });
  const conv = (filters: number, first = false) =>
    tf.layers.conv2d({
      filters,
      kernelSize: 5,
      padding: 'same',
      activation: fused ? 'relu' : 'linear',
      kernelInitializer: init(),
      kernelRegularizer: l2(),
      ...(first ? { inputShape: [32, 32, 3] } : {}),
    });
  const maxPool = () => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' });
  const avgPool = () => tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' });
  const dense = (units: number, mult = 1, activation?: 'softmax') =>
    tf.layers.dense({ units, kernelInitializer: init(), kernelRegularizer: l2(mult), activation });
  // A separate ReLU layer in the Caffe layout, nothing in the fused one.
  const act = (): tf.layers.Layer[] => (fused ? [] : [tf.layers.activation({ activation: 'relu' })]);
  const features = [conv(32, true), maxPool(), ...act(), conv(32), ...act(), avgPool(), conv(64), ...act(), avgPool(), tf.layers.flatten()];
  const layers = name === 'quick' ? [...features, dense(64), dense(10, 1, 'softmax')] : [...features, dense(10, 250, 'softmax')];
  return tf.sequential({ layers, name: `cifar10_${name}` });
}
