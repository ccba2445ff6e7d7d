/**
 * What a kernel may ask of the interpreter beyond its own operands: another subgraph of the same
 * model (WHILE bodies, IF branches) and the allocation budget. Interfaces only, so that `node.ts`
 * and the kernels depend on this file and not on `subgraph.ts`, which runs them.
 */
import type { AllocationBudget } from "./limits";
import type { RuntimeTensor } from "./tensor";

/** Another subgraph as a control-flow kernel sees it (`SubgraphRuntime` implements it). */
export interface Callee {
  /** Position in `model.subgraphs`. */
  readonly index: number;
  readonly inputs: RuntimeTensor[];
  readonly outputs: RuntimeTensor[];
  /** Allocate and prepare for the inputs' current dtypes and shapes. */
  prepare(): void;
  /** Run every op once, in order. */
  invoke(): void;
}

export interface SubgraphHost {
  subgraph(index: number): Callee;
  /** The allocation and work budget of the current `allocateTensors()` (limits.ts). */
  budget(): AllocationBudget | null;
}
