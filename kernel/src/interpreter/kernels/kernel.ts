/**
 * The kernel contract: `prepare` validates the op's tensors and options, computes and allocates
 * its outputs, precomputes multipliers, shifts, clamp ranges and tables, and returns `eval`, a
 * plain loop over typed arrays with nothing left to check.
 */
import type { BuiltinOpName } from "../../ir";
import type { Node } from "../node";

export type Eval = () => void;

export interface Kernel {
  readonly op: BuiltinOpName;
  prepare(node: Node): Eval;
}
