/**
 * Fresh initial weights for a model's architecture: the model rebuilt from its own JSON, so every
 * layer's initializers run again. Seeded initializers would repeat the same weights, so each draw
 * shifts their seeds by a draw-dependent amount (still reproducible for a seeded model); unseeded ones
 * draw fresh values anyway. The model itself is not touched.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';

/** Added to every initializer seed, times the draw number: a prime far from the small seeds people pick. */
const SEED_STRIDE = 104_729;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A copy of `config` in which every initializer's `seed` is moved by `draw × SEED_STRIDE`. */
export function reseeded(config: Json, draw: number): Json {
  if (Array.isArray(config)) return config.map((v) => reseeded(v, draw));
  if (config === null || typeof config !== 'object') return config;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(config)) out[k] = reseeded(v, draw);
  const inner = out.config;
  if (typeof out.class_name === 'string' && inner !== null && typeof inner === 'object' && !Array.isArray(inner) && typeof inner.seed === 'number') {
    inner.seed = inner.seed + draw * SEED_STRIDE;
  }
  return out;
}

/**
 * Values for every weight of `model` (in `model.weights` order) as a fresh initialization of the same
 * architecture would give them; draw `k` (>= 1) differs from draw `k'` and from the model's own
 * seeded initial weights. Dispose the returned tensors.
 *
 * @example
 * ```ts
 * const fresh = await freshWeights(model, 1);
 * model.weights.forEach((w, k) => w.write(fresh[k]));   // the model, newly initialized
 * tf.dispose(fresh);
 * ```
 */
export async function freshWeights(model: tf.LayersModel, draw: number): Promise<tf.Tensor[]> {
  let copy: tf.LayersModel;
  try {
    const topology = reseeded(model.toJSON(null, false) as unknown as Json, draw);
    copy = await tf.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'] });
  } catch (e) {
    // tfjs's message runs over several lines of advice; its first sentence says what failed.
    const said = (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/^(.*?\.)\s.*$/, '$1');
    throw new Error(
      `the model could not be rebuilt from its JSON to draw fresh initial weights (${said}); ` +
        'custom layers must be registered with tf.serialization.registerClass',
    );
  }
  try {
    const own = model.weights;
    const fresh = copy.weights;
    const same = fresh.length === own.length && fresh.every((w, k) => w.shape.join() === own[k].shape.join());
    if (!same) throw new Error('the model rebuilt from its JSON has other weights than the model (a layer that does not serialize its whole configuration)');
    return fresh.map((w) => tf.clone(w.read()));
  } finally {
    copy.dispose();
  }
}
