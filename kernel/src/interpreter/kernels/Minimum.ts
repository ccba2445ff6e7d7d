/** MINIMUM: y = a < b ? a : b, broadcast; quantized operands share one scale (see `minmax.ts`). */
import { minMaxKernel } from "./minmax";

export const Minimum = minMaxKernel("MINIMUM", (a, b) => a < b);
