/** ZEROS_LIKE: zeros of the input's shape and dtype (float32, int32, int64, as TFLite). */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";

export const ZerosLike: Kernel = {
  op: "ZEROS_LIKE",
  prepare(node: Node): Eval {
    const input = node.input(0);
    if (input.dtype !== "float32" && input.dtype !== "int32" && input.dtype !== "int64") {
      throw node.unsupported(
        `input '${input.name}' has type ${input.dtype}; ZEROS_LIKE takes float32, int32, int64`,
      );
    }
    const output = node.allocateOutput(0, [...input.shape]);
    if (output.dtype !== input.dtype) {
      throw node.unsupported(
        `output '${output.name}' must have type ${input.dtype}, found ${output.dtype}`,
      );
    }
    // allocateOutput gives zero-filled storage; nothing writes to it afterwards.
    return () => undefined;
  },
};
