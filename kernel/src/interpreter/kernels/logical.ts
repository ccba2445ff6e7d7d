/** LOGICAL_AND / LOGICAL_OR: bool inputs, numpy broadcasting, bool output. */
import type { BuiltinOpName } from "../../ir";
import type { Node } from "../node";
import { prepareBroadcast } from "./binary";
import type { Eval, Kernel } from "./kernel";

export function logicalKernel(op: BuiltinOpName, f: (a: boolean, b: boolean) => boolean): Kernel {
  return {
    op,
    prepare(node: Node): Eval {
      const { a, b, output, aIndex, bIndex, size } = prepareBroadcast(node);
      const x1 = node.bool(a);
      const x2 = node.bool(b);
      const y = node.bool(output);
      return () => {
        for (let i = 0; i < size; i++) y[i] = f(x1[aIndex[i]] !== 0, x2[bIndex[i]] !== 0) ? 1 : 0;
      };
    },
  };
}
