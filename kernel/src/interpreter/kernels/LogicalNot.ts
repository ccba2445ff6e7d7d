/** LOGICAL_NOT: y = ¬x on a bool tensor. */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";

export const LogicalNot: Kernel = {
  op: "LOGICAL_NOT",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const x = node.bool(input);
    const y = node.bool(node.allocateOutput(0, [...input.shape]));
    const n = y.length;
    return () => {
      for (let i = 0; i < n; i++) y[i] = x[i] === 0 ? 1 : 0;
    };
  },
};
