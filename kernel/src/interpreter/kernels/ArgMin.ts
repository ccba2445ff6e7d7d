/** ARG_MIN: see argExtremum.ts. */
import { argExtremum } from "./argExtremum";
import type { Kernel } from "./kernel";

export const ArgMin: Kernel = { op: "ARG_MIN", prepare: (node) => argExtremum(node, false) };
