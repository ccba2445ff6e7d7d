/** NEG: y = −x on float32, int32 and int64 (two's-complement wrap, as C++). */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";

export const Neg: Kernel = {
  op: "NEG",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const output = node.allocateOutput(0, [...input.shape]);
    if (output.dtype !== input.dtype) {
      throw node.unsupported(
        `output '${output.name}' must have type ${input.dtype}, found ${output.dtype}`,
      );
    }
    const n = output.data.length;
    switch (input.dtype) {
      case "float32": {
        const x = node.f32(input);
        const y = node.f32(output);
        return () => {
          for (let i = 0; i < n; i++) y[i] = -x[i];
        };
      }
      case "int32": {
        const x = node.i32(input);
        const y = node.i32(output);
        return () => {
          for (let i = 0; i < n; i++) y[i] = -x[i] | 0;
        };
      }
      case "int64": {
        const x = node.i64(input);
        const y = node.i64(output);
        return () => {
          for (let i = 0; i < n; i++) y[i] = BigInt.asIntN(64, -(x[i] ?? 0n));
        };
      }
      default:
        throw node.unsupported(
          `input '${input.name}' has type ${input.dtype}; NEG takes float32, int32, int64`,
        );
    }
  },
};
