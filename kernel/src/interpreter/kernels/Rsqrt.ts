/** RSQRT: y = 1 / √x (float32, both steps rounded to float32). */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareElementwise } from "./math";

const f = (x: number): number => Math.fround(1 / Math.fround(Math.sqrt(x)));

export const Rsqrt: Kernel = {
  op: "RSQRT",
  prepare(node: Node): Eval {
    return prepareElementwise(node, f, f);
  },
};
