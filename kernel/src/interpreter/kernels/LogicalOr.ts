/** LOGICAL_OR: y = a ∨ b on bool tensors, broadcast. */
import { logicalKernel } from "./logical";

export const LogicalOr = logicalKernel("LOGICAL_OR", (a, b) => a || b);
