/**
 * REDUCE_MAX: the largest element over the axes of the 2nd input (see reduce.ts); any of
 * float32, int32, int64, int8, uint8, int16, bool. Quantized input and output must share scale
 * and zero point (LiteRT requires it): the raw maximum is the output.
 */
import type { Kernel } from "./kernel";
import { extremum } from "./extremum";

export const ReduceMax: Kernel = { op: "REDUCE_MAX", prepare: (node) => extremum(node, true) };
