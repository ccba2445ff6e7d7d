/**
 * Allocation limits: every tensor the interpreter allocates is checked against them first, so a
 * model whose shapes are corrupt or hostile (a dimension of 2^31 − 1, a RESHAPE to a huge shape,
 * a PAD with huge paddings) fails with a `ModelFormatError` naming the tensor and its shape
 * instead of a `RangeError` from a typed-array constructor, an out-of-memory crash, or an invoke
 * that runs for minutes.
 *
 * Three caps:
 * - `maxTensorElements`: elements of any one tensor (default 2^28, i.e. 1 GiB of float32);
 * - `maxAllocatedBytes`: bytes of all the storage one `allocateTensors()` gives out (inputs,
 *   activations, outputs, constants folded at allocation; not the model's own buffers, which the
 *   file bounds). Default max(16 MiB, 16 × the model's bytes): with every tensor keeping its own
 *   storage (no arena), the total is also a fair proxy for the work of the element-wise ops;
 * - `maxMultiplyAccumulates`: the work per invoke of the ops that do many multiply-accumulates
 *   per output element (convolutions, fully connected, pooling windows), counted in their
 *   `prepare`. Default max(2^23, 128 × the model's bytes).
 * With the defaults a model of ≤ 100 kB allocates ≤ 16 MiB and invokes in a fraction of a second.
 * The two totals are multiplied by the growth of the inputs after `resizeTensorInput` (a batch of
 * 32 gets 32 × the budget of the declared batch of 1), since the caller asked for that size.
 */
import { ModelFormatError } from "../errors";
import type { DType } from "../ir";
import { dtypeByteSize, shapeSize } from "../ir";

export interface AllocationLimits {
  /** Most elements one tensor may have. */
  maxTensorElements: number;
  /** Most bytes all tensors allocated by `allocateTensors()` may take together. */
  maxAllocatedBytes: number;
  /**
   * Most multiply-accumulates (or window taps) one `invoke()` may do in the ops that do more
   * than a few per output element: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and pooling.
   */
  maxMultiplyAccumulates: number;
}

/** Default cap on the elements of one tensor: 2^28 (1 GiB of float32). */
export const DEFAULT_MAX_TENSOR_ELEMENTS = 2 ** 28;
/** Least default total budget: 16 MiB. */
export const MIN_DEFAULT_ALLOCATED_BYTES = 16 * 2 ** 20;
/** The default total budget per byte of model. */
export const ALLOCATED_BYTES_PER_MODEL_BYTE = 16;

/**
 * Least default multiply-accumulates per invoke: 2^23, a few tenths of a second for the reference
 * kernels (≈ 30–60 million per second on a loaded x86-64 core).
 */
export const MIN_DEFAULT_MULTIPLY_ACCUMULATES = 2 ** 23;
/**
 * The default multiply-accumulates per invoke per byte of model. Image models do roughly 20–100
 * per byte of weights at batch 1 (the MNIST CNN fixture ≈ 30, MobileNetV2 float ≈ 21 and int8
 * ≈ 86); ResNet-50 int8 (≈ 160) or models with few weights and large images need a larger limit.
 */
export const MULTIPLY_ACCUMULATES_PER_MODEL_BYTE = 128;

/** The default limits for a model of `modelBytes` bytes. */
export function defaultLimits(modelBytes: number): AllocationLimits {
  return {
    maxTensorElements: DEFAULT_MAX_TENSOR_ELEMENTS,
    maxAllocatedBytes: Math.max(
      MIN_DEFAULT_ALLOCATED_BYTES,
      ALLOCATED_BYTES_PER_MODEL_BYTE * modelBytes,
    ),
    maxMultiplyAccumulates: Math.max(
      MIN_DEFAULT_MULTIPLY_ACCUMULATES,
      MULTIPLY_ACCUMULATES_PER_MODEL_BYTE * modelBytes,
    ),
  };
}

/** A tensor as the budget names it in messages. */
export interface NamedTensor {
  readonly index: number;
  readonly name: string;
  readonly dtype: DType;
}

/** "tensor 'x' (#3) of shape [1, 2] (float32)" */
function describe(t: NamedTensor, shape: readonly number[]): string {
  return `tensor '${t.name}' (#${t.index}) of shape [${shape.join(", ")}] (${t.dtype})`;
}

/**
 * Checks a shape before anything is allocated for it: integer dimensions ≥ 0 and at most
 * `maxTensorElements` elements (the product is checked as it grows, so no overflow hides a huge
 * size). Returns the element count.
 */
export function checkedSize(
  t: NamedTensor,
  shape: readonly number[],
  maxTensorElements: number,
  where = "",
): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ModelFormatError(`${where}${describe(t, shape)}: dimension ${d} is not a size`);
    }
    n *= d;
    if (n > maxTensorElements) {
      // Keep multiplying only to report the true size (exact unless above 2^53).
      const total = shapeSize(shape);
      throw new ModelFormatError(
        `${where}${describe(t, shape)} has ${total} elements, over the interpreter's limit of ` +
          `${maxTensorElements} elements per tensor (option maxTensorElements)`,
      );
    }
  }
  return n;
}

/** The running total of one `allocateTensors()` call against the limits. */
export class AllocationBudget {
  private used = 0;
  private work = 0;

  constructor(readonly limits: AllocationLimits) {}

  /** Bytes handed out so far. */
  get allocatedBytes(): number {
    return this.used;
  }

  /**
   * Accounts for storage of `shape` for tensor `t`, or throws `ModelFormatError` naming the
   * tensor, its shape and the limit it would exceed. Returns the element count.
   */
  reserve(t: NamedTensor, shape: readonly number[], where = ""): number {
    const size = checkedSize(t, shape, this.limits.maxTensorElements, where);
    const bytes = size * (dtypeByteSize(t.dtype) ?? 1);
    if (this.used + bytes > this.limits.maxAllocatedBytes) {
      throw new ModelFormatError(
        `${where}${describe(t, shape)} needs ${bytes} bytes, but ${this.used} of the ` +
          `interpreter's ${this.limits.maxAllocatedBytes} bytes are already allocated ` +
          `(option maxAllocatedBytes)`,
      );
    }
    this.used += bytes;
    return size;
  }

  /**
   * Accounts for `count` multiply-accumulates per invoke that an op does to compute tensor `t`
   * of `shape`, or throws `ModelFormatError` naming the tensor and the limit.
   */
  reserveWork(t: NamedTensor, shape: readonly number[], count: number, where = ""): void {
    if (!(this.work + count <= this.limits.maxMultiplyAccumulates)) {
      throw new ModelFormatError(
        `${where}${describe(t, shape)} takes ${count} multiply-accumulates per invoke, but ` +
          `${this.work} of the interpreter's ${this.limits.maxMultiplyAccumulates} are already ` +
          `used (option maxMultiplyAccumulates)`,
      );
    }
    this.work += count;
  }
}
