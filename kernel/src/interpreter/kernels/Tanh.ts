/**
 * TANH: y = tanh(x). int8 through a 256-entry table built in float32 (no constraint on the
 * output parameters in TFLite; the quantization spec uses scale 1/128, zero point 0).
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareLookup } from "./unary";

export const Tanh: Kernel = {
  op: "TANH",
  prepare(node: Node): Eval {
    return prepareLookup(
      node,
      (x) => Math.fround(Math.tanh(x)),
      () => undefined,
    );
  },
};
