/**
 * The comparison ops (LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL, NOT_EQUAL): two inputs of
 * one dtype, numpy broadcasting, a bool output (TFLite `comparisons.cc`).
 * float32, int32, int64, bool: the raw values are compared. int8 and uint8
 * (`ComparisonWithScaling`): each input is brought to a common fixed-point scale before
 * comparing, v = MBQM((q − z) · 2^8, M(s), shift(s)), where (M, shift) quantize the input's own
 * scale s (so inputs of different scales compare by real value). int16: LESS, LESS_EQUAL,
 * GREATER, GREATER_EQUAL compare raw values (ignoring any scale); EQUAL and NOT_EQUAL scale
 * quantized int16 like int8; unquantized int16 EQUAL compares raw values, and LiteRT's
 * NOT_EQUAL leaves its output unwritten there, so tsquant refuses it.
 */
import type { BuiltinOpName, DType } from "../../ir";
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../../quant/fixedpoint";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import { prepareBroadcast } from "./binary";
import type { Eval, Kernel } from "./kernel";

const mbqm = multiplyByQuantizedMultiplier;

/** The comparison itself; numbers and bigints compare alike. */
export type CompareFn = <T extends number | bigint>(a: T, b: T) => boolean;

/** A comparison kernel over the dtypes TFLite's kernel for `op` accepts. */
export function comparisonKernel(
  op: BuiltinOpName,
  compare: CompareFn,
  dtypes: readonly DType[],
  int16: "raw" | "scaled" = "raw",
): Kernel {
  return {
    op,
    prepare(node: Node): Eval {
      const { a, b, output, aIndex, bIndex, size } = prepareBroadcast(node);
      const y = node.bool(output);
      if (!dtypes.includes(a.dtype)) {
        throw node.unsupported(
          `input '${a.name}' has type ${a.dtype}; ${op} takes ${dtypes.join(", ")}`,
        );
      }
      if (a.dtype === "int64") {
        const x1 = node.i64(a);
        const x2 = node.i64(b);
        return () => {
          for (let i = 0; i < size; i++) y[i] = compare(x1[aIndex[i]], x2[bIndex[i]]) ? 1 : 0;
        };
      }
      if (a.dtype === "int16" && int16 === "scaled" && a.quantization === null && op !== "EQUAL") {
        throw node.unsupported(`int16 input '${a.name}' without quantization parameters`);
      }
      const isScaled =
        a.dtype === "int8" ||
        a.dtype === "uint8" ||
        (a.dtype === "int16" && int16 === "scaled" && a.quantization !== null);
      if (isScaled) {
        const [x1, s1] = scaled(node, a);
        const [x2, s2] = scaled(node, b);
        return () => {
          for (let i = 0; i < size; i++) {
            y[i] = compare(s1(x1[aIndex[i]]), s2(x2[bIndex[i]])) ? 1 : 0;
          }
        };
      }
      const x1 = rawValues(node, a);
      const x2 = rawValues(node, b);
      return () => {
        for (let i = 0; i < size; i++) y[i] = compare(x1[aIndex[i]], x2[bIndex[i]]) ? 1 : 0;
      };
    },
  };
}

/** Values compared as they are: float32, int16, int32, bool. */
function rawValues(
  node: Node,
  t: RuntimeTensor,
): Float32Array | Int32Array | Int16Array | Uint8Array {
  switch (t.dtype) {
    case "float32":
      return node.f32(t);
    case "int32":
      return node.i32(t);
    case "int16":
      return node.i16(t);
    case "bool":
      return node.bool(t);
    default:
      throw node.unsupported(`input '${t.name}' of type ${t.dtype}`);
  }
}

/** int8/uint8/int16 data and the map q ↦ MBQM((q − z) · 2^8, M(s)) onto the common comparison scale. */
function scaled(
  node: Node,
  t: RuntimeTensor,
): [Int8Array | Uint8Array | Int16Array, (q: number) => number] {
  const data = node.qint(t);
  const { scale, zeroPoint } = node.affine(t);
  const { multiplier, shift } = quantizeMultiplier(scale);
  return [data, (q) => mbqm((q - zeroPoint) * 256, multiplier, shift)];
}

/** What LiteRT's order comparisons take. */
export const ORDER_TYPES: readonly DType[] = [
  "float32",
  "int16",
  "int32",
  "int64",
  "int8",
  "uint8",
];
/** What EQUAL and NOT_EQUAL take. */
export const EQUALITY_TYPES: readonly DType[] = ["bool", ...ORDER_TYPES];
