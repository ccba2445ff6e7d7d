/** LOG: y = ln x (float32). */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareElementwise } from "./math";

const f = (x: number): number => Math.fround(Math.log(x));

export const Log: Kernel = {
  op: "LOG",
  prepare(node: Node): Eval {
    return prepareElementwise(node, f, f);
  },
};
