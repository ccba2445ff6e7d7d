/**
 * STRIDED_SLICE: numpy-style `input[b₀:e₀:s₀, …]` with begin/end/strides from int32 inputs and
 * the masks of StridedSliceOptions, as LiteRT's reference kernel (strided_slice.cc with
 * strided_slice_logic.h) computes it.
 *
 * The spec (one entry per begin/end/strides element) is first expanded to the "effective" input:
 * - ellipsis_mask bit i: entry i stands for as many full-range axes as the input has beyond the
 *   spec (at least one); later entries move right accordingly;
 * - new_axis_mask bit i (not also an ellipsis): a new axis of size 1 is inserted there (range 0:1);
 * - axes past the spec take their full range.
 * Then per effective axis of size d with stride s ≠ 0:
 * - start = begin (begin_mask: −∞ if s > 0, +∞ if s < 0); negative → + d; clamped to [0, d] if
 *   s > 0, [−1, d − 1] if s < 0 (d = 0 gives start 0);
 * - stop = end (+ start when `offset`); negative → + d; clamped likewise; end_mask: d if s > 0,
 *   −1 if s < 0; shrink_axis_mask: stop = start + 1 and the axis is dropped from the output;
 * - size = ⌈(stop − start) / s⌉, 0 when the range is empty (sign of stop − start ≠ sign of s).
 * Elements are gathered through an index map built in prepare; any dtype of 1, 2, 4 or 8 bytes.
 */
import type { BuiltinOptions } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import type { Eval, Kernel } from "./kernel";
import { strides as rowStrides } from "./layout";

type StridedSliceOptions = Extract<BuiltinOptions, { type: "StridedSliceOptions" }>;

/** The slice of each effective input axis and the resulting output shape. */
export interface SlicePlan {
  /** Input shape with the new axes (size 1) inserted. */
  effectiveShape: number[];
  start: number[];
  stop: number[];
  stride: number[];
  /** Elements along each effective axis (1 for a shrunk axis). */
  size: number[];
  /** Output shape: `size` without the shrunk axes. */
  outputShape: number[];
}

const bit = (mask: number, i: number): boolean => ((mask >>> i) & 1) === 1;

/**
 * The slice plan of `input[spec]`; throws `Error` with a message for the caller to wrap. Exported
 * for tests.
 */
export function planStridedSlice(
  inputShape: readonly number[],
  begin: readonly number[],
  end: readonly number[],
  strides: readonly number[],
  o: Omit<StridedSliceOptions, "type">,
): SlicePlan {
  const count = begin.length;
  if (end.length !== count || strides.length !== count) {
    throw new Error(
      `begin, end and strides must have the same length, found ${count}, ${end.length}, ${strides.length}`,
    );
  }
  if (count > 31) throw new Error(`at most 31 indices are supported, found ${count}`);
  const rank = inputShape.length;
  let numNewAxes = 0;
  for (let i = 0; i < count; i++) {
    if (!bit(o.ellipsisMask, i) && bit(o.newAxisMask, i)) numNewAxes++;
  }
  const dims = rank + numNewAxes;

  // Which effective axes an ellipsis covers and which are new, mapping spec entries to axes.
  const isEllipsis: boolean[] = new Array<boolean>(dims).fill(false);
  const isNew: boolean[] = new Array<boolean>(dims).fill(false);
  let ellipsisStart = dims;
  let expanded = 0;
  for (let i = 0; i < dims;) {
    if (bit(o.ellipsisMask, i)) {
      ellipsisStart = i;
      const ellipsisEnd = Math.max(i + 1, Math.min(i + 1 + numNewAxes + rank - count, dims));
      expanded = ellipsisEnd - ellipsisStart - 1;
      for (; i < ellipsisEnd; i++) isEllipsis[i] = true;
      continue;
    }
    if (i - expanded >= 0 && bit(o.newAxisMask, i - expanded)) isNew[i] = true;
    i++;
  }

  const effectiveShape: number[] = [];
  const beginAt: number[] = [];
  const endAt: number[] = [];
  const stride: number[] = [];
  const beginMask: boolean[] = [];
  const endMask: boolean[] = [];
  const shrink: boolean[] = [];
  let addedAxes = 0;
  let addedEllipsis = 0;
  for (let i = 0; i < dims; i++) {
    const full = (): void => {
      beginAt.push(0);
      endAt.push(0);
      stride.push(1);
      beginMask.push(true);
      endMask.push(true);
      shrink.push(false);
      effectiveShape.push(inputShape[i - addedAxes] ?? 1);
    };
    if (isEllipsis[i] === true) {
      addedEllipsis = Math.max(0, i - ellipsisStart);
      full();
    } else if (isNew[i] === true) {
      beginAt.push(0);
      endAt.push(1);
      stride.push(1);
      beginMask.push(false);
      endMask.push(false);
      shrink.push(false);
      effectiveShape.push(1);
      addedAxes++;
    } else if (i >= count + expanded) {
      full();
    } else {
      const j = i - addedEllipsis;
      beginAt.push(begin[j] ?? 0);
      endAt.push(end[j] ?? 0);
      stride.push(strides[j] ?? 1);
      beginMask.push(bit(o.beginMask, j));
      endMask.push(bit(o.endMask, j));
      shrink.push(bit(o.shrinkAxisMask, j));
      effectiveShape.push(inputShape[i - addedAxes] ?? 1);
    }
  }

  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  const start: number[] = [];
  const stop: number[] = [];
  const size: number[] = [];
  const outputShape: number[] = [];
  for (let i = 0; i < dims; i++) {
    const d = effectiveShape[i] ?? 1;
    const s = stride[i] ?? 1;
    if (s === 0) throw new Error(`stride of axis ${i} is 0`);
    let b = 0;
    if (d !== 0) {
      b = beginMask[i] === true ? (s > 0 ? -Infinity : Infinity) : (beginAt[i] ?? 0);
      if (b < 0) b += d;
      b = s > 0 ? clamp(b, 0, d) : clamp(b, -1, d - 1);
    }
    let e: number;
    if (shrink[i] === true) {
      if (b < 0 || b >= d) {
        throw new Error(
          `index ${beginAt[i] ?? 0} of shrunk axis ${i} is out of range for size ${d}`,
        );
      }
      e = b + 1;
    } else {
      e = (endAt[i] ?? 0) + (o.offset ? b : 0);
      if (e < 0) e += d;
      e = s > 0 ? clamp(e, 0, d) : clamp(e, -1, d - 1);
      if (endMask[i] === true) e = s > 0 ? d : -1;
    }
    const span = e - b;
    let n: number;
    if (shrink[i] === true) n = 1;
    else if (span !== 0 && span < 0 !== s < 0) n = 0;
    else if (s < 0) n = span === 0 ? 0 : Math.trunc((span + 1) / s) + 1;
    else n = span === 0 ? 0 : Math.trunc((span - 1) / s) + 1;
    start.push(b);
    stop.push(e);
    size.push(n);
    if (shrink[i] !== true) outputShape.push(n);
  }
  return { effectiveShape, start, stop, stride, size, outputShape };
}

/** Flat input index of every output element, in output order. */
export function gatherIndices(plan: SlicePlan): Int32Array {
  const inStrides = rowStrides(plan.effectiveShape);
  const total = plan.size.reduce((p, n) => p * n, 1);
  const out = new Int32Array(total);
  const dims = plan.size.length;
  let k = 0;
  const walk = (axis: number, base: number): void => {
    const n = plan.size[axis] ?? 1;
    const step = (plan.stride[axis] ?? 1) * (inStrides[axis] ?? 1);
    let at = base + (plan.start[axis] ?? 0) * (inStrides[axis] ?? 1);
    if (axis === dims - 1) {
      for (let i = 0; i < n; i++, at += step) out[k++] = at;
      return;
    }
    for (let i = 0; i < n; i++, at += step) walk(axis + 1, at);
  };
  if (dims === 0) out[0] = 0;
  else if (total > 0) walk(0, 0);
  return out;
}

/** Same-width unsigned view of a tensor's storage, so any dtype is copied element-wise. */
function wordsOf(
  node: Node,
  t: RuntimeTensor,
): Uint8Array | Uint16Array | Uint32Array | BigUint64Array {
  const { buffer, byteOffset, length } = t.data;
  switch (t.data.BYTES_PER_ELEMENT) {
    case 1:
      return new Uint8Array(buffer, byteOffset, length);
    case 2:
      return new Uint16Array(buffer, byteOffset, length);
    case 4:
      return new Uint32Array(buffer, byteOffset, length);
    case 8:
      return new BigUint64Array(buffer, byteOffset, length);
    default:
      throw node.unsupported(`element size ${t.data.BYTES_PER_ELEMENT}`);
  }
}

export const StridedSlice: Kernel = {
  op: "STRIDED_SLICE",
  prepare(node: Node): Eval {
    const o = node.options("StridedSliceOptions");
    const input = node.input(0);
    const operands = [node.input(1), node.input(2), node.input(3)];
    for (const t of operands) {
      if (t.dtype !== "int32") {
        throw node.unsupported(`begin/end/strides '${t.name}' must be int32, found ${t.dtype}`);
      }
      if (t.shape.length !== 1) {
        throw node.shapeError(`'${t.name}' must be a vector, found [${t.shape.join(", ")}]`);
      }
      if (!t.isConstant) {
        throw node.unsupported(
          `'${t.name}' is computed at run time; the interpreter needs begin, end and strides ` +
            `known when tensors are allocated (constants, or computed from constants and shapes)`,
        );
      }
    }
    const [begin, end, strides] = operands.map((t) => node.intValues(t));
    let plan: SlicePlan;
    try {
      plan = planStridedSlice(input.shape, begin ?? [], end ?? [], strides ?? [], o);
    } catch (e) {
      if (e instanceof Error)
        throw node.shapeError(`'${input.name}' [${input.shape.join(", ")}]: ${e.message}`);
      throw e;
    }
    const output = node.allocateOutput(0, plan.outputShape);
    if (output.dtype !== input.dtype) throw node.unsupported("input and output types differ");
    if (input.quantization !== null || output.quantization !== null) {
      const qi = node.affine(input);
      const qo = node.affine(output);
      if (qi.scale !== qo.scale || qi.zeroPoint !== qo.zeroPoint) {
        throw node.unsupported(
          `input scale ${qi.scale} / zero point ${qi.zeroPoint} must equal the output's ` +
            `${qo.scale} / ${qo.zeroPoint}`,
        );
      }
    }
    const index = gatherIndices(plan);
    const src = wordsOf(node, input);
    const dst = wordsOf(node, output);
    if (src instanceof BigUint64Array || dst instanceof BigUint64Array) {
      if (!(src instanceof BigUint64Array && dst instanceof BigUint64Array)) {
        throw node.unsupported("input and output element sizes differ");
      }
      return () => {
        for (let i = 0; i < index.length; i++) dst[i] = src[index[i] ?? 0] ?? 0n;
      };
    }
    return () => {
      for (let i = 0; i < index.length; i++) dst[i] = src[index[i] ?? 0] ?? 0;
    };
  },
};
