/**
 * One subgraph of a model at run time: its tensors, its prepared ops, and the variable tensors
 * whose values persist between invokes. The `Interpreter` runs subgraph 0; control-flow kernels
 * (WHILE, IF) run the others through `Node.subgraph(index)`.
 */
import { ModelFormatError, UnsupportedError } from "../errors";
import type { Model, SubGraph } from "../ir";
import { opName, shapeSize } from "../ir";
import type { Eval } from "./kernels/kernel";
import { kernelFor } from "./kernels/registry";
import type { Callee, SubgraphHost } from "./host";
import { Node } from "./node";
import type { RuntimeTensor } from "./tensor";
import { runtimeTensors, typedArrayFor } from "./tensor";

export class SubgraphRuntime implements Callee {
  readonly ir: SubGraph;
  readonly tensors: RuntimeTensor[];
  private evals: Eval[] = [];
  /** Indices of the tensors whose data comes from a model buffer. */
  private readonly fromBuffer = new Set<number>();
  /** True while `prepare` runs: a subgraph that (indirectly) calls itself is refused. */
  private preparing = false;
  private prepared = false;

  constructor(
    private readonly model: Model,
    /** Position in `model.subgraphs` (0 = the main model). */
    readonly index: number,
    private readonly host: SubgraphHost,
  ) {
    const ir = model.subgraphs[index];
    if (ir === undefined) {
      throw new ModelFormatError(
        `subgraph ${index} does not exist; the model has ${model.subgraphs.length} subgraphs`,
      );
    }
    this.ir = ir;
    this.tensors = runtimeTensors(model, ir, this.fromBuffer);
  }

  get inputs(): RuntimeTensor[] {
    return this.ir.inputs.map((i) => this.tensor(i));
  }

  get outputs(): RuntimeTensor[] {
    return this.ir.outputs.map((i) => this.tensor(i));
  }

  get isPrepared(): boolean {
    return this.prepared;
  }

  tensor(index: number): RuntimeTensor {
    const t = this.tensors[index];
    if (t === undefined) {
      throw new ModelFormatError(
        `subgraph ${this.index}: no tensor #${index}; it has ${this.tensors.length} tensors`,
      );
    }
    return t;
  }

  /**
   * Give the inputs storage of their current shapes, compute every tensor's shape and prepare
   * every op (ops on constants only run here, once). Variable tensors are reset to zero, as
   * LiteRT's AllocateTensors does.
   */
  prepare(): void {
    if (this.preparing) {
      throw new UnsupportedError(
        `subgraph ${this.index} invokes itself (recursion through WHILE/IF) — not supported`,
      );
    }
    this.preparing = true;
    this.prepared = false;
    try {
      this.prepareOps();
    } finally {
      this.preparing = false;
    }
    this.prepared = true;
  }

  private prepareOps(): void {
    const produced = new Set<number>();
    for (const t of this.tensors) t.isConstant = this.fromBuffer.has(t.index);
    for (const i of this.ir.inputs) this.allocate(this.tensor(i));
    // Variables first: an op reading a state (LSTM) sees its storage at prepare.
    for (const t of this.tensors) if (t.isVariable) this.allocate(t);
    const evals: Eval[] = [];
    this.ir.operators.forEach((op, opIndex) => {
      const code = this.model.operatorCodes[op.opcodeIndex];
      if (code === undefined) {
        throw new ModelFormatError(
          `${this.where}op #${opIndex} refers to missing operator code ${op.opcodeIndex}`,
        );
      }
      const name = code.customCode ?? opName(code.builtinCode);
      const node = new Node(
        opIndex,
        name,
        op.inputs.map((i) => (i < 0 ? null : this.tensor(i))),
        op.outputs.map((i) => this.tensor(i)),
        op.builtinOptions,
        this.host,
        (op.intermediates ?? []).map((i) => this.tensor(i)),
        this.index,
        this.host.budget(),
      );
      const kernel = code.customCode === null ? kernelFor(code.builtinCode) : undefined;
      if (kernel === undefined) throw node.unsupported();
      const run = kernel.prepare(node);
      for (const o of op.outputs) produced.add(o);
      // An op whose inputs are all constants (DEQUANTIZE of float16 or int8 weights, RESHAPE of
      // a constant) runs once, here, as in TFLite, so that its consumers' prepare sees values.
      // Not an op that writes a variable (its inputs are then not all constant anyway).
      const constantInputs = op.inputs.every((i) => i < 0 || this.tensor(i).isConstant);
      if (constantInputs && op.inputs.length > 0) {
        run();
        for (const o of op.outputs) this.tensor(o).isConstant = true;
      } else {
        evals.push(run);
      }
    });
    // Tensors nothing writes (unused, or scratch): zero storage of their declared shape.
    for (const t of this.tensors) {
      if (
        !t.isConstant &&
        !t.isVariable &&
        !produced.has(t.index) &&
        !this.ir.inputs.includes(t.index)
      ) {
        this.allocate(t);
      }
    }
    this.evals = evals;
  }

  /** Run every op once, in order. */
  invoke(): void {
    for (const run of this.evals) run();
  }

  /**
   * Set every variable tensor to zero (int8: to its zero point), as LiteRT's
   * `ResetVariableTensors` does; a variable's buffer in the file, if any, is not used.
   */
  resetVariables(): void {
    for (const t of this.tensors) {
      if (!t.isVariable) continue;
      // In place: kernels hold the typed arrays they were prepared with.
      if (t.data instanceof Int8Array) t.data.fill(t.quantization?.zeroPoints[0] ?? 0);
      else new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).fill(0);
    }
  }

  /** "subgraph 2 " for error messages about a nested subgraph, "" for the main one. */
  private get where(): string {
    return this.index === 0 ? "" : `subgraph ${this.index} `;
  }

  private allocate(t: RuntimeTensor): void {
    const budget = this.host.budget();
    const n = budget === null ? shapeSize(t.shape) : budget.reserve(t, t.shape);
    const data = typedArrayFor(t.dtype, n);
    if (data === null) {
      throw new ModelFormatError(
        `${this.where}tensor '${t.name}' (#${t.index}): cannot allocate ${t.dtype}`,
      );
    }
    if (t.isVariable && data instanceof Int8Array) data.fill(t.quantization?.zeroPoints[0] ?? 0);
    t.data = data;
  }
}
