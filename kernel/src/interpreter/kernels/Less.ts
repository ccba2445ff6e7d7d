/** LESS: y = a < b, broadcast, bool output; int8/uint8 compare real values (see `compare.ts`). */
import { comparisonKernel, ORDER_TYPES } from "./compare";

export const Less = comparisonKernel("LESS", (a, b) => a < b, ORDER_TYPES);
