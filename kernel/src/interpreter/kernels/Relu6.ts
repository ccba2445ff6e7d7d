/** RELU6: y = min(max(x, 0), 6); int8 requantizes from the input to the output parameters. */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareClamp } from "./unary";

export const Relu6: Kernel = {
  op: "RELU6",
  prepare(node: Node): Eval {
    return prepareClamp(node, 0, 6);
  },
};
