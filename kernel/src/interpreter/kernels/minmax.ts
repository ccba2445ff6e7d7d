/**
 * MAXIMUM / MINIMUM: element-wise, numpy broadcasting, no rescaling (the quantization spec
 * gives inputs and output one scale and zero point, so the raw values are compared). TFLite's
 * `a > b ? a : b` (`a < b ? a : b`) form decides which operand a NaN yields: the second.
 */
import type { BuiltinOpName, DType } from "../../ir";
import type { Node } from "../node";
import { prepareBinary } from "./binary";
import type { Eval, Kernel } from "./kernel";

const TYPES: readonly DType[] = ["float32", "uint8", "int8", "int16", "int32", "int64"];

export function minMaxKernel(
  op: BuiltinOpName,
  takeFirst: <T extends number | bigint>(a: T, b: T) => boolean,
): Kernel {
  return {
    op,
    prepare(node: Node): Eval {
      const { a, b, output, aIndex, bIndex, size } = prepareBinary(node);
      if (!TYPES.includes(a.dtype)) {
        throw node.unsupported(
          `input '${a.name}' has type ${a.dtype}; ${op} takes ${TYPES.join(", ")}`,
        );
      }
      const x1 = a.data;
      const x2 = b.data;
      const y = output.data;
      if (
        x1 instanceof BigInt64Array &&
        x2 instanceof BigInt64Array &&
        y instanceof BigInt64Array
      ) {
        return () => {
          for (let i = 0; i < size; i++) {
            const u = x1[aIndex[i]];
            const v = x2[bIndex[i]];
            y[i] = takeFirst(u, v) ? u : v;
          }
        };
      }
      if (
        x1 instanceof BigInt64Array ||
        x2 instanceof BigInt64Array ||
        y instanceof BigInt64Array
      ) {
        throw node.unsupported("int64 operands must all be int64");
      }
      return () => {
        for (let i = 0; i < size; i++) {
          const u = x1[aIndex[i]];
          const v = x2[bIndex[i]];
          y[i] = takeFirst(u, v) ? u : v;
        }
      };
    },
  };
}
