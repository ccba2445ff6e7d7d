/** LOGICAL_AND: y = a ∧ b on bool tensors, broadcast. */
import { logicalKernel } from "./logical";

export const LogicalAnd = logicalKernel("LOGICAL_AND", (a, b) => a && b);
