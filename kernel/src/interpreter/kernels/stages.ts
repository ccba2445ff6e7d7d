/**
 * Output stages: what happens to a pixel's or row's accumulators after the shared loops of
 * `convolution.ts`. Float: add bias → clamp. Integer (TFLite reference `integer_ops`):
 * add bias → requantize with the channel's multiplier → add output offset → clamp → store.
 */
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierInt64,
  quantizeMultiplier,
  roundHalfAwayFromZero,
} from "../../quant/fixedpoint";
import type { Accumulator, OutputStage } from "./convolution";

// Local bindings: an imported function is read through a module getter at each call under
// some loaders (tsx); hot loops call these instead.
const mbqm = multiplyByQuantizedMultiplier;
const mbqm64 = multiplyByQuantizedMultiplierInt64;
const roundHalfAway = roundHalfAwayFromZero;

/** Per-channel quantized multipliers (one entry broadcasts to every channel). */
export interface ChannelMultipliers {
  multipliers: Int32Array;
  shifts: Int32Array;
}

/** `quantizeMultiplier` of each real multiplier, for `channels` channels. */
export function channelMultipliers(real: readonly number[], channels: number): ChannelMultipliers {
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const q = quantizeMultiplier(real[real.length === 1 ? 0 : c] ?? 0);
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  return { multipliers, shifts };
}

/** y = clamp(acc + bias, min, max), stored as float32. */
export function floatStage(
  out: Float32Array,
  bias: Float32Array,
  channels: number,
  [min, max]: [number, number],
): OutputStage {
  return (acc: Accumulator, offset: number) => {
    for (let c = 0; c < channels; c++) {
      const v = Math.fround(acc[c] + bias[c]);
      out[offset + c] = v < min ? min : v > max ? max : v;
    }
  };
}

/**
 * q = clamp(MBQM(acc + bias, multiplier_c, shift_c) + outputZeroPoint, actMin, actMax).
 * Overflow bound: |acc + bias| < 2^31 is the model's contract (TFLite wraps int32 likewise).
 */
export function requantizeStage(
  out: Int8Array | Uint8Array | Int16Array,
  bias: Int32Array,
  channels: number,
  { multipliers, shifts }: ChannelMultipliers,
  outputZeroPoint: number,
  [actMin, actMax]: [number, number],
): OutputStage {
  return (acc: Accumulator, offset: number) => {
    for (let c = 0; c < channels; c++) {
      const total = (acc[c] + bias[c]) | 0;
      const q = mbqm(total, multipliers[c], shifts[c]) + outputZeroPoint;
      out[offset + c] = q < actMin ? actMin : q > actMax ? actMax : q;
    }
  };
}

/**
 * q = clamp(round(double(acc + bias) · scale_c) + outputZeroPoint, actMin, actMax), with
 * scale_c = inputScale · weightScale_c / outputScale in double and round half away from zero:
 * the requantization of LiteRT's reference FULLY_CONNECTED since April 2025 ("do requant in
 * float"); its optimized kernels still use the fixed-point multiplier.
 */
export function doubleRequantizeStage(
  out: Int8Array | Uint8Array,
  bias: Int32Array,
  channels: number,
  scales: Float64Array,
  outputZeroPoint: number,
  [actMin, actMax]: [number, number],
): OutputStage {
  return (acc: Accumulator, offset: number) => {
    for (let c = 0; c < channels; c++) {
      const total = (acc[c] + bias[c]) | 0;
      const q = roundHalfAway(total * scales[c]) + outputZeroPoint;
      out[offset + c] = q < actMin ? actMin : q > actMax ? actMax : q;
    }
  };
}

/**
 * 16x8 CONV_2D / DEPTHWISE_CONV_2D (TFLite `reference_integer_ops::ConvPerChannel` /
 * `DepthwiseConvPerChannel` with int16 input and int64 bias):
 * q = clamp(MBQM64(acc + bias, multiplier_c, shift_c), actMin, actMax); zero points are 0.
 * acc + bias is an exact integer in a double (|acc + bias| < 2^53, see `IntAccumulator`).
 */
export function requantizeInt64Stage(
  out: Int16Array,
  bias: Float64Array,
  channels: number,
  { multipliers, shifts }: ChannelMultipliers,
  [actMin, actMax]: [number, number],
): OutputStage {
  // MBQM64 unrolled per channel: m' = the 15-bit multiplier, y = ⌊(x·m' + 2^(t−1)) · 2^−t⌋ with
  // t = 15 − shift (multiplying by a power of two is exact). Exact while |x·m'| < 2^52; larger
  // accumulators take the general function.
  const reduced = new Float64Array(channels);
  const half = new Float64Array(channels);
  const inverse = new Float64Array(channels);
  const limit = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = multipliers[c] ?? 0;
    const t = 15 - (shifts[c] ?? 0);
    reduced[c] = m < 0x7fff0000 ? (m + 32768) >> 16 : 0x7fff;
    half[c] = 2 ** (t - 1);
    inverse[c] = 2 ** -t;
    limit[c] = 2 ** 52 / Math.max(1, reduced[c]);
  }
  return (acc: Accumulator, offset: number) => {
    for (let c = 0; c < channels; c++) {
      const x = acc[c] + bias[c];
      const q =
        x < limit[c] && x > -limit[c]
          ? Math.floor((x * reduced[c] + half[c]) * inverse[c]) | 0
          : mbqm64(x, multipliers[c], shifts[c]);
      out[offset + c] = q < actMin ? actMin : q > actMax ? actMax : q;
    }
  };
}

/**
 * 16x8 FULLY_CONNECTED (TFLite reference `FullyConnected[PerChannel]` with int16 input, int64 or
 * int32 bias): q = clamp(round(double(acc + bias) · scale_c) + outputZeroPoint, actMin, actMax),
 * as `doubleRequantizeStage` but with the accumulator not wrapped to int32 (it is int64 there)
 * unless the bias is int32 (`wrapInt32`).
 */
export function doubleRequantizeWideStage(
  out: Int16Array,
  bias: Float64Array,
  channels: number,
  scales: Float64Array,
  outputZeroPoint: number,
  [actMin, actMax]: [number, number],
  wrapInt32: boolean,
): OutputStage {
  return (acc: Accumulator, offset: number) => {
    for (let c = 0; c < channels; c++) {
      // With an int32 bias TFLite's accumulator is int32 (and wraps like C's).
      const total = wrapInt32 ? (acc[c] + bias[c]) | 0 : acc[c] + bias[c];
      const q = roundHalfAway(total * scales[c]) + outputZeroPoint;
      out[offset + c] = q < actMin ? actMin : q > actMax ? actMax : q;
    }
  };
}
