/**
 * SQRT: y = √x (float32). int8: LiteRT's table truncates instead of rounding —
 * y = clamp(trunc(√(s_in·(q − z_in)) / s_out) + z_out), √ and the division in float32.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareElementwise } from "./math";

const f = (x: number): number => Math.fround(Math.sqrt(x));

export const Sqrt: Kernel = {
  op: "SQRT",
  prepare(node: Node): Eval {
    return prepareElementwise(node, f, null, false, f);
  },
};
