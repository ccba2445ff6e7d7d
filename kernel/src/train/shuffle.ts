/**
 * Seeded sample order for `fit`. tfjs-layers shuffles each epoch's sample indices with
 * `tf.util.shuffle`, a Fisher–Yates walk drawing from `Math.random`, so two runs of the same
 * training see different batches and end with different weights. While a seeded fit runs,
 * `tf.util.shuffle` is replaced by the same walk drawing from a mulberry32 generator started at
 * the seed; tfjs calls it once per epoch, so the same seed gives the same batches in every epoch
 * and, with tsquant's deterministic kernels, the same weights bit for bit.
 */
import * as tf from "@tensorflow/tfjs";
import { UsageError } from "../errors";
import { mulberry32 } from "../services/random";

export { mulberry32 };

type Shuffle = typeof tf.util.shuffle;

/** Runs `body` with `tf.util.shuffle` drawing from a generator seeded by `seed`. */
export async function withSeededShuffle<T>(seed: number, body: () => Promise<T>): Promise<T> {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UsageError(`fit: seed must be an integer in [0, 2^32 − 1]; found ${seed}`);
  }
  const util = tf.util as { shuffle: Shuffle };
  const previous = util.shuffle;
  const next = mulberry32(seed);
  const seeded: Shuffle = (array) => {
    const a = array as unknown[];
    for (let counter = a.length; counter > 0;) {
      const index = (next() * counter) | 0;
      counter--;
      const t = a[counter];
      a[counter] = a[index];
      a[index] = t;
    }
  };
  util.shuffle = seeded;
  try {
    return await body();
  } finally {
    if (util.shuffle === seeded) util.shuffle = previous;
  }
}
