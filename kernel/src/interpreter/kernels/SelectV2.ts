/**
 * SELECT_V2: y = condition ? x : y_else, the three inputs broadcast together (numpy rules).
 * The condition is bool; x, y_else and the output share one dtype (any the interpreter stores:
 * float32, int8, uint8, int16, int32, int64, bool). Quantized values are copied as they are —
 * TFLite does not rescale, so x, y_else and the output must share scale and zero point.
 */
import type { DType } from "../../ir";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { broadcastIndex, broadcastShape } from "./layout";

const SELECT_TYPES: readonly DType[] = [
  "bool",
  "float32",
  "uint8",
  "int8",
  "int16",
  "int32",
  "int64",
];

export const SelectV2: Kernel = {
  op: "SELECT_V2",
  prepare(node: Node): Eval {
    const condition = node.input(0);
    const x = node.input(1);
    const otherwise = node.input(2);
    const c = node.bool(condition);
    if (!SELECT_TYPES.includes(x.dtype)) {
      throw node.unsupported(
        `input '${x.name}' has type ${x.dtype}; SELECT_V2 takes ${SELECT_TYPES.join(", ")}`,
      );
    }
    if (x.dtype !== otherwise.dtype) {
      throw node.unsupported(
        `inputs '${x.name}' (${x.dtype}) and '${otherwise.name}' (${otherwise.dtype}) must have the same type`,
      );
    }
    const shape = broadcastShape(
      node,
      broadcastShape(node, condition.shape, x.shape),
      otherwise.shape,
    );
    const output = node.allocateOutput(0, shape);
    if (output.dtype !== x.dtype) {
      throw node.unsupported(
        `output '${output.name}' must have type ${x.dtype}, found ${output.dtype}`,
      );
    }
    const cIndex = broadcastIndex(condition.shape, shape);
    const xIndex = broadcastIndex(x.shape, shape);
    const oIndex = broadcastIndex(otherwise.shape, shape);
    const size = output.data.length;
    const a = x.data;
    const b = otherwise.data;
    const y = output.data;
    if (a instanceof BigInt64Array && b instanceof BigInt64Array && y instanceof BigInt64Array) {
      return () => {
        for (let i = 0; i < size; i++) y[i] = c[cIndex[i]] !== 0 ? a[xIndex[i]] : b[oIndex[i]];
      };
    }
    if (a instanceof BigInt64Array || b instanceof BigInt64Array || y instanceof BigInt64Array) {
      throw node.unsupported("int64 operands must all be int64");
    }
    return () => {
      for (let i = 0; i < size; i++) y[i] = c[cIndex[i]] !== 0 ? a[xIndex[i]] : b[oIndex[i]];
    };
  },
};
