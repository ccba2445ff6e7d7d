/**
 * Fake-quant as tfjs ops with TF's gradient, on top of the primitives in ../quant/fakequant.ts
 * (nudged range, round half up, float32 throughout):
 *   forward  y = fakeQuant(x; min, max)
 *   backward dx = dy where nudgedMin ≤ x ≤ nudgedMax, else 0 (straight-through, clipped)
 * Ranges are not trained (tfmot tracks them by last value or moving average), so no gradient
 * flows to min and max.
 */
import * as tf from "@tensorflow/tfjs";
import { UsageError } from "../errors";
import {
  type FakeQuantOptions,
  fakeQuant,
  fakeQuantGradient,
  fakeQuantPerChannel,
  fakeQuantPerChannelGradient,
} from "../quant/fakequant";

/** tfjs passes a custom op's inputs, then the save function. */
function unpack(args: (tf.Tensor | tf.GradSaveFunc)[]): [tf.Tensor, tf.GradSaveFunc] {
  const [input, save] = args;
  if (!(input instanceof tf.Tensor) || typeof save !== "function") {
    throw new UsageError("fakeQuantOp: expected one tensor input");
  }
  return [input, save];
}

/** Per-tensor fake-quant of `x` with range [min, max] (min ≤ 0 ≤ max). */
export function fakeQuantOp(
  x: tf.Tensor,
  min: number,
  max: number,
  options: FakeQuantOptions = {},
): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = unpack(args);
    const xv = input.dataSync();
    save([input]);
    return {
      value: tf.tensor(fakeQuant(xv, min, max, options), input.shape, "float32"),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = fakeQuantGradient(dy.dataSync(), saved[0].dataSync(), min, max, options);
        return [tf.tensor(g.dx, dy.shape, "float32")];
      },
    };
  });
  return op(x);
}

/** Per-channel fake-quant along the last axis: channel c uses [min[c], max[c]] (TF's per-channel op). */
export function fakeQuantPerChannelOp(
  x: tf.Tensor,
  min: ArrayLike<number>,
  max: ArrayLike<number>,
  options: FakeQuantOptions = {},
): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = unpack(args);
    save([input]);
    const value = fakeQuantPerChannel(input.dataSync(), input.shape, min, max, options);
    return {
      value: tf.tensor(value, input.shape, "float32"),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = fakeQuantPerChannelGradient(
          dy.dataSync(),
          saved[0].dataSync(),
          dy.shape,
          min,
          max,
          options,
        );
        return [tf.tensor(g.dx, dy.shape, "float32")];
      },
    };
  });
  return op(x);
}

/**
 * tfmot's LastValueQuantizer range, symmetric and narrow: per channel c of the last axis (or over
 * everything when `perChannel` is false), min = min(lo, −hi), max = max(hi, −lo) with lo, hi the
 * values' extremes extended to include 0. An all-zero channel gets [0, 0] (FakeQuant outputs 0).
 */
export function lastValueSymmetricRange(
  values: ArrayLike<number>,
  shape: readonly number[],
  perChannel: boolean,
): { min: Float32Array; max: Float32Array } {
  const depth = perChannel ? (shape[shape.length - 1] ?? 1) : 1;
  const lo = new Float32Array(depth);
  const hi = new Float32Array(depth);
  for (let i = 0; i < values.length; i++) {
    const c = perChannel ? i % depth : 0;
    const v = values[i];
    if (v < lo[c]) lo[c] = v;
    if (v > hi[c]) hi[c] = v;
  }
  const min = new Float32Array(depth);
  const max = new Float32Array(depth);
  for (let c = 0; c < depth; c++) {
    min[c] = Math.min(lo[c], -hi[c]);
    max[c] = Math.max(hi[c], -lo[c]);
  }
  return { min, max };
}
