/** RELU_0_TO_1: y = clamp(x, 0, 1); int8 requantizes from the input to the output parameters. */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareClamp } from "./unary";

export const Relu0To1: Kernel = {
  op: "RELU_0_TO_1",
  prepare(node: Node): Eval {
    return prepareClamp(node, 0, 1);
  },
};
