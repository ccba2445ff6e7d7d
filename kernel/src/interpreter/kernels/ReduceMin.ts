/**
 * REDUCE_MIN: the smallest element over the axes of the 2nd input (see reduce.ts and
 * extremum.ts); same dtypes and rules as REDUCE_MAX.
 */
import type { Kernel } from "./kernel";
import { extremum } from "./extremum";

export const ReduceMin: Kernel = { op: "REDUCE_MIN", prepare: (node) => extremum(node, false) };
