/**
 * What a kernel's `prepare` sees of one operator: its input and output tensors, its options,
 * typed accessors that check dtypes, and the error constructors that name the op.
 */
import { ModelFormatError, ShapeError, UnsupportedError } from "../errors";
import type { BuiltinOptions, BuiltinOptionsType } from "../ir";
import type { AllocationBudget } from "./limits";
import { DEFAULT_MAX_TENSOR_ELEMENTS, checkedSize } from "./limits";
import type { Callee, SubgraphHost } from "./host";
import type { RuntimeTensor, RuntimeQuantization } from "./tensor";
import { typedArrayFor } from "./tensor";

/** The options table of type `T`. */
export type OptionsOf<T extends BuiltinOptionsType> = Extract<BuiltinOptions, { type: T }>;

function isOptions<T extends BuiltinOptionsType>(
  options: BuiltinOptions | null,
  type: T,
): options is OptionsOf<T> {
  return options !== null && options.type === type;
}

/** Affine quantization parameters of a per-tensor quantized tensor. */
export interface Affine {
  scale: number;
  zeroPoint: number;
}

export class Node {
  constructor(
    /** Position of the operator in the subgraph's execution order. */
    readonly opIndex: number,
    readonly opName: string,
    private readonly inputTensors: readonly (RuntimeTensor | null)[],
    private readonly outputTensors: readonly RuntimeTensor[],
    private readonly builtinOptions: BuiltinOptions | null,
    /** The interpreter, for ops that run other subgraphs (WHILE, IF); null where there is none. */
    private readonly host: SubgraphHost | null = null,
    /** `Operator.intermediates` (the integer LSTM's five gate-output scales). */
    private readonly intermediateTensors: readonly RuntimeTensor[] = [],
    /** The subgraph this op belongs to (0 = main). */
    readonly subgraphIndex = 0,
    /** Checks and counts every output allocation; without one, only the per-tensor cap holds. */
    private readonly budget: AllocationBudget | null = null,
  ) {}

  /** "CONV_2D (op #3)", the prefix of every message about this op. */
  get label(): string {
    const where = this.subgraphIndex === 0 ? "" : ` in subgraph ${this.subgraphIndex}`;
    return `${this.opName} (op #${this.opIndex}${where})`;
  }

  get numOutputs(): number {
    return this.outputTensors.length;
  }

  get numIntermediates(): number {
    return this.intermediateTensors.length;
  }

  intermediate(i: number): RuntimeTensor {
    const t = this.intermediateTensors[i];
    if (t === undefined) throw new ModelFormatError(`${this.label}: intermediate ${i} is missing`);
    return t;
  }

  /** Another subgraph of the model (the body of a WHILE, a branch of an IF). */
  subgraph(index: number): Callee {
    if (this.host === null) {
      throw new UnsupportedError(`${this.label}: this executor cannot run other subgraphs`);
    }
    if (index === this.subgraphIndex) {
      throw new ModelFormatError(`${this.label}: refers to its own subgraph ${index}`);
    }
    return this.host.subgraph(index);
  }

  get numInputs(): number {
    return this.inputTensors.length;
  }

  input(i: number): RuntimeTensor {
    const t = this.inputTensors[i];
    if (t === undefined || t === null) {
      throw new ModelFormatError(`${this.label}: input ${i} is missing`);
    }
    return t;
  }

  /** An input that may be absent (index −1 in the file, or past the end of the list). */
  optionalInput(i: number): RuntimeTensor | null {
    return this.inputTensors[i] ?? null;
  }

  output(i: number): RuntimeTensor {
    const t = this.outputTensors[i];
    if (t === undefined) throw new ModelFormatError(`${this.label}: output ${i} is missing`);
    return t;
  }

  /** The op's options table, which must be of `type`. */
  options<T extends BuiltinOptionsType>(type: T): OptionsOf<T> {
    const o = this.builtinOptions;
    if (isOptions(o, type)) return o;
    throw new ModelFormatError(
      `${this.label}: expected builtin options ${type}, found ${o === null ? "none" : o.type}`,
    );
  }

  /** The op's options table if it is of `type`, else `null`. */
  optionsOrNull<T extends BuiltinOptionsType>(type: T): OptionsOf<T> | null {
    const o = this.builtinOptions;
    return isOptions(o, type) ? o : null;
  }

  /**
   * Set an output's shape and give it fresh storage of its dtype, after checking the size
   * against the interpreter's allocation limits (`ModelFormatError` naming the tensor if over).
   */
  allocateOutput(i: number, shape: number[]): RuntimeTensor {
    const t = this.output(i);
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ShapeError(
        `${this.label}: invalid shape [${shape.join(", ")}] for output '${t.name}' (#${t.index})`,
      );
    }
    const where = `${this.label}: output `;
    const size =
      this.budget === null
        ? checkedSize(t, shape, DEFAULT_MAX_TENSOR_ELEMENTS, where)
        : this.budget.reserve(t, shape, where);
    const data = typedArrayFor(t.dtype, size);
    if (data === null) throw this.unsupported();
    t.shape = shape;
    t.data = data;
    return t;
  }

  /**
   * Account for the multiply-accumulates (or window taps) per invoke of computing output `i`:
   * ops that do many per output element call this in `prepare`, so that a model with corrupt
   * shapes or options fails there with a `ModelFormatError` instead of running for minutes.
   */
  reserveWork(i: number, count: number): void {
    const t = this.output(i);
    this.budget?.reserveWork(t, t.shape, count, `${this.label}: output `);
  }

  /** The error for an op/type combination the interpreter has no kernel for. */
  unsupported(detail?: string): UnsupportedError {
    const types = (ts: readonly (RuntimeTensor | null)[]): string =>
      ts.map((t) => (t === null ? "-" : t.dtype)).join(", ");
    return new UnsupportedError(
      `${this.label} with input types [${types(this.inputTensors)}] and output types ` +
        `[${types(this.outputTensors)}] is not supported` +
        (detail === undefined ? "" : `: ${detail}`),
    );
  }

  shapeError(message: string): ShapeError {
    return new ShapeError(`${this.label}: ${message}`);
  }

  // Typed views. Each checks the dtype (and so the typed array class) without a cast.

  f32(t: RuntimeTensor): Float32Array {
    if (t.data instanceof Float32Array && t.dtype === "float32") return t.data;
    throw this.unsupported(`tensor '${t.name}' must be float32, found ${t.dtype}`);
  }

  i8(t: RuntimeTensor): Int8Array {
    if (t.data instanceof Int8Array) return t.data;
    throw this.unsupported(`tensor '${t.name}' must be int8, found ${t.dtype}`);
  }

  u8(t: RuntimeTensor): Uint8Array {
    if (t.data instanceof Uint8Array && t.dtype === "uint8") return t.data;
    throw this.unsupported(`tensor '${t.name}' must be uint8, found ${t.dtype}`);
  }

  /** int8 or uint8 data (the QUANTIZE/DEQUANTIZE edges of a model). */
  q8(t: RuntimeTensor): Int8Array | Uint8Array {
    if (t.data instanceof Int8Array) return t.data;
    if (t.data instanceof Uint8Array && t.dtype === "uint8") return t.data;
    throw this.unsupported(`tensor '${t.name}' must be int8 or uint8, found ${t.dtype}`);
  }

  i16(t: RuntimeTensor): Int16Array {
    if (t.data instanceof Int16Array) return t.data;
    throw this.unsupported(`tensor '${t.name}' must be int16, found ${t.dtype}`);
  }

  /** Signed quantized activations: int8, or int16 (16x8 models). */
  i8or16(t: RuntimeTensor): Int8Array | Int16Array {
    if (t.data instanceof Int16Array) return t.data;
    return this.i8(t);
  }

  /** Quantized activations of any width: int8, uint8 or int16 (QUANTIZE/DEQUANTIZE operands). */
  qint(t: RuntimeTensor): Int8Array | Uint8Array | Int16Array {
    if (t.data instanceof Int16Array) return t.data;
    return this.q8(t);
  }

  i32(t: RuntimeTensor): Int32Array {
    if (t.data instanceof Int32Array) return t.data;
    throw this.unsupported(`tensor '${t.name}' must be int32, found ${t.dtype}`);
  }

  /** bool data: one byte per element, 0 or 1. */
  bool(t: RuntimeTensor): Uint8Array {
    if (t.data instanceof Uint8Array && t.dtype === "bool") return t.data;
    throw this.unsupported(`tensor '${t.name}' must be bool, found ${t.dtype}`);
  }

  i64(t: RuntimeTensor): BigInt64Array {
    if (t.data instanceof BigInt64Array) return t.data;
    throw this.unsupported(`tensor '${t.name}' must be int64, found ${t.dtype}`);
  }

  /** Integer values of a small constant operand (shape, axis, paddings): int32 or int64. */
  intValues(t: RuntimeTensor): number[] {
    if (t.data instanceof Int32Array) return Array.from(t.data);
    if (t.data instanceof BigInt64Array) return Array.from(t.data, (v) => Number(v));
    throw this.unsupported(`tensor '${t.name}' must be int32 or int64, found ${t.dtype}`);
  }

  /** Per-tensor affine parameters; an error if the tensor is not quantized or is per-axis. */
  affine(t: RuntimeTensor): Affine {
    const q = t.quantization;
    if (q === null) throw this.unsupported(`tensor '${t.name}' has no quantization parameters`);
    if (q.scales.length !== 1) {
      throw this.unsupported(
        `tensor '${t.name}' must be quantized per tensor, found ${q.scales.length} scales`,
      );
    }
    return { scale: q.scales[0] ?? 0, zeroPoint: q.zeroPoints[0] ?? 0 };
  }

  /** Quantization parameters of a tensor that must be quantized (per tensor or per axis). */
  quantization(t: RuntimeTensor): RuntimeQuantization {
    if (t.quantization === null) {
      throw this.unsupported(`tensor '${t.name}' has no quantization parameters`);
    }
    return t.quantization;
  }

  /** Check a rank, naming the tensor and both ranks. */
  expectRank(t: RuntimeTensor, rank: number): void {
    if (t.shape.length !== rank) {
      throw this.shapeError(
        `tensor '${t.name}' must have rank ${rank}, found shape [${t.shape.join(", ")}]`,
      );
    }
  }
}
