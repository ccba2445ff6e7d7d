/**
 * DIV with numpy broadcasting and a fused activation. float32: y = clamp(a / b) (IEEE: ±∞ or
 * NaN for a zero divisor). int32: C++ division truncating toward zero, then the activation's
 * clamp; a zero divisor is an error (TFLite refuses it too).
 */
import { UsageError } from "../../errors";
import type { Node } from "../node";
import { prepareBinary } from "./binary";
import { floatActivationRange, quantizedActivationRange } from "./common";
import type { Eval, Kernel } from "./kernel";

export const Div: Kernel = {
  op: "DIV",
  prepare(node: Node): Eval {
    const activation = node.optionsOrNull("DivOptions")?.fusedActivationFunction ?? "NONE";
    const { a, b, output, aIndex, bIndex, size } = prepareBinary(node);
    if (a.dtype === "float32") {
      const x1 = node.f32(a);
      const x2 = node.f32(b);
      const y = node.f32(output);
      const [min, max] = floatActivationRange(node, activation);
      return () => {
        for (let i = 0; i < size; i++) {
          const v = Math.fround(x1[aIndex[i]] / x2[bIndex[i]]);
          y[i] = v < min ? min : v > max ? max : v;
        }
      };
    }
    if (a.dtype === "int32") {
      const x1 = node.i32(a);
      const x2 = node.i32(b);
      const y = node.i32(output);
      const [min, max] = quantizedActivationRange(node, activation, 1, 0, "int32");
      return () => {
        for (let i = 0; i < size; i++) {
          const d = x2[bIndex[i]];
          if (d === 0) {
            throw new UsageError(`${node.label}: int32 division by zero in '${b.name}'`);
          }
          const v = Math.trunc(x1[aIndex[i]] / d) | 0;
          y[i] = v < min ? min : v > max ? max : v;
        }
      };
    }
    throw node.unsupported(`input '${a.name}' has type ${a.dtype}; DIV takes float32, int32`);
  },
};
