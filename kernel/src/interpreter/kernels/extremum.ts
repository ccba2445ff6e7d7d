/**
 * REDUCE_MAX / REDUCE_MIN. LiteRT's reference folds `in > current ? in : current` (or `<`) over
 * the input in row-major order, starting from the type's lowest (highest) value — for float32
 * ∓FLT_MAX, not ∓∞ — or, when every axis is reduced, from the first element. A NaN never
 * replaces the current value.
 */
import type { Node } from "../node";
import type { Eval } from "./kernel";
import { expectSameEncoding } from "./movement";
import { planReduce } from "./reduce";

const FLT_MAX = 3.4028234663852886e38;

function initValue(dtype: string, max: boolean): number {
  switch (dtype) {
    case "float32":
      return max ? -FLT_MAX : FLT_MAX;
    case "int32":
      return max ? -2147483648 : 2147483647;
    case "int16":
      return max ? -32768 : 32767;
    case "int8":
      return max ? -128 : 127;
    default:
      // uint8 and bool
      return max ? 0 : 255;
  }
}

export function extremum(node: Node, max: boolean): Eval {
  const { input, output, map, count, all } = planReduce(node);
  expectSameEncoding(node, input, output);
  const n = map.length;
  const x = input.data;
  const y = output.data;
  if (x instanceof BigInt64Array || y instanceof BigInt64Array) {
    if (!(x instanceof BigInt64Array && y instanceof BigInt64Array)) throw node.unsupported();
    const init = max ? -(2n ** 63n) : 2n ** 63n - 1n;
    return () => {
      y.fill(all && n > 0 ? (x[0] ?? 0n) : init);
      for (let i = 0; i < n; i++) {
        const v = x[i] ?? 0n;
        const j = map[i] ?? 0;
        const c = y[j] ?? 0n;
        if (max ? v > c : v < c) y[j] = v;
      }
    };
  }
  if (!["float32", "int32", "int16", "int8", "uint8", "bool"].includes(input.dtype)) {
    throw node.unsupported();
  }
  const init = initValue(input.dtype, max);
  const bool = input.dtype === "bool";
  return () => {
    y.fill(all && n > 0 && count > 0 ? (x[0] ?? 0) : bool ? (max ? 0 : 1) : init);
    for (let i = 0; i < n; i++) {
      const v = x[i] ?? 0;
      const j = map[i] ?? 0;
      const c = y[j] ?? 0;
      if (max ? v > c : v < c) y[j] = v;
    }
  };
}
