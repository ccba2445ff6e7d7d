/** RELU: y = max(x, 0); int8 requantizes from the input to the output parameters. */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareClamp } from "./unary";

export const Relu: Kernel = {
  op: "RELU",
  prepare(node: Node): Eval {
    return prepareClamp(node, 0, Infinity);
  },
};
