/**
 * `Interpreter`: runs a `.tflite` model (subgraph 0) with tsquant's kernels, mirroring
 * `tf.lite.Interpreter` in camelCase. Float kernels compute in float32 storage; int8 kernels
 * use TFLite's reference integer arithmetic, so their outputs equal LiteRT's reference kernels
 * (`BUILTIN_REF`) bit for bit.
 *
 * Every tensor owns its storage (no arena reuse), so every intermediate is readable after
 * `invoke()`; `preserveAllTensors` is accepted for API parity and changes nothing.
 */
import { readFileSync } from "node:fs";
import { ModelFormatError, ShapeError, UsageError } from "../errors";
import type { DType, Model, NDArray, SubGraph, TypedArray } from "../ir";
import { opName, shapeSize } from "../ir";
import { readModel } from "../tflite/reader";
import type { Eval } from "./kernels/kernel";
import { kernelFor } from "./kernels/registry";
import type { AllocationLimits } from "./limits";
import { AllocationBudget, defaultLimits } from "./limits";
import { Node } from "./node";
import type { RuntimeTensor } from "./tensor";
import { copyTypedArray, runtimeTensors, typedArrayFor } from "./tensor";

export interface InterpreterOptions {
  /** The bytes of a `.tflite` file. */
  modelContent?: Uint8Array;
  /** Path of a `.tflite` file. */
  modelPath?: string;
  /** An IR model (the converter hands its output over without serializing it). */
  model?: Model;
  /** Accepted for parity with `tf.lite.Interpreter`; every tensor is always kept. */
  preserveAllTensors?: boolean;
  /**
   * Most elements any one tensor may have (default 2^28). A larger tensor fails
   * `allocateTensors()` with a `ModelFormatError` naming it, before anything is allocated for it.
   */
  maxTensorElements?: number;
  /**
   * Most bytes `allocateTensors()` may allocate in all (default max(256 MiB, 64 × the model's
   * size)); scaled up by the growth of the inputs after `resizeTensorInput`.
   */
  maxAllocatedBytes?: number;
  /**
   * Most multiply-accumulates one `invoke()` may do in convolutions, fully connected layers and
   * pooling windows (default max(2^23, 128 × the model's size)); scaled like maxAllocatedBytes.
   */
  maxMultiplyAccumulates?: number;
}

/** What `getInputDetails()` / `getTensorDetails()` report for one tensor. */
export interface TensorDetails {
  name: string;
  index: number;
  shape: number[];
  shapeSignature: number[];
  dtype: DType;
  /** Per-tensor [scale, zeroPoint]; [0, 0] for float tensors (as TF reports). */
  quantization: [number, number];
  quantizationParameters: {
    scales: Float32Array;
    zeroPoints: Int32Array;
    quantizedDimension: number;
  };
}

export class Interpreter {
  readonly model: Model;
  private readonly subgraph: SubGraph;
  private readonly tensors: RuntimeTensor[];
  private evals: Eval[] = [];
  /** Indices of the tensors whose data comes from a model buffer. */
  private readonly fromBuffer = new Set<number>();
  private allocated = false;
  private readonly limits: AllocationLimits;

  constructor(options: InterpreterOptions) {
    const sources = [options.modelContent, options.modelPath, options.model].filter(
      (s) => s !== undefined,
    );
    if (sources.length !== 1) {
      throw new UsageError(
        `Interpreter: pass exactly one of modelContent, modelPath or model, found ${sources.length}`,
      );
    }
    if (options.model !== undefined) this.model = options.model;
    else if (options.modelContent !== undefined) this.model = readModel(options.modelContent);
    else this.model = readModel(readModelFile(options.modelPath ?? ""));
    const subgraph = this.model.subgraphs[0];
    if (subgraph === undefined) throw new ModelFormatError("model has no subgraph");
    this.subgraph = subgraph;
    this.limits = limitsFor(options, this.model);
    this.tensors = runtimeTensors(this.model, subgraph, this.fromBuffer);
  }

  /**
   * Compute every tensor's shape, allocate storage and prepare every op (validate types and
   * shapes, precompute multipliers and tables). Errors: `UnsupportedError` for an op or type
   * without a kernel, `ShapeError` for inconsistent shapes.
   */
  allocateTensors(): void {
    const produced = new Set<number>();
    for (const t of this.tensors) t.isConstant = this.fromBuffer.has(t.index);
    const growth = this.inputGrowth();
    const budget = new AllocationBudget({
      maxTensorElements: this.limits.maxTensorElements,
      maxAllocatedBytes: this.limits.maxAllocatedBytes * growth,
      maxMultiplyAccumulates: this.limits.maxMultiplyAccumulates * growth,
    });
    for (const i of this.subgraph.inputs) this.allocate(this.tensor(i), budget);
    const evals: Eval[] = [];
    this.subgraph.operators.forEach((op, opIndex) => {
      const code = this.model.operatorCodes[op.opcodeIndex];
      if (code === undefined) {
        throw new ModelFormatError(
          `op #${opIndex} refers to missing operator code ${op.opcodeIndex}`,
        );
      }
      const name = code.customCode ?? opName(code.builtinCode);
      const node = new Node(
        opIndex,
        name,
        op.inputs.map((i) => (i < 0 ? null : this.tensor(i))),
        op.outputs.map((i) => this.tensor(i)),
        op.builtinOptions,
        budget,
      );
      const kernel = code.customCode === null ? kernelFor(code.builtinCode) : undefined;
      if (kernel === undefined) throw node.unsupported();
      const run = kernel.prepare(node);
      for (const o of op.outputs) produced.add(o);
      // An op whose inputs are all constants (DEQUANTIZE of float16 or int8 weights, RESHAPE of
      // a constant) runs once, here, as in TFLite, so that its consumers' prepare sees values.
      const constantInputs = op.inputs.every((i) => i < 0 || this.tensor(i).isConstant);
      if (constantInputs && op.inputs.length > 0) {
        run();
        for (const o of op.outputs) this.tensor(o).isConstant = true;
      } else {
        evals.push(run);
      }
    });
    // Tensors nothing writes (unused, or variables): zero storage of their declared shape.
    for (const t of this.tensors) {
      if (!t.isConstant && !produced.has(t.index) && !this.subgraph.inputs.includes(t.index)) {
        this.allocate(t, budget);
      }
    }
    this.evals = evals;
    this.allocated = true;
  }

  /** Change an input's shape (e.g. its batch dimension); call `allocateTensors()` again after. */
  resizeTensorInput(index: number, shape: readonly number[]): void {
    const t = this.tensor(index);
    if (!this.subgraph.inputs.includes(index)) {
      throw new UsageError(
        `resizeTensorInput: tensor '${t.name}' (#${index}) is not a model input`,
      );
    }
    if (shape.length !== t.shape.length || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ShapeError(
        `resizeTensorInput: input '${t.name}' has rank ${t.shape.length}, ` +
          `found shape [${shape.join(", ")}]`,
      );
    }
    const signature = t.shapeSignature;
    shape.forEach((d, i) => {
      const fixed = signature?.[i];
      if (signature !== null && fixed !== undefined && fixed !== -1 && fixed !== d && i !== 0) {
        throw new ShapeError(
          `resizeTensorInput: dimension ${i} of input '${t.name}' is fixed at ${fixed}, found ${d}`,
        );
      }
    });
    t.shape = [...shape];
    this.allocated = false;
  }

  /** Copy `value` into a tensor; its dtype and size (or shape, for an NDArray) must match. */
  setTensor(index: number, value: TypedArray | NDArray): void {
    this.requireAllocated("setTensor");
    const t = this.tensor(index);
    if (t.isConstant)
      throw new UsageError(`setTensor: tensor '${t.name}' (#${index}) is a constant`);
    const data = ArrayBuffer.isView(value) ? value : value.data;
    if (!ArrayBuffer.isView(value) && !sameShape(value.shape, t.shape)) {
      throw new ShapeError(
        `setTensor: tensor '${t.name}' (#${index}) has shape [${t.shape.join(", ")}], ` +
          `found [${value.shape.join(", ")}]`,
      );
    }
    if (data.constructor !== t.data.constructor) {
      throw new ShapeError(
        `setTensor: tensor '${t.name}' (#${index}) holds ${t.dtype} (${t.data.constructor.name}), ` +
          `found ${data.constructor.name}`,
      );
    }
    if (data.length !== t.data.length) {
      throw new ShapeError(
        `setTensor: tensor '${t.name}' (#${index}) of shape [${t.shape.join(", ")}] needs ` +
          `${t.data.length} elements, found ${data.length}`,
      );
    }
    new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
  }

  /** Run every op once, in order. */
  invoke(): void {
    this.requireAllocated("invoke");
    for (const run of this.evals) run();
  }

  /** A copy of a tensor's current value. */
  getTensor(index: number): NDArray {
    this.requireAllocated("getTensor");
    const t = this.tensor(index);
    return { data: copyTypedArray(t.data), shape: [...t.shape], dtype: t.dtype };
  }

  getInputDetails(): TensorDetails[] {
    return this.subgraph.inputs.map((i) => this.details(this.tensor(i)));
  }

  getOutputDetails(): TensorDetails[] {
    return this.subgraph.outputs.map((i) => this.details(this.tensor(i)));
  }

  getTensorDetails(): TensorDetails[] {
    return this.tensors.map((t) => this.details(t));
  }

  /** Number of ops in execution order (for per-layer tools). */
  get numOperators(): number {
    return this.subgraph.operators.length;
  }

  private details(t: RuntimeTensor): TensorDetails {
    const q = t.quantization;
    return {
      name: t.name,
      index: t.index,
      shape: [...t.shape],
      shapeSignature: [...(t.shapeSignature ?? t.shape)],
      dtype: t.dtype,
      quantization: q === null ? [0, 0] : [q.scales[0] ?? 0, q.zeroPoints[0] ?? 0],
      quantizationParameters: {
        scales: Float32Array.from(q?.scales ?? []),
        zeroPoints: Int32Array.from(q?.zeroPoints ?? []),
        quantizedDimension: q?.quantizedDimension ?? 0,
      },
    };
  }

  private tensor(index: number): RuntimeTensor {
    const t = this.tensors[index];
    if (t === undefined) {
      throw new UsageError(`no tensor #${index}; the model has ${this.tensors.length} tensors`);
    }
    return t;
  }

  /**
   * How much larger the inputs are than declared in the model (≥ 1): the factor by which
   * `resizeTensorInput` grew the work, and with it the allocation budget.
   */
  private inputGrowth(): number {
    let growth = 1;
    for (const i of this.subgraph.inputs) {
      const t = this.tensor(i);
      const declared = shapeSize(t.declaredShape);
      if (declared > 0) growth = Math.max(growth, shapeSize(t.shape) / declared);
    }
    return growth;
  }

  private allocate(t: RuntimeTensor, budget: AllocationBudget): void {
    const data = typedArrayFor(t.dtype, budget.reserve(t, t.shape));
    if (data === null) {
      throw new ModelFormatError(`tensor '${t.name}' (#${t.index}): cannot allocate ${t.dtype}`);
    }
    t.data = data;
  }

  private requireAllocated(method: string): void {
    if (!this.allocated) {
      throw new UsageError(`${method}: call allocateTensors() first (and after resizeTensorInput)`);
    }
  }
}

/** The options' limits, else the defaults for the model's size (its file, or its buffers). */
function limitsFor(options: InterpreterOptions, model: Model): AllocationLimits {
  let modelBytes = options.modelContent?.byteLength ?? 0;
  if (options.modelContent === undefined) {
    for (const b of model.buffers) modelBytes += b.data?.byteLength ?? 0;
  }
  const defaults = defaultLimits(modelBytes);
  const limits = {
    maxTensorElements: options.maxTensorElements ?? defaults.maxTensorElements,
    maxAllocatedBytes: options.maxAllocatedBytes ?? defaults.maxAllocatedBytes,
    maxMultiplyAccumulates: options.maxMultiplyAccumulates ?? defaults.maxMultiplyAccumulates,
  };
  for (const [key, value] of Object.entries(limits)) {
    if (!(value > 0)) throw new UsageError(`Interpreter: ${key} must be > 0, found ${value}`);
  }
  return limits;
}

function readModelFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new UsageError(`Interpreter: cannot read model file '${path}'`, { cause });
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
