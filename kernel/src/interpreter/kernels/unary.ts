/**
 * Shared prepare steps of the element-wise activations: the int8 lookup table of LOGISTIC and
 * TANH, their int16 fixed-point path, and the requantize-and-clamp of RELU and RELU6.
 */
import {
  checkedLog2,
  int16ActivationRescale,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundHalfAwayFromZero,
} from "../../quant/fixedpoint";
import type { Node } from "../node";
import { dtypeRange } from "./common";
import type { Eval } from "./kernel";

// Local bindings: an imported function is read through a module getter at each call under
// some loaders (tsx); hot loops call these instead.
const mbqm = multiplyByQuantizedMultiplier;

/**
 * TFLite `LUTPopulateInt8`: for every int8 q, lut[q] = clamp(round(f(s_in·(q − z_in)) / s_out) + z_out),
 * each float step in float32 (f itself is evaluated in double and rounded to float32, which is
 * what float32 `expf`/`tanhf` return up to their last-ulp accuracy).
 */
export function int8LookupTable(
  f: (x: number) => number,
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
): Int8Array {
  const lut = new Int8Array(256);
  const inverseScale = Math.fround(1 / outputScale);
  for (let q = -128; q <= 127; q++) {
    const dequantized = Math.fround(inputScale * (q - inputZeroPoint));
    const transformed = Math.fround(f(dequantized));
    const rescaled = roundHalfAwayFromZero(Math.fround(transformed * inverseScale));
    const v = rescaled + outputZeroPoint;
    lut[q + 128] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
  return lut;
}

/** A float32 kernel `floatF` and an int8 table of `tableF`, as one kernel body. */
export function prepareLookup(
  node: Node,
  floatF: (x: number) => number,
  tableF: (x: number) => number,
  checkOutput: (scale: number, zeroPoint: number) => void,
): Eval {
  const input = node.input(0);
  const output = node.allocateOutput(0, [...input.shape]);
  if (input.dtype === "float32") {
    const x = node.f32(input);
    const y = node.f32(output);
    const n = y.length;
    return () => {
      for (let i = 0; i < n; i++) y[i] = floatF(x[i]);
    };
  }
  if (input.dtype === "int8") {
    const x = node.i8(input);
    const y = node.i8(output);
    const inQ = node.affine(input);
    const outQ = node.affine(output);
    checkOutput(outQ.scale, outQ.zeroPoint);
    const lut = int8LookupTable(tableF, inQ.scale, inQ.zeroPoint, outQ.scale, outQ.zeroPoint);
    const n = y.length;
    return () => {
      for (let i = 0; i < n; i++) y[i] = lut[x[i] + 128];
    };
  }
  throw node.unsupported();
}

/**
 * RELU / RELU6 (unfused, TFLite `activations.cc` `QuantizedReluX`). float32: clamp(x, lo, hi).
 * int8 and int16: q = clamp(z_out + MBQM(x − z_in, multiplier(s_in / s_out)), z_out + round(lo / s_out),
 * z_out + round(hi / s_out)), the scale ratio and the bounds' divisions in float32.
 */
export function prepareClamp(node: Node, lo: number, hi: number): Eval {
  const input = node.input(0);
  const output = node.allocateOutput(0, [...input.shape]);
  if (input.dtype === "float32") {
    const x = node.f32(input);
    const y = node.f32(output);
    const n = y.length;
    return () => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v < lo ? lo : v > hi ? hi : v;
      }
    };
  }
  if (input.dtype === "int8" || input.dtype === "int16") {
    if (output.dtype !== input.dtype) throw node.unsupported("input and output types differ");
    const x = node.i8or16(input);
    const y = node.i8or16(output);
    const inQ = node.affine(input);
    const outQ = node.affine(output);
    const [qmin, qmax] = dtypeRange(node, input.dtype);
    const { multiplier, shift } = quantizeMultiplier(Math.fround(inQ.scale / outQ.scale));
    const zo = outQ.zeroPoint;
    const zi = inQ.zeroPoint;
    const min = Math.max(qmin, zo + roundHalfAwayFromZero(Math.fround(lo / outQ.scale)));
    const max =
      hi === Infinity
        ? qmax
        : Math.min(qmax, zo + roundHalfAwayFromZero(Math.fround(hi / outQ.scale)));
    const n = y.length;
    return () => {
      for (let i = 0; i < n; i++) {
        const q = zo + mbqm(x[i] - zi, multiplier, shift);
        y[i] = q < min ? min : q > max ? max : q;
      }
    };
  }
  throw node.unsupported();
}

/**
 * The int16 LOGISTIC / TANH of TFLite (`activations.cc`, `reference_integer_ops::Logistic` /
 * `Tanh`): zero points 0, output scale 2^−15 (checked as TFLite's `CheckedLog2` does), the input
 * rescaled by `int16ActivationRescale` and each value mapped by `f(x, multiplier, leftShift)`.
 * `potShifts` are the power-of-two input shifts the op accepts as such (LOGISTIC 0, TANH 0 or 1).
 */
export function prepareInt16Activation(
  node: Node,
  f: (x: number, multiplier: number, leftShift: number) => number,
  potShifts: readonly number[],
): Eval {
  const input = node.input(0);
  const output = node.allocateOutput(0, [...input.shape]);
  const x = node.i16(input);
  const y = node.i16(output);
  const inQ = node.affine(input);
  const outQ = node.affine(output);
  if (inQ.zeroPoint !== 0 || outQ.zeroPoint !== 0) {
    throw node.unsupported(
      `int16 input and output must have zero point 0, found ${inQ.zeroPoint} and ${outQ.zeroPoint}`,
    );
  }
  const out = checkedLog2(outQ.scale);
  if (!out.isPowerOfTwo || out.log2 !== -15) {
    throw node.unsupported(`int16 output must have scale 2^-15, found ${outQ.scale}`);
  }
  const { multiplier, leftShift } = int16ActivationRescale(inQ.scale, potShifts);
  const n = y.length;
  return () => {
    for (let i = 0; i < n; i++) y[i] = f(x[i], multiplier, leftShift);
  };
}
