/** EXP: y = e^x; int8 through a table of float32 e^x. */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareElementwise } from "./math";

const f = (x: number): number => Math.fround(Math.exp(x));

export const Exp: Kernel = {
  op: "EXP",
  prepare(node: Node): Eval {
    return prepareElementwise(node, f, f);
  },
};
