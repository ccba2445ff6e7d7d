/**
 * `Interpreter`: runs a `.tflite` model (subgraph 0, and the subgraphs its WHILE/IF ops call)
 * with tsquant's kernels, mirroring
 * `tf.lite.Interpreter` in camelCase. Float kernels compute in float32 storage; int8 kernels
 * use TFLite's reference integer arithmetic, so their outputs equal LiteRT's reference kernels
 * (`BUILTIN_REF`) bit for bit.
 *
 * Every tensor owns its storage (no arena reuse), so every intermediate is readable after
 * `invoke()`; `preserveAllTensors` is accepted for API parity and changes nothing.
 */
import { readFileSync } from "node:fs";
import { ModelFormatError, ShapeError, UnsupportedError, UsageError } from "../errors";
import type { DType, Model, NDArray, SubGraph, TypedArray } from "../ir";
import { shapeSize } from "../ir";
import { readModel } from "../tflite/reader";
import type { SubgraphHost } from "./host";
import { SubgraphRuntime } from "./subgraph";
import type { AllocationLimits } from "./limits";
import { AllocationBudget, defaultLimits } from "./limits";
import type { RuntimeTensor } from "./tensor";
import { copyTypedArray } from "./tensor";

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
  /** Subgraph 0, the model's entry point. */
  private readonly main: SubgraphRuntime;
  /** Subgraphs other ops run (WHILE bodies, IF branches), made on first use. */
  private readonly nested = new Map<number, SubgraphRuntime>();
  private allocated = false;
  /** What kernels see of this interpreter: the other subgraphs, and the allocation budget. */
  private readonly host: SubgraphHost = {
    subgraph: (index) => this.nestedSubgraph(index),
    budget: () => this.budget,
  };
  private readonly limits: AllocationLimits;
  /** Made by `allocateTensors()` for the inputs' current sizes; nested subgraphs share it. */
  private budget: AllocationBudget | null = null;

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
    if (this.model.subgraphs.length === 0) throw new ModelFormatError("model has no subgraph");
    this.limits = limitsFor(options, this.model);
    this.main = new SubgraphRuntime(this.model, 0, this.host);
  }

  private get subgraph(): SubGraph {
    return this.main.ir;
  }

  private get tensors(): RuntimeTensor[] {
    return this.main.tensors;
  }

  /**
   * Compute every tensor's shape, allocate storage and prepare every op (validate types and
   * shapes, precompute multipliers and tables), and reset every variable tensor to zero (as
   * LiteRT does). Errors: `UnsupportedError` for an op or type without a kernel, `ShapeError`
   * for inconsistent shapes.
   */
  allocateTensors(): void {
    this.allocated = false;
    const growth = this.inputGrowth();
    this.budget = new AllocationBudget({
      maxTensorElements: this.limits.maxTensorElements,
      maxAllocatedBytes: this.limits.maxAllocatedBytes * growth,
      maxMultiplyAccumulates: this.limits.maxMultiplyAccumulates * growth,
    });
    this.main.prepare();
    this.allocated = true;
  }

  /**
   * Subgraph `index` at run time, for control-flow kernels (`Node.subgraph`). Subgraph 0 is the
   * main model and cannot be called from an op.
   */
  private nestedSubgraph(index: number): SubgraphRuntime {
    if (index === 0) {
      throw new UnsupportedError("an op calls subgraph 0 (the main model): not supported");
    }
    let sg = this.nested.get(index);
    if (sg === undefined) {
      sg = new SubgraphRuntime(this.model, index, this.host);
      this.nested.set(index, sg);
    }
    return sg;
  }

  /**
   * Set every variable tensor (an LSTM's state) back to zero — int8 ones to their zero point —
   * in every subgraph, as LiteRT's `reset_all_variables()` does. Variables otherwise keep their
   * values from one `invoke()` to the next.
   */
  resetAllVariables(): void {
    this.requireAllocated("resetAllVariables");
    this.main.resetVariables();
    for (const sg of this.nested.values()) sg.resetVariables();
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
    this.main.invoke();
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
