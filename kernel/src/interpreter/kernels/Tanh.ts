/**
 * TANH: y = tanh(x). int8 through a 256-entry table built in float32 (no constraint on the
 * output parameters in TFLite; the quantization spec uses scale 1/128, zero point 0).
 * int16 (16x8): TFLite's fixed-point kernel (`tanhInt16`, the sigmoid table read at twice the
 * resolution), output scale 2^−15, zero points 0.
 */
import { tanhInt16 } from "../../quant/fixedpoint";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareInt16Activation, prepareLookup } from "./unary";

export const Tanh: Kernel = {
  op: "TANH",
  prepare(node: Node): Eval {
    if (node.input(0).dtype === "int16") return prepareInt16Activation(node, tanhInt16, [0, 1]);
    // NOTE: float32 `Math.fround(Math.tanh(x))` is within 1 ulp of glibc's `tanhf`, which LiteRT
    // calls; the two differ in the last bit for about a quarter of float inputs.
    const tanh = (x: number): number => Math.fround(Math.tanh(x));
    return prepareLookup(node, tanh, tanh, () => undefined);
  },
};
