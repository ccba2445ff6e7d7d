/**
 * Shared body of the element-wise math ops (SQRT, RSQRT, EXP, LOG, ELU, …): a float32 function,
 * and for the ops TFLite evaluates on int8 through a 256-entry table, the function the table is
 * built from (`int8LookupTable`: dequantize, f in float32, requantize, all in float32).
 */
import { roundHalfAwayFromZero } from "../../quant/fixedpoint";
import type { Node } from "../node";
import type { Eval } from "./kernel";
import { int8LookupTable } from "./unary";

export function prepareElementwise(
  node: Node,
  floatF: (x: number) => number,
  tableF: ((x: number) => number) | null,
  withUint8 = false,
  truncatingTableF: ((x: number) => number) | null = null,
): Eval {
  const input = node.input(0);
  const output = node.allocateOutput(0, [...input.shape]);
  if (output.dtype !== input.dtype) {
    throw node.unsupported(
      `output '${output.name}' must have the input's type ${input.dtype}, found ${output.dtype}`,
    );
  }
  if (input.dtype === "float32") {
    const x = node.f32(input);
    const y = node.f32(output);
    const n = y.length;
    return () => {
      for (let i = 0; i < n; i++) y[i] = floatF(x[i]);
    };
  }
  if (input.dtype === "int8" && tableF !== null) {
    const x = node.i8(input);
    const y = node.i8(output);
    const inQ = node.affine(input);
    const outQ = node.affine(output);
    const lut = int8LookupTable(tableF, inQ.scale, inQ.zeroPoint, outQ.scale, outQ.zeroPoint);
    const n = y.length;
    return () => {
      for (let i = 0; i < n; i++) y[i] = lut[x[i] + 128];
    };
  }
  if (input.dtype === "int8" && truncatingTableF !== null) {
    const x = node.i8(input);
    const y = node.i8(output);
    const inQ = node.affine(input);
    const outQ = node.affine(output);
    const lut = new Int8Array(256);
    for (let q = -128; q <= 127; q++) {
      const real = Math.fround(truncatingTableF(Math.fround(inQ.scale * (q - inQ.zeroPoint))));
      const v = Math.trunc(Math.fround(real / outQ.scale)) + outQ.zeroPoint;
      lut[q + 128] = v < -128 ? -128 : v > 127 ? 127 : v;
    }
    const n = y.length;
    return () => {
      for (let i = 0; i < n; i++) y[i] = lut[x[i] + 128];
    };
  }
  if (input.dtype === "uint8" && tableF !== null && withUint8) {
    const x = node.u8(input);
    const y = node.u8(output);
    const inQ = node.affine(input);
    const outQ = node.affine(output);
    const lut = uint8LookupTable(tableF, inQ.scale, inQ.zeroPoint, outQ.scale, outQ.zeroPoint);
    const n = y.length;
    return () => {
      for (let i = 0; i < n; i++) y[i] = lut[x[i]];
    };
  }
  const types = [
    "float32",
    ...(tableF === null && truncatingTableF === null ? [] : ["int8"]),
    ...(withUint8 ? ["uint8"] : []),
  ];
  throw node.unsupported(
    `input '${input.name}' has type ${input.dtype}; ${node.opName} takes ${types.join(", ")}`,
  );
}

/** `int8LookupTable` for uint8: lut[q] for q in [0, 255], clamped to [0, 255]. */
export function uint8LookupTable(
  f: (x: number) => number,
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
): Uint8Array {
  const lut = new Uint8Array(256);
  const inverseScale = Math.fround(1 / outputScale);
  for (let q = 0; q <= 255; q++) {
    const transformed = Math.fround(f(Math.fround(inputScale * (q - inputZeroPoint))));
    const v = roundHalfAwayFromZero(Math.fround(transformed * inverseScale)) + outputZeroPoint;
    lut[q] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return lut;
}
