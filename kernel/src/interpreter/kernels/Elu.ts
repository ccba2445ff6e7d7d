/**
 * ELU: y = x for x ≥ 0, e^x − 1 below (float32); int8 through a table of that function in
 * float32.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareElementwise } from "./math";

const f = (x: number): number => (x < 0 ? Math.fround(Math.expm1(x)) : x);

export const Elu: Kernel = {
  op: "ELU",
  prepare(node: Node): Eval {
    return prepareElementwise(node, f, f);
  },
};
