/**
 * FILL: an output of shape `dims` (input 0, a constant 1-D int32/int64 tensor) with every element
 * equal to `value` (input 1, a scalar). float32, int32, int64, bool, int8, int16; a quantized value
 * is copied as it is (the output keeps the value's scale and zero point).
 */
import type { DType } from "../../ir";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";

const TYPES: readonly DType[] = ["float32", "int32", "int64", "bool", "int8", "int16"];

export const Fill: Kernel = {
  op: "FILL",
  prepare(node: Node): Eval {
    const dims = node.input(0);
    const value = node.input(1);
    if (!dims.isConstant) {
      throw node.unsupported(
        `dims '${dims.name}' must be a constant (its value sets the output shape)`,
      );
    }
    if (dims.shape.length !== 1) {
      throw node.shapeError(
        `dims '${dims.name}' must be 1-D, found shape [${dims.shape.join(", ")}]`,
      );
    }
    if (value.data.length !== 1) {
      throw node.shapeError(
        `value '${value.name}' must be a scalar, found shape [${value.shape.join(", ")}]`,
      );
    }
    if (!TYPES.includes(value.dtype)) {
      throw node.unsupported(
        `value '${value.name}' has type ${value.dtype}; FILL takes ${TYPES.join(", ")}`,
      );
    }
    const shape = node.intValues(dims);
    if (shape.some((d) => d < 0)) {
      throw node.shapeError(
        `dims '${dims.name}' must not be negative, found [${shape.join(", ")}]`,
      );
    }
    const output = node.allocateOutput(0, shape);
    if (output.dtype !== value.dtype) {
      throw node.unsupported(
        `output '${output.name}' must have type ${value.dtype}, found ${output.dtype}`,
      );
    }
    const x = value.data;
    const y = output.data;
    if (x instanceof BigInt64Array && y instanceof BigInt64Array) {
      return () => {
        y.fill(x[0] ?? 0n);
      };
    }
    if (x instanceof BigInt64Array || y instanceof BigInt64Array) {
      throw node.unsupported("int64 value and output must both be int64");
    }
    return () => {
      y.fill(x[0] ?? 0);
    };
  },
};
