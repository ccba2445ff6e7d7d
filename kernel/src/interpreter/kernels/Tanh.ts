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
    // NOTE: float32 `Math.fround(Math.tanh(x))` is within 1 ulp of glibc's `tanhf`, which LiteRT
    // calls; the two differ in the last bit for about a quarter of float inputs.
    const tanh = (x: number): number => Math.fround(Math.tanh(x));
    return prepareLookup(node, tanh, tanh, () => undefined);
  },
};
