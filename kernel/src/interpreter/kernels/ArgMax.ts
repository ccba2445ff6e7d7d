/** ARG_MAX: see argExtremum.ts. */
import { argExtremum } from "./argExtremum";
import type { Kernel } from "./kernel";

export const ArgMax: Kernel = { op: "ARG_MAX", prepare: (node) => argExtremum(node, true) };
