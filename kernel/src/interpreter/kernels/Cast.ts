/**
 * CAST: C++ `static_cast` from the input's dtype to the output's, element by element, between
 * float32, int32, int64, int16, int8, uint8 and bool. Quantization parameters are ignored (the
 * stored integers are converted, not the real values they stand for).
 * - to bool: x ≠ 0; from bool: 0 or 1.
 * - float → integer: truncation toward zero, then (for int8/uint8/int16) the low bits, as x86-64
 *   compiles the conversion; a float outside int32 (int64) reads as the minimum, x86's
 *   "integer indefinite" result of an out-of-range conversion.
 * - integer → narrower integer: two's-complement wrap.
 */
import type { DType } from "../../ir";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";

const TYPES: readonly DType[] = ["float32", "int32", "int64", "int16", "int8", "uint8", "bool"];

const INT64_MIN = -(2n ** 63n);

/** Truncates a float toward zero onto int32, out of range (and NaN) → −2^31. */
function floatToInt32(x: number): number {
  return x > -2147483649 && x < 2147483648 ? Math.trunc(x) : -2147483648;
}

/** The conversion of an integer (already truncated if it was a float) or float to `to`. */
function converter(node: Node, to: DType, from: DType): (x: number) => number {
  const integral = from === "float32" ? floatToInt32 : (x: number) => x;
  switch (to) {
    case "float32":
      return (x) => Math.fround(x);
    case "bool":
      return (x) => (x !== 0 ? 1 : 0);
    case "int32":
      return (x) => integral(x) | 0;
    case "int16":
      return (x) => (integral(x) << 16) >> 16;
    case "int8":
      return (x) => (integral(x) << 24) >> 24;
    case "uint8":
      return (x) => integral(x) & 0xff;
    default:
      throw node.unsupported(`output of type ${to}`);
  }
}

function floatToInt64(x: number): bigint {
  return x > -(2 ** 63) - 1 && x < 2 ** 63 ? BigInt(Math.trunc(x)) : INT64_MIN;
}

export const Cast: Kernel = {
  op: "CAST",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const output = node.allocateOutput(0, [...input.shape]);
    for (const t of [input, output]) {
      if (!TYPES.includes(t.dtype)) {
        throw node.unsupported(
          `tensor '${t.name}' has type ${t.dtype}; CAST takes ${TYPES.join(", ")}`,
        );
      }
    }
    const from = input.dtype;
    const to = output.dtype;
    const x = input.data;
    const y = output.data;
    const n = y.length;
    if (x instanceof BigInt64Array) {
      if (y instanceof BigInt64Array) return () => y.set(x);
      if (to === "float32" || to === "bool") {
        const convert = converter(node, to, from);
        return () => {
          for (let i = 0; i < n; i++) {
            const v = x[i] ?? 0n;
            y[i] = convert(to === "bool" ? (v === 0n ? 0 : 1) : Number(v));
          }
        };
      }
      // Narrower integers keep low bits: wrap to 32 bits (exact), then narrow like an int32.
      const convert = converter(node, to, "int32");
      return () => {
        for (let i = 0; i < n; i++) y[i] = convert(Number(BigInt.asIntN(32, x[i] ?? 0n)));
      };
    }
    if (y instanceof BigInt64Array) {
      return () => {
        for (let i = 0; i < n; i++) {
          const v = x[i] ?? 0;
          y[i] = from === "float32" ? floatToInt64(v) : BigInt(v);
        }
      };
    }
    const convert = converter(node, to, from);
    return () => {
      for (let i = 0; i < n; i++) y[i] = convert(x[i] ?? 0);
    };
  },
};
