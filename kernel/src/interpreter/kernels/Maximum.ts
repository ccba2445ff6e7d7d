/** MAXIMUM: y = a > b ? a : b, broadcast; quantized operands share one scale (see `minmax.ts`). */
import { minMaxKernel } from "./minmax";

export const Maximum = minMaxKernel("MAXIMUM", (a, b) => a > b);
