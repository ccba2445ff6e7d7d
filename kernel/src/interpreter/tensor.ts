/**
 * Run-time tensors: an IR tensor plus its current shape and its data, and the helpers that turn
 * a `.tflite` buffer or a dtype into a typed array.
 */
import { ModelFormatError, UnsupportedError } from "../errors";
import type { DType, Model, Quantization, SubGraph, Tensor, TypedArray } from "../ir";
import { shapeSize } from "../ir";

/** Affine quantization of a tensor: real = scale · (q − zeroPoint), per tensor or per `axis`. */
export interface RuntimeQuantization {
  scales: number[];
  zeroPoints: number[];
  quantizedDimension: number;
}

export interface RuntimeTensor {
  readonly index: number;
  readonly name: string;
  readonly dtype: DType;
  shape: number[];
  /** The shape written in the model file (before any resize). */
  readonly declaredShape: readonly number[];
  readonly shapeSignature: number[] | null;
  data: TypedArray;
  /**
   * Holds a model buffer (weights, biases, shape operands), or is computed once at
   * `allocateTensors()` from constants only (e.g. DEQUANTIZE of float16 weights).
   */
  isConstant: boolean;
  /**
   * A variable (`is_variable` in the file, e.g. an LSTM's state): written by an op, kept
   * between invokes, reset to zero by `allocateTensors()` and `resetAllVariables()`.
   */
  readonly isVariable: boolean;
  /** `null` for float tensors (no scale). */
  readonly quantization: RuntimeQuantization | null;
}

/** A fresh zero-filled typed array for `size` elements of `dtype`; `null` if tsquant has none. */
export function typedArrayFor(dtype: DType, size: number): TypedArray | null {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "int16":
      return new Int16Array(size);
    case "int8":
      return new Int8Array(size);
    case "uint8":
    case "bool":
      return new Uint8Array(size);
    case "float16":
    case "uint16":
      return new Uint16Array(size);
    case "uint32":
      return new Uint32Array(size);
    case "int64":
      return new BigInt64Array(size);
    case "bfloat16":
    case "complex64":
    case "complex128":
    case "uint64":
    case "string":
    case "resource":
    case "variant":
    case "int4":
    case "int2":
    case "uint4":
    case "float8_e4m3fn":
    case "float8_e5m2":
      return null;
    default:
      return dtype satisfies never;
  }
}

/** A copy of a typed array of the same element type. */
export function copyTypedArray(a: TypedArray): TypedArray {
  if (a instanceof Float32Array) return a.slice();
  if (a instanceof Float64Array) return a.slice();
  if (a instanceof Int32Array) return a.slice();
  if (a instanceof Int16Array) return a.slice();
  if (a instanceof Int8Array) return a.slice();
  if (a instanceof Uint8Array) return a.slice();
  if (a instanceof Uint16Array) return a.slice();
  if (a instanceof Uint32Array) return a.slice();
  return a.slice();
}

/** The quantization of an IR tensor, or `null` when it has no scale (float tensors). */
export function readQuantization(tensor: Tensor): RuntimeQuantization | null {
  const q: Quantization | null = tensor.quantization;
  if (q === null || q.scale === null || q.scale.length === 0) return null;
  const zeroPoints = q.zeroPoint ?? [];
  if (zeroPoints.length !== q.scale.length) {
    throw new ModelFormatError(
      `tensor '${tensor.name}': ${q.scale.length} scales but ${zeroPoints.length} zero points`,
    );
  }
  return { scales: q.scale, zeroPoints, quantizedDimension: q.quantizedDimension };
}

/**
 * The data of a constant tensor, decoded from its little-endian buffer bytes. The bytes are
 * copied (a FlatBuffer's data need not be aligned for the element type).
 */
export function decodeBuffer(tensor: Tensor, bytes: Uint8Array): TypedArray {
  const size = shapeSize(tensor.shape);
  const empty = typedArrayFor(tensor.type, 0);
  if (empty === null) {
    throw new UnsupportedError(
      `tensor '${tensor.name}': constant of type ${tensor.type} is not supported by the interpreter`,
    );
  }
  const expectedBytes = size * empty.BYTES_PER_ELEMENT;
  if (bytes.byteLength !== expectedBytes) {
    throw new ModelFormatError(
      `tensor '${tensor.name}': buffer holds ${bytes.byteLength} bytes, expected ${expectedBytes} ` +
        `for shape [${tensor.shape.join(", ")}] of ${tensor.type}`,
    );
  }
  const aligned = bytes.slice().buffer;
  if (empty instanceof Float32Array) return new Float32Array(aligned);
  if (empty instanceof Float64Array) return new Float64Array(aligned);
  if (empty instanceof Int32Array) return new Int32Array(aligned);
  if (empty instanceof Int16Array) return new Int16Array(aligned);
  if (empty instanceof Int8Array) return new Int8Array(aligned);
  if (empty instanceof Uint16Array) return new Uint16Array(aligned);
  if (empty instanceof Uint32Array) return new Uint32Array(aligned);
  if (empty instanceof BigInt64Array) return new BigInt64Array(aligned);
  return new Uint8Array(aligned);
}

/**
 * The runtime tensors of `subgraph`: constants decoded from their buffers, every other tensor
 * empty until prepared. `constants` receives the index of each tensor read from a buffer.
 * Errors: `ModelFormatError` for a tensor whose buffer index is out of range.
 */
export function runtimeTensors(
  model: Model,
  subgraph: SubGraph,
  constants: Set<number>,
): RuntimeTensor[] {
  return subgraph.tensors.map((t, index) => {
    const buffer = t.buffer === 0 ? undefined : model.buffers[t.buffer];
    if (t.buffer !== 0 && buffer === undefined) {
      throw new ModelFormatError(
        `tensor '${t.name}' (#${index}) refers to buffer ${t.buffer}, but the model has ` +
          `${model.buffers.length} buffers`,
      );
    }
    const bytes = buffer?.data ?? null;
    // A variable's buffer is not a constant: LiteRT ignores it and starts the state at zero.
    const isConstant = bytes !== null && bytes.byteLength > 0 && !t.isVariable;
    if (isConstant) constants.add(index);
    return {
      index,
      name: t.name,
      dtype: t.type,
      shape: [...t.shape],
      declaredShape: [...t.shape],
      shapeSignature: t.shapeSignature,
      data: isConstant ? decodeBuffer(t, bytes) : new Float32Array(0),
      isConstant,
      isVariable: t.isVariable,
      quantization: readQuantization(t),
    };
  });
}
