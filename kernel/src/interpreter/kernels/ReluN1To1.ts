/** RELU_N1_TO_1: y = clamp(x, −1, 1); int8 requantizes from the input to the output parameters. */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareClamp } from "./unary";

export const ReluN1To1: Kernel = {
  op: "RELU_N1_TO_1",
  prepare(node: Node): Eval {
    // LiteRT's kernel takes float32, int8 and uint8; it fails on int16.
    const input = node.input(0);
    if (input.dtype === "int16") {
      throw node.unsupported(
        `input '${input.name}' has type int16; ${node.opName} takes float32, int8`,
      );
    }
    return prepareClamp(node, -1, 1);
  },
};
