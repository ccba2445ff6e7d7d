/** NOT_EQUAL: y = a !== b, broadcast, bool output; int8/uint8 compare real values (see `compare.ts`). */
import { comparisonKernel, EQUALITY_TYPES } from "./compare";

export const NotEqual = comparisonKernel("NOT_EQUAL", (a, b) => a !== b, EQUALITY_TYPES, "scaled");
